"""The load test: gunicorn with 2 workers, no caches, driven by locust users who think.

One user alone first (same pages, same 1–2 s think time): the single-user median every
other figure is read against. Then 20 users for the run's length: no errors, and their
95th percentile within 3× that median. Then the capacity: 20, 40, 60, … users for a
short while each, until the 95th percentile passes 3× the single-user median (or a
request fails); the last count that held is reported.
"""

from __future__ import annotations

import contextlib
import csv
import http.client
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8799"))
USERS = 20
P95_LIMIT = 3  # the 95th percentile under load, as a multiple of the single-user median
CAPACITY_STEP = 20
CAPACITY_MAX = 400  # users: the capacity search stops here even if p95 still holds
CAPACITY_BELOW = (10, 5, 2)  # tried, in this order, when 20 users already do not hold
WARM_UP_REQUESTS = 10  # per page and worker, before anything is timed


@dataclass(frozen=True)
class Run:
    users: int
    requests: int
    failures: int
    median_ms: Decimal
    p95_ms: Decimal
    rps: Decimal

    def holds(self, single_median_ms: Decimal) -> bool:
        return self.failures == 0 and self.p95_ms <= P95_LIMIT * single_median_ms


def read_stats(path: Path, users: int) -> Run:
    """The aggregated row of locust's ``_stats.csv``.

    Milliseconds and requests per second, read as the decimals locust writes (the project
    keeps binary floating point out of its code, measurements included).
    """
    with path.open(encoding="utf-8") as stats:
        total = next(row for row in csv.DictReader(stats) if row["Name"] == "Aggregated")
    return Run(
        users=users,
        requests=int(total["Request Count"]),
        failures=int(total["Failure Count"]),
        median_ms=Decimal(total["50%"]),
        p95_ms=Decimal(total["95%"]),
        rps=Decimal(total["Requests/s"]),
    )


def capacity(runs: list[Run], single_median_ms: Decimal) -> int:
    """The most users that held, of a climb that stops at the first count that did not,
    or of a descent (from 20 users down) that stops at the first count that did."""
    holding = [run.users for run in runs if run.holds(single_median_ms)]
    if not runs or not runs[0].holds(single_median_ms):
        return holding[0] if holding else 0
    held = 0
    for run in runs:
        if not run.holds(single_median_ms):
            break
        held = run.users
    return held


@contextlib.contextmanager
def gunicorn(environment: dict[str, str], bin_dir: Path) -> Iterator[str]:
    """The app on gunicorn, 2 sync workers; yields its base URL once it answers."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            raise RuntimeError(f"port {PORT} is taken: set BENCH_PORT to a free one")
    command = [
        str(bin_dir / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
        "--workers", "2", "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=environment, cwd=ROOT)
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(150):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                break
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def warm_up(paths: list[str], cookie: str, key: str) -> None:
    """Untimed: each worker's first requests load templates and open its connection."""
    for _ in range(WARM_UP_REQUESTS * 2):
        for path in paths:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            with contextlib.suppress(OSError):
                connection.request("GET", path, headers={"Cookie": f"{cookie}={key}"})
                connection.getresponse().read()
            connection.close()


@dataclass(frozen=True)
class Locust:
    base: str
    paths: list[str]
    cookie: str
    key: str
    bin_dir: Path
    work: Path

    def run(self, users: int, seconds: int) -> Run:
        """``users`` users for ``seconds`` s once all have started (the ramp is not counted)."""
        prefix = self.work / f"locust-{users}u"
        spawn_rate = max(1, users // 2)  # all users started within about 2 s
        command = [
            str(self.bin_dir / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless", "-u", str(users), "-r", str(spawn_rate), "--reset-stats",
            "-t", f"{seconds + 2}s", "--host", self.base, "--csv", str(prefix),
            "--only-summary", "--loglevel", "WARNING",
        ]  # fmt: skip
        environment = {
            **os.environ,
            "BENCH_PATHS": ",".join(self.paths),
            "BENCH_SESSION": self.key,
            "BENCH_COOKIE": self.cookie,
        }
        done = subprocess.run(command, env=environment, cwd=ROOT, capture_output=True, text=True)
        stats = Path(f"{prefix}_stats.csv")
        if not stats.exists():
            raise RuntimeError(f"locust wrote no statistics:\n{done.stderr[-3000:]}")
        return read_stats(stats, users)
