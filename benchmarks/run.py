"""Measure every scale target against its anchor, in one run; print one table.

    make bench            # or: .venv/bin/python benchmarks/run.py [--quick]

Creates (drops first) the PostgreSQL databases ``<prefix>`` (1,000,000 payments) and
``<prefix>_small`` (1,000) on the server named by ``BENCH_PG`` (default
``postgres://postgres@127.0.0.1:5432``); the prefix is ``BENCH_DB_PREFIX`` (default
``teambonus_bench``). Every step runs in its own process (its peak memory is its own);
generated files are cached under ``var/bench/``. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import data, load  # noqa: E402
from benchmarks.steps import FLOOR_PAGES  # noqa: E402
from benchmarks.table import Table, ms, times  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PREFIX = os.environ.get("BENCH_DB_PREFIX", "teambonus_bench")
BIG, SMALL = PREFIX, f"{PREFIX}_small"
ANCHOR = f"{PREFIX}_anchor"  # T measured again after the imports, then dropped
SMALL_PAYMENTS = 1_000
WORK = ROOT / "var" / "bench"
PYTHON = sys.executable
BIN = Path(PYTHON).parent
MIB = 128
PAGE_REPEAT = 25  # requests a page is timed over (median), after a first one
PAGE_TURNS = 3  # times each data set's pages are measured, the two in turns
DRIFT = 0.2  # T's two measurements further apart than this share of T: said above the table


@dataclass(frozen=True)
class Scale:
    """How much data and time a run uses; ``QUICK`` is for development, not the targets."""

    payments: int  # the seeded year, and T's COPY
    csv_rows: int
    statement_documents: int
    close_payments: int  # more payments in each closed month
    load_seconds: int
    single_user_seconds: int
    capacity_step_seconds: int
    quick: bool


FULL = Scale(1_000_000, 1_000_000, 100_000, 100_000, 60, 90, 20, quick=False)
QUICK = Scale(100_000, 100_000, 10_000, 10_000, 15, 20, 8, quick=True)


def env_for(db: str, *, debug: bool = False) -> dict[str, str]:
    """The app's settings for one database, with no cache of any kind.

    ``REDIS_URL`` is never passed on, so nothing is shared between processes, and a page
    cache, where the settings have one, is off: every request does all of its work.
    """
    inherited = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    return {
        **inherited,
        "DATABASE_URL": f"{PG}/{db}",
        "DEBUG": "1" if debug else "0",
        "SECRET_KEY": "benchmark-only-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
    }


def step(db: str, *args: str, debug: bool = False) -> dict[str, Any]:
    """Run one step of ``benchmarks/steps.py`` in a fresh process; its RESULT line."""
    command = [PYTHON, str(ROOT / "benchmarks" / "steps.py"), *args]
    done = subprocess.run(
        command, env=env_for(db, debug=debug), cwd=ROOT, capture_output=True, text=True
    )
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
    copied = step(db, "raw-copy", str(copy_file))
    step(db, "invoices", str(copy_file) + ".clients", str(data.invoice_count(payments)))
    return copied


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
            "payments_clientmonthcollection",
        ):
            connection.execute(f"VACUUM ANALYZE {table}")
        connection.execute("ANALYZE")
        with contextlib.suppress(psycopg.errors.InsufficientPrivilege):
            connection.execute("CHECKPOINT")


def files(scale: Scale) -> dict[str, Path]:
    WORK.mkdir(parents=True, exist_ok=True)
    made = {
        "csv": (WORK / f"payments-{scale.csv_rows}-{data.SEED}.csv", data.write_csv),
        "1c": (WORK / f"statement-{scale.statement_documents}-{data.SEED}.txt", data.write_onec),
    }
    rows = {"csv": scale.csv_rows, "1c": scale.statement_documents}
    for fmt, (path, write) in made.items():
        if not path.exists():
            print(f"  generating {path.name} …", flush=True)
            write(path, rows[fmt])
    return {fmt: path for fmt, (path, _write) in made.items()}


def count(number: int) -> str:
    return f"{number:,}"


# --- imports ----------------------------------------------------------------------------


def t_share(rows: int, scale: Scale) -> tuple[float, str]:
    """The import's anchor as a share of T, by rows, and its name (T, T/10, …)."""
    share = rows / scale.payments
    return share, "T" if share == 1 else f"T/{round(1 / share)}"


