"""Run every measurement of the scale issue side by side with its anchor; print one table.

    make bench            # or: .venv/bin/python benchmarks/run.py [--load-seconds 60]

Creates (drops first) the PostgreSQL databases ``teambonus_bench`` (1,000,000 payments)
and ``teambonus_bench_small`` (1,000), on the server named by ``BENCH_PG`` (default
``postgres://postgres@127.0.0.1:5432``). Every step runs in its own process (its peak
memory is its own); generated files are cached under ``var/bench/``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import data  # noqa: E402
from benchmarks.steps import FLOOR_PAGE  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
BIG, SMALL = "teambonus_bench", "teambonus_bench_small"
ANCHOR = "teambonus_bench_anchor"  # T measured again after the imports, then dropped
WORK = ROOT / "var" / "bench"
PYTHON = sys.executable
BIN = Path(PYTHON).parent
PORT = int(os.environ.get("BENCH_PORT", "8799"))
# The shared cache production runs with (docker-compose.yml); "" measures without it.
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/2")
MIB = 128
PAGE_REPEAT = 25  # requests a page is timed over (median), after a first one
LOAD_TURNS = 3  # the load test's seconds are split into this many turns of each
PAGE_TURNS = 3  # times each data set's pages are measured, the two in turns


def env_for(db: str, *, debug: bool = False, shared_cache: bool = True) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"{PG}/{db}",
        "DEBUG": "1" if debug else "0",
        "SECRET_KEY": "benchmark-only-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
        "REDIS_URL": REDIS if shared_cache else "",
    }


def redis_answers() -> bool:
    import redis

    try:
        return bool(REDIS) and bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except redis.exceptions.RedisError:
        return False


def empty_redis() -> None:
    """The benchmark's Redis database, emptied: every run's data set has users of the same ids."""
    if REDIS:
        import redis

        redis.Redis.from_url(REDIS).flushdb()


def step(db: str, *args: str, debug: bool = False, shared_cache: bool = True) -> dict[str, Any]:
    """Run one step of ``benchmarks/steps.py`` in a fresh process; its RESULT line."""
    command = [PYTHON, str(ROOT / "benchmarks" / "steps.py"), *args]
    environment = env_for(db, debug=debug, shared_cache=shared_cache)
    done = subprocess.run(command, env=environment, cwd=ROOT, capture_output=True, text=True)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))
    raise RuntimeError(f"step {args} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")


def psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def fresh_database(db: str, payments: int) -> dict[str, Any]:
    """Drop, create, migrate, seed; then COPY the year's payments (timed: T)."""
    psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{db}"')
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "--skip-checks", "-v0"],
        env=env_for(db, debug=True),
        cwd=ROOT,
        check=True,
    )
    copy_file = WORK / f"{db}.copy"
    step(db, "seed", str(copy_file), debug=True)
    clients = [tuple(row) for row in json.loads(Path(str(copy_file) + ".clients").read_text())]
    with copy_file.open("w", encoding="utf-8") as out:
        out.writelines(data.payment_copy_lines(payments, clients, prefix="seed"))
    return step(db, "raw-copy", str(copy_file))


def settle(db: str) -> None:
    """Untimed: vacuum and checkpoint, so a measurement never shares the machine with the
    autovacuum and checkpoint the previous step's writes set off (T starts settled too).

    Every other table is analyzed as well, as autovacuum would have done on a server in
    service: the planner then knows the 10,000 clients the seeding wrote.
    """
    import psycopg

    with psycopg.connect(f"{PG}/{db}", autocommit=True) as connection:
        for table in (
            "payments_payment",
            "payments_historicalpayment",
            "payments_unmatchedpayment",
            "payments_dailycollection",
        ):
            connection.execute(f"VACUUM ANALYZE {table}")
        connection.execute("ANALYZE")
        with contextlib.suppress(psycopg.errors.InsufficientPrivilege):
            connection.execute("CHECKPOINT")


