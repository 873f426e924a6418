"""The measurements, each run in its own process by ``benchmarks/run.py``.

Every step prints one ``RESULT {json}`` line; the process's peak resident memory is
part of it, so each import's memory is its own.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DASHBOARD_MONTH = dt.date(2026, 10, 1)
# Each month is closed once, so a figure of one would hang on one moment of the machine:
# three months are closed, each holding as many payments, and each figure is the median.
# The payroll export page reads the last of them.
CLOSE_MONTHS = (dt.date(2026, 7, 1), dt.date(2026, 8, 1), dt.date(2026, 9, 1))
CLOSE_MONTH = CLOSE_MONTHS[-1]
WARM_UP_MONTH = dt.date(2026, 6, 1)
# The lightest signed-in requests there are (session, user, roles, a redirect, no
# template): the fastest of them is the floor, what any page pays beyond its own SQL.
FLOOR_PAGES = ("my_bonus", "dashboard")
# The pages the load test reads, by URL name, as the head of the demo department.
LOAD_PAGES = ("department_dashboard", "my_bonus_month")
LOAD_USER = "head"
# The pages are read as on a day of the dashboard's month while it runs: after the day
# calls start, before its last gate, so the forecast, the call list and the what-if do
# all their work (on a day after the month they have nothing to forecast).
PAGES_TODAY = dt.date(2026, 10, 20)
# Pages read with a query: the what-if's amount and day.
PAGE_QUERIES = {"what_if": "?amount=1000000.00&by=2026-10-25"}


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _peak_mib() -> float:
    """This process's peak resident memory.

    ``VmHWM`` belongs to the address space the process runs now. ``ru_maxrss`` does not
    restart at ``exec``: it keeps the parent's size at the fork, so a step started by a
    large parent would report the parent's memory.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _emit(**values: Any) -> None:
    peak = _peak_mib()
    print("RESULT " + json.dumps({**values, "peak_mib": round(peak, 1)}, default=str))


