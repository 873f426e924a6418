"""A database connection the server ends: the next request and the worker's next job go on.

``pg_terminate_backend`` ends every session of the test database but the one asking,
as a database restart, a failover or an administrator would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
import psycopg.sql
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections
from django.test import Client as HttpClient
from django.test import RequestFactory
from django_tasks import TaskResultStatus, task

from payments.management.commands.run_worker import Worker
from tests.factories import Cast

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@task()
def echo(value: int) -> int:
    return value


def _admin_connection(dbname: str | None = None) -> psycopg.Connection:
    params = connection.settings_dict
    return psycopg.connect(
        dbname=dbname or params["NAME"],
        user=params["USER"],
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        autocommit=True,
    )


def terminate_other_sessions() -> int:
    """End every session of this database (from another one); how many there were."""
    with _admin_connection("postgres") as killer:
        rows = killer.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            [connection.settings_dict["NAME"]],
        ).fetchall()
    return len(rows)


def allow_connections(allowed: bool) -> None:
    """Let sessions in or not, as a database that is restarting does not."""
    name = connection.settings_dict["NAME"]
    with _admin_connection("postgres") as admin:
        admin.execute(
            psycopg.sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(
                psycopg.sql.Identifier(name), psycopg.sql.Literal(allowed)
            )
        )


@task()
def lose_connection() -> None:
    """A job whose connection the server ends while it runs."""
    terminate_other_sessions()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def serve(path: str, cookies: Any) -> int:
    """A GET through Django's WSGI handler, as a server runs it: unlike the test client,
    it checks the connections as the request starts (``close_old_connections``)."""
    environ = RequestFactory()._base_environ(
        PATH_INFO=path,
        REQUEST_METHOD="GET",
        HTTP_COOKIE=cookies.output(header="", sep=";"),
    )
    statuses: list[str] = []
    WSGIHandler()(environ, lambda status, headers: statuses.append(status))
    return int(statuses[0].split()[0])


def signed_in_cookies(cast: Cast) -> Any:
    http = HttpClient()
    http.force_login(cast.masha.user)
    return http.cookies


def test_a_request_after_the_connection_was_ended_is_served(cast: Cast) -> None:
    cookies = signed_in_cookies(cast)
    assert serve("/me/", cookies) in (200, 302)  # the connection is open and kept

    assert terminate_other_sessions() >= 1

    assert serve("/me/", cookies) in (200, 302)


def test_without_the_health_check_the_same_request_fails(cast: Cast) -> None:
    # The check above is what serves the request: without it, the ended connection is
    # used, and the request is a 500 (the next one gets a new connection).
    cookies = signed_in_cookies(cast)
    assert serve("/me/", cookies) in (200, 302)
    connection.health_check_enabled = False

    terminate_other_sessions()

    assert serve("/me/", cookies) == 500
    assert serve("/me/", cookies) in (200, 302)


def _wait_for(check: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        connections.close_all()  # this thread's connection may be one of those ended
        if check():
            return True
        time.sleep(0.1)
    return False


def _status(result: Any) -> str:
    result.refresh()
    return result.status


def _worker(max_tasks: int) -> Worker:
    worker = Worker(
        queue_names=["*"],
        interval=0.05,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="connection-loss-test",
        excluded_queue_names=[],
    )
    worker.first_delay = 0.05
    return worker


def _run_in_thread(worker: Worker, errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            worker.run()
        except BaseException as error:  # the test reports how the worker ended
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_worker_takes_the_next_job_after_the_database_was_away(settings: Any) -> None:
    # given a worker that has run one job and waits for the next
    settings.TASKS = DATABASE_TASKS
    first = echo.enqueue(1)
    worker, errors = _worker(max_tasks=2), []
    thread = _run_in_thread(worker, errors)
    assert _wait_for(lambda: _status(first) == TaskResultStatus.SUCCESSFUL)

    # when the database ends its session and refuses new ones for a while (a restart)
    allow_connections(False)
    try:
        assert terminate_other_sessions() >= 1
        time.sleep(0.5)  # the worker finds it away
    finally:
        allow_connections(True)
    connections.close_all()
    second = echo.enqueue(2)

    # then the worker, still there, takes it
    assert _wait_for(lambda: _status(second) == TaskResultStatus.SUCCESSFUL), errors
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert errors == []
    assert second.return_value == 2


def test_the_worker_takes_the_next_job_after_a_job_lost_its_connection(settings: Any) -> None:
    # given a job whose connection is ended while it runs, and a job after it
    settings.TASKS = DATABASE_TASKS
    lost = lose_connection.enqueue()
    worker, errors = _worker(max_tasks=2), []
    thread = _run_in_thread(worker, errors)
    assert _wait_for(lambda: _status(lost) != TaskResultStatus.READY)
    connections.close_all()
    second = echo.enqueue(2)

    # then the worker takes the next one
    assert _wait_for(lambda: _status(second) == TaskResultStatus.SUCCESSFUL), errors
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert errors == []