def files() -> dict[str, Path]:
    WORK.mkdir(parents=True, exist_ok=True)
    made = {
        "csv": (WORK / f"payments-1m-{data.SEED}.csv", data.write_csv, 1_000_000),
        "1c": (WORK / f"statement-100k-{data.SEED}.txt", data.write_onec, 100_000),
        "xlsx": (WORK / f"payments-100k-{data.SEED}-excel.xlsx", data.write_xlsx, 100_000),
    }
    for path, write, rows in made.values():
        if not path.exists():
            print(f"  generating {path.name} …", flush=True)
            write(path, rows)
    return {fmt: path for fmt, (path, _write, _rows) in made.items()}


# --- the table --------------------------------------------------------------------------


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str, str]] = []

    def add(
        self, name: str, seconds: float | None, anchor: float | None, target: float | None,
        peak: float | None = None, note: str = "",
    ) -> None:  # fmt: skip
        ratio = seconds / anchor if seconds is not None and anchor else None
        verdict = "" if target is None or ratio is None else ("pass" if ratio <= target else "FAIL")
        if peak is not None and peak > MIB:
            verdict = "FAIL (memory)"
        self.rows.append(
            (
                name,
                "—"
                if seconds is None
                else f"{seconds * 1000:,.1f} ms"
                if seconds < 1
                else f"{seconds:,.2f} s",
                "—" if ratio is None else f"{ratio:.2f}",
                "—" if target is None else f"≤ {target:g}",
                (verdict + (" " + note if note else "")).strip() or "—",
                "—" if peak is None else f"{peak:.0f} MiB",
            )
        )
        print("  " + " | ".join(self.rows[-1]), flush=True)

    def markdown(self) -> str:
        head = ("measurement", "time", "ratio", "target", "result", "peak RSS")
        lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


# --- measurements -----------------------------------------------------------------------


def year_copy_file(rows: int) -> Path:
    """``rows`` more seeded payments for the big data set's clients, refs of their own."""
    path = WORK / f"{BIG}-year-{rows}.copy"
    clients = [tuple(row) for row in json.loads(Path(f"{WORK / BIG}.copy.clients").read_text())]
    with path.open("w", encoding="utf-8") as out:
        out.writelines(data.payment_copy_lines(rows, clients, prefix="year", seed=data.SEED + 7))
    return path


IMPORTS = [
    # (name, format, anchor as a share of T by rows, target); 100,000 rows: T / 10.
    # A statement arrives into the year of payments T wrote (1,000,000 rows), as the
    # issue describes; the million-row CSV, a second year in one file, comes after it.
    ("import 1C 100,000 docs (vs T/10)", "1c", 0.1, 2.0),
    ("re-import the same 1C (vs T/10)", "1c", 0.1, 1.0),
    ("import CSV 1,000,000 rows", "csv", 1.0, 2.0),
    ("re-import the same CSV (0 added)", "csv", 1.0, 1.0),
    ("import XLSX 100,000 rows (vs T/10, own figure)", "xlsx", 0.1, None),
]
DRIFT = 0.2  # T's two measurements further apart than this share of T: said in the table


def measure_imports(table: Table, paths: dict[str, Path], t_before: float) -> float:
    """The imports, against T measured on both sides of them.

    T is one COPY of a minute or less, and the imports take minutes: on a machine whose
    speed drifts within minutes, a T measured only before them can fall in a fast spell
    and the imports in a slow one (or the other way round). So T is measured again, the
    same COPY into a fresh database, once the imports are done, and the imports are
    compared with the mean of the two; both are in the table.
    """
    settle(BIG)
    into_year = step(BIG, "copy-into-year", str(year_copy_file(100_000)))
    results = []
    for name, fmt, _share, _target in IMPORTS:
        settle(BIG)
        results.append(step(BIG, "import", str(paths[fmt]), fmt))
        print(f"  {name}: {results[-1]['seconds']:.2f} s (its ratio once T is measured again)")
    settle(BIG)
    t_after = fresh_database(ANCHOR, 1_000_000)["seconds"]
    psql(f'DROP DATABASE IF EXISTS "{ANCHOR}" WITH (FORCE)')
    for leftover in (f"{ANCHOR}.copy", f"{ANCHOR}.copy.clients"):
        (WORK / leftover).unlink(missing_ok=True)
    t = (t_before + t_after) / 2
    drift = abs(t_after - t_before) / t
    note = f"mean of {t_before:.2f} s before the imports and {t_after:.2f} s after them"
    if drift > DRIFT:
        note += f"; the machine drifted by {drift:.0%} meanwhile: read the import ratios so"
    table.add("T: raw psycopg COPY of 1,000,000 payments", t, t, 1.0, note=note)
    # No target: the anchor is T. It shows how much of the statement's cost is
    # the write into a full table, which T, filling an empty one, does not pay.
    table.add(
        "COPY 100,000 payments into the year (vs T/10, rolled back)", into_year["seconds"],
        t * 0.1, None, note="no target: the anchor as the statement meets the table",
    )  # fmt: skip
    for number, (run, result) in enumerate(zip(IMPORTS, results, strict=True)):
        name, _fmt, share, target = run
        note = f"new {result['new']:,}, dup {result['duplicate']:,}, unm {result['unmatched']:,}"
        if result["errors"]:
            note += f", errors {result['errors']}"
        if number == 0:
            note += f"; {result['seconds'] / into_year['seconds']:.2f}× the COPY into the year"
        table.add(name, result["seconds"], t * share, target, result["peak_mib"], note)
    return t