def _median_seconds(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# --- seeding ----------------------------------------------------------------------------


def seed(copy_file: str) -> None:
    """Demo department, 19 more, 10,000 clients; then the timed raw COPY of the payments."""
    _django()
    from django.core.management import call_command

    # Without the demo's year of history: the close step closes past months itself.
    call_command("load_demo", "--without-history", verbosity=0)
    clients = _seed_clients()
    Path(copy_file + ".clients").write_text(json.dumps(clients))
    _emit(step="seed", clients=len(clients))


def _seed_clients() -> list[tuple[int, int, int | None]]:
    from accounts.management import demo_data as demo
    from accounts.models import Department, Employee, Role
    from benchmarks import data
    from payments.models import Client

    demo_department = Department.objects.get(name=demo.DEPARTMENT)
    others = [Department(name=f"Отдел {n:02d}") for n in range(1, data.DEPARTMENTS)]
    departments = [demo_department, *Department.objects.bulk_create(others)]
    staff = list(
        Employee.objects.filter(
            personnel_number__in=[p.personnel_number for p in demo.PEOPLE if p.role == Role.STAFF]
        )
    )
    rows = [
        Client(
            name=f"ООО Клиент {n:05d}",
            inn=data.inn(n),
            department=departments[n % data.DEPARTMENTS],
            responsible=staff[n % len(staff)] if n % data.DEPARTMENTS == 0 else None,
        )
        for n in range(data.CLIENTS)
    ]
    created = Client.objects.bulk_create(rows, batch_size=2000)
    return [(c.pk, c.department_id, c.responsible_id) for c in created]


def raw_copy(copy_file: str) -> None:
    """T: the payments file straight into the real, indexed table with psycopg's COPY."""
    _django()
    from django.db import connection, transaction

    from benchmarks.data import PAYMENT_COPY_COLUMNS

    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        sql = f"COPY payments_payment ({PAYMENT_COPY_COLUMNS}) FROM STDIN"
        with cursor.copy(sql) as copy, open(copy_file, "rb") as source:
            for block in iter(lambda: source.read(1024 * 1024), b""):
                copy.write(block)
    seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE payments_payment")
    _emit(step="raw_copy", seconds=seconds)


def invoices(clients_file: str, count: str) -> None:
    """The year's invoices (120,000 at 1,000,000 payments) and the dashboard month's
    promises, COPYed in (untimed: they are the pages' data, not a measurement)."""
    _django()
    from django.db import connection, transaction

    from benchmarks import data

    clients = [tuple(row) for row in json.loads(Path(clients_file).read_text())]
    recorded_by = _user("accountant").pk
    lines = {
        data.INVOICE_COPY_COLUMNS: ("payments_invoice", data.invoice_copy_lines(
            int(count), clients, recorded_by=recorded_by)),
        data.PROMISE_COPY_COLUMNS: ("payments_promise", data.promise_copy_lines(
            int(count), clients, month=DASHBOARD_MONTH, recorded_by=recorded_by)),
    }  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        for columns, (table, rows) in lines.items():
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for line in rows:
                    copy.write(line)
        cursor.execute("SELECT count(*) FROM payments_invoice")
        stored = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM payments_promise")
        promises = cursor.fetchone()[0]
        cursor.execute("ANALYZE payments_invoice")
        cursor.execute("ANALYZE payments_promise")
    _emit(step="invoices", invoices=stored, promises=promises)


def invoice_dry_run(path: str) -> None:
    """The invoice import's dry run of a month's file: its time and queries (the same
    file at both data sets), and its peak memory."""
    _django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.policy import SYSTEM
    from payments.cockpit.invoices import invoices_import

    def run() -> Any:
        with open(path, "rb") as stream:
            return invoices_import(
                user=SYSTEM, data=stream, fmt="csv", dry_run=True, file_name=Path(path).name
            )

    run()  # warm, as a server is
    with CaptureQueriesContext(connection) as captured:
        result = run()
    seconds = _median_seconds(run, 5)
    _emit(
        step="invoice_dry_run",
        seconds=seconds,
        queries=len(captured.captured_queries),
        new=result.new,
        errors=[str(e) for e in result.errors[:3]],
    )


# --- imports ----------------------------------------------------------------------------


def import_file(path: str, fmt: str) -> None:
    _django()
    from accounts.policy import SYSTEM
    from payments.importing import payments_import

    before = _stored_rows()
    start = time.perf_counter()
    with open(path, "rb") as stream:
        result = payments_import(user=SYSTEM, file_name=Path(path).name, data=stream, fmt=fmt)
    seconds = time.perf_counter() - start
    _emit(
        step="import",
        seconds=seconds,
        added=_stored_rows() - before,
        new=result.new,
        duplicate=result.duplicate,
        unmatched=result.unmatched,
        errors=[str(e) for e in result.errors[:3]],
    )


def _stored_rows() -> int:
    """Payments and unmatched payments stored: counted, not taken from the import's report."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM payments_payment)"
            " + (SELECT count(*) FROM payments_unmatchedpayment)"
        )
        return int(cursor.fetchone()[0])


# --- period close and approval ----------------------------------------------------------


def close(extra_payments: int) -> None:
    """Close, propose and approve months holding ``extra_payments`` more payments each.

    Each step's time is the median over ``CLOSE_MONTHS``, and so is its anchor, the
    month's raw SQL aggregate.
    """
    _django()
    department, people = _close_setup(extra_payments)
    # Untimed: the month before goes through the same steps first, so the process is
    # warm as a server's is (the pages are likewise timed after a first request).
    _close_run(department, people, WARM_UP_MONTH)
    runs = []
    for month in CLOSE_MONTHS:
        anchor, payments = _month_aggregate(department.pk, month)
        runs.append({"anchor": anchor, "month_payments": payments})
        runs[-1].update(_close_run(department, people, month))
    figures: dict[str, Any] = {
        "months": len(runs),
        "month_payments": min(run["month_payments"] for run in runs),
        "anchor": statistics.median(run["anchor"] for run in runs),
        "period_id": runs[-1]["period_id"],
    }
    for name in ("close", "submit", "approve"):
        figures[name] = statistics.median(run[name] for run in runs)
        figures[f"{name}_queries"] = max(run[f"{name}_queries"] for run in runs)
    _emit(step="close", **figures)


def _close_setup(extra_payments: int) -> tuple[Any, dict[str, Any]]:
    from django.db import connection, transaction

    from accounts.management import demo_data as demo
    from accounts.models import Department
    from benchmarks import data
    from compensation.models import MonthlyScheme

    department = Department.objects.get(name=demo.DEPARTMENT)
    for month in (WARM_UP_MONTH, *CLOSE_MONTHS):
        scheme = MonthlyScheme.objects.get(department=department, month=DASHBOARD_MONTH)
        milestones = list(scheme.milestones.all())
        scheme.pk, scheme.month = None, month
        scheme.save()
        for milestone in milestones:
            milestone.pk, milestone.scheme = None, scheme
            milestone.save()
    clients = list(department.clients.values_list("pk", "department_id", "responsible_id"))
    with transaction.atomic(), connection.cursor() as cursor:
        sql = f"COPY payments_payment ({data.PAYMENT_COPY_COLUMNS}) FROM STDIN"
        with cursor.copy(sql) as copy:
            for number, month in enumerate(CLOSE_MONTHS):
                for line in data.payment_copy_lines(
                    extra_payments, clients, prefix=f"close-{month:%Y-%m}",
                    seed=data.SEED + 9 + number, first_day=month, days=30,
                ):  # fmt: skip
                    copy.write(line)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE payments_payment")
    people = {name: _user(name) for name in ("head", "director")}
    return department, people


def _month_aggregate(department_id: int, month: dt.date) -> tuple[float, int]:
    """The month's raw SQL aggregate: its median time, and how many payments it counts."""
    from django.db import connection

    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    counted = []

    def aggregate() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), sum(amount) FROM payments_payment WHERE department_id = %s "
                "AND received_on BETWEEN %s AND %s AND voided_at IS NULL",
                [department_id, month, last],
            )
            counted.append(cursor.fetchone()[0])

    aggregate()
    return _median_seconds(aggregate, 7), counted[0]


