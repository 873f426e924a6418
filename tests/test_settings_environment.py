"""What a deployment sets in its environment reaches the settings, and a wrong value stops it.

Settings are read when ``config.settings`` is imported, so each case runs Python in a
subprocess with a production environment (``tests.test_deployment_security``).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.test_deployment_security import BASE_DIR, production_env, run


class MailServer:
    """A mail server on a local port that keeps what it is sent and who signed in."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        self.logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mail_server() -> Iterator[tuple[MailServer, int]]:
    server, port = MailServer(), free_port()
    controller = Controller(
        server,
        hostname="127.0.0.1",
        port=port,
        authenticator=server.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield server, port
    finally:
        controller.stop()


SEND = """
import django
django.setup()
from django.core.mail import send_mail
sent = send_mail("Period 10.2026 awaits approval", "Open it.", None, ["dina@example.com"])
print(sent)
"""

SHOW = """
import json, django
django.setup()
from django.conf import settings
names = ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_USE_TLS",
         "EMAIL_USE_SSL", "EMAIL_TIMEOUT", "DEFAULT_FROM_EMAIL", "IMPORT_BACKGROUND_BYTES"]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def shown(tmp_path: Path, **environment: str) -> dict[str, Any]:
    result = run(["-c", SHOW], production_env(tmp_path, **environment))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_sends_mail_through_the_server_the_environment_names(
    tmp_path: Path, mail_server: tuple[MailServer, int]
) -> None:
    # given a deployment whose mail server asks for a user name and password
    server, port = mail_server
    env = production_env(
        tmp_path,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_HOST_USER="bonus-robot",
        EMAIL_HOST_PASSWORD="s3cret-relay-pass",
        DEFAULT_FROM_EMAIL="bonus@corp.example",
    )

    # when a notice is sent the way the worker sends it
    result = run(["-c", SEND], env)

    # then that server took it, from the configured sender, after signing in as configured
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "1"
    assert server.logins == [("bonus-robot", "s3cret-relay-pass")]
    [message] = server.messages
    assert message.mail_from == "bonus@corp.example"
    assert message.rcpt_tos == ["dina@example.com"]
    assert b"Subject: Period 10.2026 awaits approval" in message.content


def test_it_uses_smtp_with_a_timeout_in_production_by_default(tmp_path: Path) -> None:
    seen = shown(tmp_path)

    assert seen["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (seen["EMAIL_HOST"], seen["EMAIL_PORT"]) == ("localhost", 25)
    assert (seen["EMAIL_USE_TLS"], seen["EMAIL_USE_SSL"]) == (False, False)
    # a mail server that stops answering is given up instead of holding the worker
    assert seen["EMAIL_TIMEOUT"] == 30


def test_it_reads_the_mail_servers_encryption_and_timeout(tmp_path: Path) -> None:
    starttls = shown(tmp_path, EMAIL_PORT="587", EMAIL_USE_TLS="yes", EMAIL_TIMEOUT="10")
    implicit = shown(tmp_path, EMAIL_PORT="465", EMAIL_USE_SSL="1")

    assert (starttls["EMAIL_PORT"], starttls["EMAIL_USE_TLS"], starttls["EMAIL_USE_SSL"]) == (
        587,
        True,
        False,
    )
    assert starttls["EMAIL_TIMEOUT"] == 10
    assert (implicit["EMAIL_PORT"], implicit["EMAIL_USE_TLS"], implicit["EMAIL_USE_SSL"]) == (
        465,
        False,
        True,
    )


def test_it_refuses_to_start_with_both_kinds_of_mail_encryption(tmp_path: Path) -> None:
    env = production_env(tmp_path, EMAIL_USE_TLS="1", EMAIL_USE_SSL="1")

    result = run(["-c", "import config.settings"], env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "EMAIL_USE_TLS (STARTTLS" in result.stderr
    assert "exclude each other" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("EMAIL_PORT", "smtp", "EMAIL_PORT must be a whole number, 1 or more, got 'smtp'"),
        ("EMAIL_PORT", "0", "EMAIL_PORT must be a whole number, 1 or more, got '0'"),
        ("CONN_MAX_AGE", "-5", "CONN_MAX_AGE must be a whole number, 0 or more"),
        ("IMPORT_BACKGROUND_BYTES", "5MB", "IMPORT_BACKGROUND_BYTES must be a whole number"),
        ("AXES_FAILURE_LIMIT", "0", "AXES_FAILURE_LIMIT must be a whole number, 1 or more"),
        ("EMAIL_USE_TLS", "maybe", "EMAIL_USE_TLS must be a boolean (1/0, true/false)"),
    ],
)
def test_it_refuses_a_value_that_is_not_one_naming_the_variable(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    result = run(["-c", "import config.settings"], production_env(tmp_path, **{name: value}))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_it_takes_an_empty_value_as_the_default(tmp_path: Path) -> None:
    # an .env line left as NAME= is the same as no line
    seen = shown(tmp_path, EMAIL_PORT="", IMPORT_BACKGROUND_BYTES=" ")

    assert seen["EMAIL_PORT"] == 25
    assert seen["IMPORT_BACKGROUND_BYTES"] == 5 * 1024 * 1024


def test_the_admin_spreadsheet_file_waits_where_every_web_process_reads_it(
    tmp_path: Path,
) -> None:
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(getattr(settings, 'IMPORT_EXPORT_TMP_STORAGE_CLASS', 'the default'))"
    )
    shared = run(["-c", script], production_env(tmp_path, REDIS_URL="redis://127.0.0.1:6379/9"))
    alone = run(["-c", script], production_env(tmp_path))

    # with a shared cache, in it; without one, in the temporary folder (the library's
    # default), since a per-process cache would lose it between two gunicorn workers
    assert shared.stdout.strip() == "import_export.tmp_storages.CacheStorage", shared.stderr
    assert alone.stdout.strip() == "the default", alone.stderr


def test_it_runs_on_postgresql_only(tmp_path: Path) -> None:
    # given a deployment that names a SQLite file
    env = production_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    # when the settings load, then they refuse it, naming the variable
    result = run(["-c", "import config.settings"], env)
    assert result.returncode != 0
    assert "DATABASE_URL must point at PostgreSQL" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()


def test_production_needs_a_database_url(tmp_path: Path) -> None:
    # given a production environment without a database
    env = production_env(tmp_path)
    del env["DATABASE_URL"]

    # when the settings load, then they stop with a message instead of starting one
    result = run(["-c", "import config.settings"], env)
    assert result.returncode != 0
    assert "DATABASE_URL must be set when DEBUG is off" in result.stderr


def test_development_starts_the_embedded_server_and_stops_it_after(tmp_path: Path) -> None:
    # given a development environment with no DATABASE_URL and its own data folder
    env = production_env(tmp_path, DEBUG="1")
    del env["DATABASE_URL"]
    script = f"""
import json, pathlib, psycopg
from config import embedded_db
url = embedded_db.database_url(pathlib.Path({str(tmp_path / "pg")!r}))
with psycopg.connect(url) as connection:
    version = connection.execute("SHOW server_version_num").fetchone()[0]
    name = connection.execute("SELECT current_database()").fetchone()[0]
print(json.dumps({{"version": int(version), "database": name, "url": url}}))
"""

    # when a process asks for the development database
    result = run(["-c", script], env)

    # then a PostgreSQL server with its data in that folder answered
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["version"] >= 160000
    assert seen["database"] == "teambonus"
    assert seen["url"].startswith("postgres://postgres@")
    assert (tmp_path / "pg" / "PG_VERSION").exists()
    # and it stopped with the last process that used it
    assert not (tmp_path / "pg" / "postmaster.pid").exists()


def test_a_killed_process_does_not_keep_the_embedded_server_running(tmp_path: Path) -> None:
    # given a process on the embedded server that is killed before it can stop it
    env = production_env(tmp_path, DEBUG="1")
    del env["DATABASE_URL"]
    data = tmp_path / "pg"
    attach = "from pathlib import Path; from config import embedded_db; "
    attach += f"embedded_db.database_url(Path({str(data)!r}))"
    # (the data folder made first, by a process that ends normally: a busy machine's
    # initdb is slow, and only the start matters here)
    made = run(["-c", attach], env)
    assert made.returncode == 0, made.stderr
    wait = "; print('ready', flush=True); import time; time.sleep(60)"
    killed = subprocess.Popen(
        [sys.executable, "-c", attach + wait],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert killed.stdout is not None
        ready = killed.stdout.readline().strip()
        if ready != "ready":
            killed.kill()
            pytest.fail(f"the process did not start: {killed.communicate()[1][-2000:]}")
        assert (data / "postmaster.pid").exists()
    finally:
        killed.kill()
        killed.wait()

    # when the next process uses it and ends normally
    result = run(["-c", attach], env)

    # then the server stops with it
    assert result.returncode == 0, result.stderr
    assert not (data / "postmaster.pid").exists()