def measure_imports(table: Table, scale: Scale, paths: dict[str, Path], t_before: float) -> None:
    """The imports and re-imports, against T measured on both sides of them.

    T is one COPY of a minute or less, and the imports take minutes: on a machine whose
    speed drifts within minutes, a T measured only before them can fall in a fast spell
    and the imports in a slow one. So T is measured again, the same COPY into a fresh
    database, once the imports are done, and the imports are compared with the mean.
    The statement comes first, into the year of payments T wrote; the CSV, a second
    year in one file, after it.
    """
    results = {}
    for run, fmt in (("1c", "1c"), ("1c again", "1c"), ("csv", "csv"), ("csv again", "csv")):
        settle(BIG)
        results[run] = step(BIG, "import", str(paths[fmt]), fmt)
        print(f"  import {run}: {results[run]['seconds']:.2f} s", flush=True)
    settle(BIG)
    t_after = fresh_database(ANCHOR, scale.payments)["seconds"]
    psql(f'DROP DATABASE IF EXISTS "{ANCHOR}" WITH (FORCE)')
    for leftover in (f"{ANCHOR}.copy", f"{ANCHOR}.copy.clients"):
        (WORK / leftover).unlink(missing_ok=True)
    t = (t_before + t_after) / 2
    line = (
        f"T = {t:.2f} s: psycopg's COPY of the seeded {count(scale.payments)} payments into "
        f"the real, indexed table; the mean of {t_before:.2f} s before the imports and "
        f"{t_after:.2f} s after them"
    )
    if abs(t_after - t_before) / t > DRIFT:
        line += f" (the machine drifted by {abs(t_after - t_before) / t:.0%} meanwhile)"
    table.note(line)
    rows = {"csv": scale.csv_rows, "1c": scale.statement_documents}
    names = {
        "csv": f"import {count(scale.csv_rows)}-row CSV",
        "1c": f"import {count(scale.statement_documents)}-document 1C statement",
    }
    for fmt in ("csv", "1c"):
        share, anchor = t_share(rows[fmt], scale)
        _import_row(table, names[fmt], results[fmt], t * share, anchor)
    for fmt in ("csv", "1c"):
        share, anchor = t_share(rows[fmt], scale)
        _reimport_row(table, "re-" + names[fmt], results[f"{fmt} again"], t * share, anchor)


def _counts(result: dict[str, Any]) -> str:
    text = (
        f"{result['seconds']:.2f} s; new {count(result['new'])}, duplicate "
        f"{count(result['duplicate'])}, unmatched {count(result['unmatched'])}"
    )
    return text + (f"; errors {result['errors']}" if result["errors"] else "")


def _import_row(
    table: Table, name: str, result: dict[str, Any], anchor: float, anchor_name: str
) -> None:
    ratio, peak = result["seconds"] / anchor, result["peak_mib"]
    aim = "aim 1.5 met" if ratio <= 1.5 else "aim 1.5 not met"
    table.add(
        name, f"{ratio:.2f} {anchor_name}, {peak:.0f} MiB", f"≤ 2 {anchor_name}, ≤ {MIB} MiB",
        ratio <= 2 and peak <= MIB and not result["errors"], f"{_counts(result)}; {aim}",
    )  # fmt: skip


def _reimport_row(
    table: Table, name: str, result: dict[str, Any], anchor: float, anchor_name: str
) -> None:
    ratio, added = result["seconds"] / anchor, result["added"]
    table.add(
        name, f"{ratio:.2f} {anchor_name}, {count(added)} added", f"≤ 1 {anchor_name}, 0 added",
        ratio <= 1 and added == 0, f"{_counts(result)}; {result['peak_mib']:.0f} MiB",
    )  # fmt: skip


# --- close, submit, approve ---------------------------------------------------------------


def measure_close(table: Table, scale: Scale) -> None:
    """Close, submit, approve; the small data set's months are closed (untimed) too, for
    the payroll export page, which reads the last of them."""
    settle(SMALL)
    step(SMALL, "close", "0")
    settle(BIG)
    result = step(BIG, "close", str(scale.close_payments))
    table.note(
        f"raw aggregate = {ms(result['anchor'])}: the month's count and sum of payments in "
        f"SQL (≥ {count(result['month_payments'])} payments); close, submit, approve and "
        f"it are medians over {result['months']} months"
    )
    for name in ("close", "submit", "approve"):
        ratio = result[name] / result["anchor"]
        table.add(
            f"period {name} of a month of {count(result['month_payments'])} payments vs its "
            "raw aggregate",
            f"{times(ratio)} ({ms(result[name])})", "≤ 2×", ratio <= 2,
            f"{result[name + '_queries']} queries",
        )  # fmt: skip