def _close_run(department: Any, people: dict[str, Any], month: dt.date) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from compensation.services import closing, proposals, review

    period = closing.period_open(department=department, month=month)
    steps = {
        "close": lambda p: closing.period_close(
            user=people["head"], period=p, expected_version=p.version
        ),
        "submit": lambda p: proposals.proposal_submit(
            user=people["head"], period=p, expected_version=p.version
        ),
        "approve": lambda p: review.period_approve(
            user=people["director"], period=p, expected_version=p.version
        ),
    }
    timings: dict[str, Any] = {"period_id": period.pk}
    for name, step in steps.items():
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            period = step(period)
            timings[name] = time.perf_counter() - start
        timings[f"{name}_queries"] = len(captured.captured_queries)
    return timings


# --- pages ------------------------------------------------------------------------------


def pages(repeat: int) -> None:
    """Each page that exists, as its user sees it: median time, queries, and its own SQL.

    The floor candidates are measured the same way; they answer with a redirect.
    """
    _django()
    from django.test import Client
    from django.urls import NoReverseMatch
    from django.utils import timezone

    timezone.localdate = lambda *args, **kwargs: PAGES_TODAY  # type: ignore[assignment]
    figures = {}
    for name, (url_args, username) in _page_targets().items():
        try:
            url = _reverse(name, url_args) + PAGE_QUERIES.get(name, "")
        except NoReverseMatch:
            figures[name] = {"missing": True}
            continue
        http = Client()
        http.force_login(_user(username))
        fetch = http.post if name in POST_PAGES else http.get
        figures[name] = _measure_page(
            fetch, url, repeat, status=302 if name in FLOOR_PAGES else 200
        )
    _emit(step="pages", pages=figures)


def _reverse(name: str, url_args: Callable[[], list[Any]] | None) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=url_args() if url_args else [])
    except NoReverseMatch:
        raise
    except Exception as error:  # a page still being written: report it as not measurable
        raise NoReverseMatch(str(error)) from error


# Downloads are posted: each records who exported what, so no GET may do it.
POST_PAGES = frozenset({"payroll_export"})