def measure_close(table: Table) -> None:
    for db, extra in ((SMALL, 0), (BIG, 100_000)):
        settle(db)
        result = step(db, "close", str(extra))
        label = f"≥ {result['month_payments']:,} payments in the month"
        for name in ("close", "submit", "approve"):
            note = (
                f"{result[name + '_queries']} queries; anchor: month aggregate; "
                f"medians of {result['months']} months"
            )
            if db == BIG:
                table.add(
                    f"period {name} ({label})", result[name], result["anchor"], 2.0, None, note
                )


def _median_pages(turns: list[dict[str, Any]]) -> dict[str, Any]:
    """Each page's figures over several turns: the median time and SQL time."""
    pages: dict[str, Any] = {}
    for name, first in turns[0].items():
        if "seconds" not in first:
            pages[name] = first
            continue
        pages[name] = {
            **first,
            "seconds": statistics.median(turn[name]["seconds"] for turn in turns),
            "sql_seconds": statistics.median(turn[name]["sql_seconds"] for turn in turns),
        }
    return pages


def measure_pages(table: Table) -> dict[str, Any]:
    # Without the shared cache: the session and the user are then read by SQL, which the
    # page's own SQL replays, so the comparison sets all of the page's reads against
    # all of its work (with Redis they would count as the page's work only).
    # The two data sets in turns, each a few times: their ratio then does not hang on
    # the machine's speed at two different moments. Each figure is the median of turns.
    for db in (SMALL, BIG):
        settle(db)
    turns: dict[str, list[dict[str, Any]]] = {SMALL: [], BIG: []}
    for _ in range(PAGE_TURNS):
        for db in (SMALL, BIG):
            turns[db].append(step(db, "pages", str(PAGE_REPEAT), shared_cache=False)["pages"])
    small, big = _median_pages(turns[SMALL]), _median_pages(turns[BIG])
    for name, figures in big.items():
        before = small.get(name, {})
        if figures.get("missing") or "seconds" not in figures:
            table.add(f"page {name}", None, None, None, None, f"not measurable: {figures}")
            continue
        if name == FLOOR_PAGE:
            note = f"{figures['queries']} queries; the framework's floor, not a target"
            table.add(
                f"floor: signed-in redirect {figures['url']} vs its own SQL",
                figures["seconds"], figures["sql_seconds"], None, None, note,
            )  # fmt: skip
            continue
        queries = f"{figures['queries']} queries (at 1,000: {before.get('queries')})"
        table.add(
            f"page {name}: 1M vs 1,000 payments", figures["seconds"], before.get("seconds"),
            2.0, None, queries,
        )  # fmt: skip
        table.add(f"page {name}: vs its own SQL", figures["seconds"], figures["sql_seconds"], 2.0)
    return big


@contextlib.contextmanager
def gunicorn(db: str) -> Iterator[None]:
    command = [
        str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
        "--workers", "2", "--log-level", "warning",
    ]  # fmt: skip
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            raise RuntimeError(f"port {PORT} is taken: set BENCH_PORT to a free one")
    server = subprocess.Popen(command, env=env_for(db), cwd=ROOT)
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                break
            time.sleep(0.2)
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)