# --- pages ------------------------------------------------------------------------------


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


def _floor(pages: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    measured = {name: pages[name] for name in FLOOR_PAGES if "seconds" in pages.get(name, {})}
    if not measured:
        raise RuntimeError(f"no floor request answered: {[pages.get(n) for n in FLOOR_PAGES]}")
    name = min(measured, key=lambda n: measured[n]["seconds"])
    return name, measured[name]


def measure_invoice_dry_run(table: Table, scale: Scale) -> None:
    """The invoice import's dry run of one month's invoices (a twelfth of the year's),
    the same file at the large data set and at 1,000 payments."""
    rows = data.invoice_count(scale.payments) // data.MONTHS
    path = WORK / f"invoices-{rows}-{data.SEED}.csv"
    if not path.exists():
        data.write_invoices_csv(path, rows)
    big, small = (step(db, "invoice-dry-run", str(path)) for db in (BIG, SMALL))
    ratio = big["seconds"] / small["seconds"]
    table.add(
        f"invoice import dry run, {count(rows)} rows, at {count(scale.payments)} vs at "
        f"{count(SMALL_PAYMENTS)} payments",
        f"{times(ratio)}; {big['queries']} vs {small['queries']} queries",
        "≤ 1.5×, fixed query count", ratio <= 1.5 and big["queries"] == small["queries"],
        f"{ms(big['seconds'])} vs {ms(small['seconds'])}; {big['peak_mib']} MiB; "
        f"new {big['new']}, errors {big['errors']}",
    )  # fmt: skip


def measure_pages(table: Table, scale: Scale) -> None:
    """Each page at the large data set against the same at 1,000 payments, and against
    the floor plus its own SQL.

    The two data sets in turns, each a few times: their ratio then does not hang on the
    machine's speed at two different moments. Each figure is the median of turns.
    """
    for db in (SMALL, BIG):
        settle(db)
    turns: dict[str, list[dict[str, Any]]] = {SMALL: [], BIG: []}
    for _ in range(PAGE_TURNS):
        for db in (SMALL, BIG):
            turns[db].append(step(db, "pages", str(PAGE_REPEAT))["pages"])
    page_rows(table, scale, _median_pages(turns[SMALL]), _median_pages(turns[BIG]))


def page_rows(table: Table, scale: Scale, small: dict[str, Any], big: dict[str, Any]) -> None:
    """The pages' rows, from each data set's figures (the floor taken from the large one)."""
    floor_name, floor = _floor(big)
    table.note(
        f"floor = {ms(floor['seconds'])}: the lightest signed-in request, {floor['url']} "
        f"({floor_name}: session, user, roles, a redirect; {floor['queries']} queries), "
        f"median at {count(scale.payments)} payments"
    )
    large = f"{count(scale.payments)}"
    for name, figures in big.items():
        if name in FLOOR_PAGES:
            continue
        if "seconds" not in figures:
            table.add(f"page {name}", "not measurable", "—", None, json.dumps(figures))
            continue
        before = small[name]
        ratio = figures["seconds"] / before["seconds"]
        same = figures["queries"] == before["queries"]
        table.add(
            f"page {name} at {large} vs at {count(SMALL_PAYMENTS)} payments",
            f"{times(ratio)}; {figures['queries']} vs {before['queries']} queries",
            "≤ 1.5×, fixed query count", ratio <= 1.5 and same,
            f"{ms(figures['seconds'])} vs {ms(before['seconds'])}; {figures['url']}",
        )  # fmt: skip
    for name, figures in big.items():
        if name in FLOOR_PAGES or "seconds" not in figures:
            continue
        ratio = figures["seconds"] / (floor["seconds"] + figures["sql_seconds"])
        table.add(
            f"page {name} vs (floor + its own SQL)", times(ratio), "≤ 1.5×", ratio <= 1.5,
            f"{ms(figures['seconds'])} vs {ms(floor['seconds'])} + {ms(figures['sql_seconds'])}",
        )  # fmt: skip


# --- load -------------------------------------------------------------------------------


def measure_load(table: Table, scale: Scale) -> None:
    if not (BIN / "locust").exists():
        table.add("load", "not measured", "—", False, "locust not installed: pip install -e .[dev]")
        return
    signed_in = step(BIG, "session")
    paths = list(signed_in["paths"].values())
    if not paths:
        table.add("load", "not measured", "—", False, "no load page resolves")
        return
    cookie = signed_in["cookie"]
    with load.gunicorn(env_for(BIG), BIN) as base:
        load.warm_up(paths, cookie, signed_in["key"])
        users = load.Locust(base, paths, cookie, signed_in["key"], BIN, WORK)
        single = users.run(1, scale.single_user_seconds)
        print(f"  1 user: median {single.median_ms:.0f} ms of {single.requests}", flush=True)
        crowd = users.run(load.USERS, scale.load_seconds)
        climb = [crowd]
        while climb[-1].holds(single.median_ms) and climb[-1].users < load.CAPACITY_MAX:
            climb.append(
                users.run(climb[-1].users + load.CAPACITY_STEP, scale.capacity_step_seconds)
            )
            print(f"  {climb[-1].users} users: p95 {climb[-1].p95_ms:.0f} ms", flush=True)
    _load_rows(table, scale, paths, single, crowd, climb)


def _load_rows(
    table: Table, scale: Scale, paths: list[str], single: load.Run, crowd: load.Run,
    climb: list[load.Run],
) -> None:  # fmt: skip
    table.note(
        f"single-user median = {single.median_ms:.0f} ms: 1 user, 1–2 s think time, "
        f"{scale.single_user_seconds} s, {single.requests} requests of {', '.join(paths)}"
    )
    ratio = crowd.p95_ms / single.median_ms
    table.add(
        f"load: {crowd.users} users, 1–2 s think time, {scale.load_seconds} s, gunicorn ×2, "
        "no caches",
        f"{crowd.failures} errors; p95 {crowd.p95_ms:.0f} ms = {times(ratio)} single-user "
        "median",
        "0 errors; p95 ≤ 3×", crowd.failures == 0 and ratio <= load.P95_LIMIT,
        f"{count(crowd.requests)} requests, {crowd.rps:.1f} req/s, median {crowd.median_ms:.0f} ms",
    )  # fmt: skip
    held = load.capacity(climb, single.median_ms)
    steps = ", ".join(
        f"{run.users}: {run.p95_ms:.0f} ms" + (f" ({run.failures} errors)" if run.failures else "")
        for run in climb
    )
    missed = [run.users for run in climb if not run.holds(single.median_ms)]
    top = f"; passes 3× at {min(missed)}" if missed else ""
    table.add(
        "load: users held before p95 passes 3× the single-user median",
        f"{held} users{top}", "reported", None,
        f"p95 by users ({scale.capacity_step_seconds} s each after the first): {steps}",
    )  # fmt: skip


# --- the run ----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true",
        help="100,000 payments and a 15 s load: for development, not the targets",
    )  # fmt: skip
    parser.add_argument(
        "--pages-only", action="store_true", help="re-measure pages and load on the last data"
    )
    parser.add_argument(
        "--cockpit-only", action="store_true",
        help="fresh data, then the pages and the invoice dry run only (no imports, close, load)",
    )  # fmt: skip
    options = parser.parse_args()
    scale = QUICK if options.quick else FULL
    title = f"Benchmark at {count(scale.payments)} payments"
    if scale.quick:
        title = f"QUICK RUN at {count(scale.payments)} payments: NOT the real targets"
    table = Table(title)
    print(title, flush=True)
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    if not options.pages_only:
        print("databases …", flush=True)
        t_before = fresh_database(BIG, scale.payments)["seconds"]
        fresh_database(SMALL, SMALL_PAYMENTS)
        if not options.cockpit_only:
            measure_imports(table, scale, files(scale), t_before)
            measure_close(table, scale)
    measure_pages(table, scale)
    measure_invoice_dry_run(table, scale)
    if options.cockpit_only:
        report = WORK / "latest-cockpit.md"
        report.write_text(table.markdown() + "\n")
        print("\n" + table.markdown())
        return
    measure_load(table, scale)
    table.note(f"the whole run took {(time.monotonic() - started) / 60:.1f} min")
    report = WORK / ("latest-quick.md" if scale.quick else "latest.md")
    report.write_text(table.markdown() + "\n")
    print("\n" + table.markdown())
    print(f"\n(table saved to {report.relative_to(ROOT)})")
    shutil.rmtree(WORK / "tmp", ignore_errors=True)


if __name__ == "__main__":
    main()