def _page_targets() -> dict[str, tuple[Callable[[], list[Any]] | None, str]]:
    def dashboard() -> list[Any]:
        return [_demo_department().pk, DASHBOARD_MONTH]

    def payroll() -> list[Any]:
        from compensation.exports import LAYOUTS
        from compensation.models import BonusPeriod

        period = BonusPeriod.objects.get(department=_demo_department(), month=CLOSE_MONTH)
        number = period.revisions.order_by("-number").values_list("number", flat=True)[0]
        return [period.pk, number, next(iter(LAYOUTS)), "csv"]

    def closed_period() -> list[Any]:
        from compensation.models import BonusPeriod

        return [BonusPeriod.objects.get(department=_demo_department(), month=CLOSE_MONTH).pk]

    def promised_client() -> list[Any]:
        from payments.models import Promise

        promise = Promise.objects.filter(client__department=_demo_department()).order_by("pk")
        return [promise.values_list("client_id", flat=True)[0]]

    return {
        # The HTTP API's reads, signed in by session as the pages are.
        "api:collections": (dashboard, "head"),
        "api:periods": (None, "accountant"),
        "api:period": (closed_period, "accountant"),
        "api:statement": (lambda: [DASHBOARD_MONTH], "masha"),
        "department_dashboard": (dashboard, "head"),
        # The collections cockpit.
        "cockpit_outstanding": (dashboard, "head"),
        "cockpit_calls": (dashboard, "head"),
        "what_if": (dashboard, "head"),
        "promise_history": (promised_client, "head"),
        "my_bonus_month": (lambda: [DASHBOARD_MONTH], "masha"),
        "payroll_export": (payroll, "accountant"),
        "payment_list": (None, "accountant"),
        "home": (None, "head"),
        "my_bonus": (None, "masha"),
        "dashboard": (None, "head"),
        # the director's year of plans and the replay of the latest scheme on the past
        "year_plans": (dashboard, "director"),
        "scheme_replay": (lambda: [_demo_department().pk], "director"),
        # the director's company views, a department's year, one's own year
        "director_departments": (lambda: [DASHBOARD_MONTH], "director"),
        "cash_gap": (lambda: [DASHBOARD_MONTH], "director"),
        "department_year": (lambda: [_demo_department().pk], "head"),
        "my_year": (None, "masha"),
    }


def _demo_department() -> Any:
    from accounts.management import demo_data as demo
    from accounts.models import Department

    return Department.objects.get(name=demo.DEPARTMENT)


def _user(username: str) -> Any:
    from django.contrib.auth.models import User

    return User.objects.get(username=username)


def _measure_page(
    fetch: Callable[[str], Any], url: str, repeat: int, status: int = 200
) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = fetch(url)
    if response.status_code != status:
        return {"url": url, "status": response.status_code}
    with CaptureQueriesContext(connection) as captured:
        fetch(url)
    statements = [_replayable(q["sql"]) for q in captured.captured_queries]
    statements = [sql for sql in statements if sql]

    def own_sql() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql.replace("%", "%%"))
                if cursor.description:
                    cursor.fetchall()

    # Page and SQL in turn, so that a slow moment of the machine slows both alike.
    page_times, sql_times = [], []
    for _ in range(repeat):
        page_times.append(_median_seconds(lambda: fetch(url), 1))
        sql_times.append(_median_seconds(own_sql, 1))
    return {
        "url": url,
        "seconds": statistics.median(page_times),
        "queries": len(statements),
        "sql_seconds": statistics.median(sql_times),
    }


def _replayable(sql: str) -> str:
    """The query itself: a server-side cursor's DECLARE … FOR query, without FETCH/CLOSE."""
    if sql.startswith(("FETCH ", "CLOSE ")):
        return ""
    if sql.startswith("DECLARE "):
        return sql.split(" FOR ", 1)[1]
    return sql


def session() -> None:
    """A signed-in session for the load test: its cookie's value, and the pages' paths.

    Signed in as a browser would be, through Django's own login, so the session names
    whichever sign-in backend the settings list.
    """
    _django()
    from django.conf import settings
    from django.test import Client

    http = Client()
    http.force_login(_user(LOAD_USER))
    paths = {}
    targets = _page_targets()
    for name in LOAD_PAGES:
        try:
            paths[name] = _reverse(name, targets[name][0])
        except Exception:  # noqa: S112 - a page not written yet is left out
            continue
    cookie = settings.SESSION_COOKIE_NAME
    _emit(step="session", cookie=cookie, key=http.cookies[cookie].value, paths=paths)


STEPS: dict[str, Callable[..., None]] = {
    "seed": seed,
    "raw-copy": raw_copy,
    "invoices": invoices,
    "invoice-dry-run": invoice_dry_run,
    "import": import_file,
    "close": lambda extra: close(int(extra)),
    "pages": lambda repeat: pages(int(repeat)),
    "session": session,
}

if __name__ == "__main__":
    STEPS[sys.argv[1]](*sys.argv[2:])