def locust(paths: list[str], cookie: str, seconds: int, label: str) -> dict[str, Decimal]:
    prefix = WORK / f"locust-{label}"
    command = [
        str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless",
        "-u", "20", "-r", "20", "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{PORT}",
        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    environment = {**os.environ, "BENCH_PATHS": ",".join(paths), "BENCH_SESSION": cookie}
    subprocess.run(command, env=environment, cwd=ROOT, capture_output=True, check=False)
    import csv

    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        total = next(row for row in csv.DictReader(stats) if row["Name"] == "Aggregated")
    # Requests a second and milliseconds, read exactly from locust's report.
    return {
        "rps": Decimal(total["Requests/s"]),
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "median_ms": Decimal(total["Median Response Time"]),
    }


def _together(turns: list[dict[str, Decimal]]) -> dict[str, Decimal]:
    """Several locust runs as one: all their requests over all their time."""
    requests = sum(int(turn["requests"]) for turn in turns)
    elapsed = sum(turn["requests"] / turn["rps"] for turn in turns if turn["rps"])
    return {
        "rps": requests / elapsed if elapsed else Decimal(0),
        "requests": requests,
        "failures": sum(int(turn["failures"]) for turn in turns),
        "median_ms": sorted(turn["median_ms"] for turn in turns)[len(turns) // 2],
    }


def measure_load(table: Table, seconds: int) -> None:
    if not (BIN / "locust").exists():
        table.add(
            "load test", None, None, None, None, "locust not installed: pip install -e .[dev]"
        )
        return
    empty_redis()
    signed_in = step(BIG, "session", "head")
    paths = list(signed_in["paths"].values())
    if not paths:
        table.add("load test", None, None, None, None, "dashboard and my bonus do not resolve")
        return
    # In turns (bare, pages, bare, pages, ...): a slow spell of the machine then falls on
    # both alike instead of on one whole run.
    bare_turns, page_turns = [], []
    with gunicorn(BIG):
        for turn in range(LOAD_TURNS):
            share = seconds // LOAD_TURNS
            bare_turns.append(locust(["/healthz"], "", share, f"bare-{turn}"))
            page_turns.append(locust(paths, signed_in["key"], share, f"pages-{turn}"))
    bare, pages = _together(bare_turns), _together(page_turns)
    note = (
        f"{pages['rps']:.0f} vs bare {bare['rps']:.0f} req/s; {pages['requests']:,} requests, "
        f"{pages['failures']} failures; median {pages['median_ms']:.0f} ms; {', '.join(paths)}; "
        f"{LOAD_TURNS} turns of {seconds // LOAD_TURNS} s each"
    )
    passed = pages["rps"] >= Decimal("0.5") * bare["rps"] and pages["failures"] == 0
    ratio = pages["rps"] / bare["rps"] if bare["rps"] else Decimal(0)
    # Throughput is "higher is better": the ratio is pages / bare requests per second.
    row = (f"load: 20 users {seconds} s, gunicorn ×2", f"{pages['rps']:.0f} req/s", f"{ratio:.2f}",
           "≥ 0.5", ("pass " if passed else "FAIL ") + note, "—")  # fmt: skip
    table.rows.append(row)
    print("  " + " | ".join(row), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument(
        "--pages-only", action="store_true", help="re-measure pages and load on the last data"
    )
    options = parser.parse_args()
    if REDIS and not redis_answers():
        sys.exit(f"no Redis answers at {REDIS}: start one, or set BENCH_REDIS= to go without")
    print(f"shared cache: {REDIS or 'none (per-process memory)'}", flush=True)
    WORK.mkdir(parents=True, exist_ok=True)
    table = Table()
    t = 0.0
    if not options.pages_only:
        print("databases …", flush=True)
        t_before = fresh_database(BIG, 1_000_000)["seconds"]
        fresh_database(SMALL, 1_000)
        paths = files()
        t = measure_imports(table, paths, t_before)
        measure_close(table)
    measure_pages(table)
    measure_load(table, options.load_seconds)
    report = WORK / "latest.md"
    report.write_text(table.markdown() + "\n")
    print("\n" + table.markdown())
    print(f"\n(T = {t:.2f} s; table saved to {report.relative_to(ROOT)})")
    shutil.rmtree(WORK / "tmp", ignore_errors=True)


if __name__ == "__main__":
    main()
