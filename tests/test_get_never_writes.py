"""A GET changes no table: every URL of the project and the admin, as every role.

The URLs are read from the resolver, so a new one is walked without anyone listing it;
its path parameters are filled from real objects of the standard cast (a pattern that
cannot be filled fails the test). Each table is compared by its row count and a
checksum of its content, before and after every request. Sessions and django-axes'
access records are left out: signing in writes them by design, and the test signs in
before it looks.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django_tasks_db.models import DBTaskResult, get_date_max

from accounts.absences import absence_record
from accounts.models import Absence, Department
from api.models import IdempotentRequest
from api.tokens import api_token_create
from compensation import services
from compensation.models import BonusPeriod
from payments.models import (
    Client,
    ImportBatch,
    ImportStatus,
    ImportUpload,
    Invoice,
    Payment,
    Promise,
    UnmatchedPayment,
)
from tests.factories import Cast, ClientFactory, PaymentFactory
from tests.inbox_helpers import notice_for, question_of
from tests.test_workflow_helpers import approved_october

# Written on sign-in by design; the test signs in before the first snapshot.
UNWATCHED = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}
ROLES = ("anonymous", "staff", "head", "director", "accountant", "admin")
MONTHS = ("2026-10", "2026-11")  # approved; not started (no scheme, no period yet)


# --- the URLs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    path: str  # the whole route, e.g. "admin/payments/payment/<path:object_id>/change/"
    params: tuple[str, ...]


def _params(pattern: Any) -> tuple[str, ...]:
    if isinstance(pattern, RoutePattern):
        return tuple(re.findall(r"<(?:\w+:)?(\w+)>", str(pattern)))
    if isinstance(pattern, RegexPattern):
        return tuple(re.compile(str(pattern)).groupindex)
    raise AssertionError(f"unknown pattern type {type(pattern).__name__}")


def _walk(patterns: list[Any], prefix: str = "", params: tuple[str, ...] = ()) -> Iterator[Route]:
    for pattern in patterns:
        path = prefix + str(pattern.pattern)
        found = params + _params(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, path, found)
        elif isinstance(pattern, URLPattern):
            yield Route(path, found)


# --- filling the parameters from real objects ---------------------------------------------


def _first_pk(model: Any) -> list[str]:
    pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return [] if pk is None else [str(pk)]


def _admin_object(route: Route) -> list[str]:
    match = re.match(r"admin/(\w+)/(\w+)/", route.path)
    if match is None:
        return []
    return _first_pk(apps.get_model(match.group(1), match.group(2)))


@dataclass
class World:
    cast: Cast
    periods: list[int]
    payments: list[int]
    batches: list[int]
    unmatched: int
    token: str
    questions: list[int] = field(default_factory=list)
    notices: list[int] = field(default_factory=list)

    def rules(self) -> list[tuple[str, str, Callable[[Route], list[str]]]]:
        """(route pattern, parameter, values): the first rule that matches fills it."""
        department = ContentType.objects.get_for_model(Department)
        return [
            (r"^admin/r/", "content_type_id", lambda r: [str(department.pk)]),
            (r"^admin/r/", "object_id", lambda r: [str(self.cast.dept.pk)]),
            (r"^admin/auth/user/", "id", lambda r: _first_pk(apps.get_model("auth", "user"))),
            (r"^admin/", "object_id", _admin_object),
            (r"^admin/", "app_label", lambda r: _alternatives(r.path)),
            (r"^admin/", "url", lambda r: ["nowhere/"]),
            (r"", "department_id", lambda r: [str(self.cast.dept.pk), str(self.cast.other.pk)]),
            (r"", "month", lambda r: list(MONTHS)),
            (r"^payments/absences/", "pk", lambda r: _first_pk(Absence)),
            (r"^payments/clients/", "pk", lambda r: _first_pk(Client)),
            (r"^clients/", "client_id", lambda r: _first_pk(Client)),
            (r"^payments/batches/", "pk", lambda r: [str(pk) for pk in self.batches]),
            (r"^payments/unmatched/", "pk", lambda r: [str(self.unmatched)]),
            (r"^payments/", "pk", lambda r: [str(pk) for pk in self.payments]),
            (r"^payments/import/", "token", lambda r: [self.token]),
            (r"^(periods|payroll)/", "pk", lambda r: [str(pk) for pk in self.periods]),
            (r"^payroll/", "number", lambda r: ["1"]),
            (r"^payroll/", "layout", lambda r: ["standard", "zup"]),
            (r"^payroll/", "extension", lambda r: ["xlsx", "csv"]),
            (r"^questions/", "pk", lambda r: [str(pk) for pk in self.questions]),
            (r"^notices/", "pk", lambda r: [str(pk) for pk in self.notices]),
            (r"^periods/", "extension", lambda r: ["pdf", "zip"]),
            (r"^corrections/payments/", "pk", lambda r: [str(pk) for pk in self.payments]),
            (r"^api/v1/periods/", "period_id", lambda r: [str(pk) for pk in self.periods]),
        ]

    def urls(self, route: Route) -> list[str]:
        """Every URL of the route over its parameters' values; fails if one has none."""
        urls = [route.path]
        for param in route.params:
            values = next(
                (
                    fill(route)
                    for where, name, fill in self.rules()
                    if name == param and re.search(where, route.path)
                ),
                [],
            )
            assert values, f"{route.path}: nothing fills <{param}>; add a rule for it"
            urls = [_substitute(url, param, value) for url in urls for value in values]
        return ["/" + _unregex(url) for url in urls]


def _alternatives(path: str) -> list[str]:
    match = re.search(r"\(\?P<app_label>([^)]*)\)", path)
    return match.group(1).split("|") if match else []


def _substitute(url: str, param: str, value: str) -> str:
    # The regular expression's group first: its name is written like a route's parameter.
    url = re.sub(rf"\(\?P<{param}>(?:[^()]|\([^()]*\))*\)", lambda _m: value, url)
    return re.sub(rf"<(?:\w+:)?{param}>", lambda _m: value, url)


def _unregex(url: str) -> str:
    return url.replace("^", "").replace("$", "")


@pytest.fixture
def world(cast: Cast) -> World:
    approved = approved_october(cast)
    other = _other_closed_october(cast)
    batch = ImportBatch.objects.create(file_name="x.csv", sha256="0" * 64, format="csv")
    # A running import whose process has ended: its page must not record that.
    lost = ImportBatch.objects.create(
        file_name="lost.csv", sha256="1" * 64, format="csv", status=ImportStatus.RUNNING
    )
    unmatched = UnmatchedPayment.objects.create(
        batch=batch,
        amount=Decimal("10.00"),
        received_on=dt.date(2026, 11, 2),
        source="1c",
        source_ref="unmatched-1",
    )
    upload = ImportUpload.objects.create(
        token=uuid.uuid4(), created_by=cast.admin, requested_format="auto", size=0
    )
    _admin_rows(cast)
    _cockpit_rows(cast)
    absence_record(
        user=cast.admin,
        employee=cast.olya,
        kind="vacation",
        started_on=dt.date(2026, 11, 9),
        ended_on=dt.date(2026, 11, 13),
    )
    return World(
        cast=cast,
        periods=[approved.pk, other.pk],
        payments=[
            Payment.objects.filter(department=cast.dept).order_by("pk").first().pk,
            Payment.objects.filter(department=cast.other).order_by("pk").first().pk,
        ],
        batches=[batch.pk, lost.pk],
        unmatched=unmatched.pk,
        token=upload.token.hex,
        questions=[question_of(cast.masha.user, cast.dept).pk],
        notices=[notice_for(cast.masha.user, cast.dept).pk],
    )


def _other_closed_october(cast: Cast) -> BonusPeriod:
    services.scheme_create(
        user=cast.director.user,
        department=cast.other,
        month=dt.date(2026, 10, 1),
        plan="1000000.00",
        threshold="500000.00",
        rate="0.01",
        head_share="0.40",
        milestones=[(15, "0.50", "1/3")],
        reason="Other department's scheme",
    )
    PaymentFactory(
        client=ClientFactory(department=cast.other),
        amount=Decimal("800000.00"),
        received_on=dt.date(2026, 10, 10),
    )
    period = services.period_or_unsaved(department=cast.other, month=dt.date(2026, 10, 1))
    return services.period_close(
        user=cast.other_head.user, period=period, expected_version=period.version
    )


def _admin_rows(cast: Cast) -> None:
    """One row in each table the admin shows that the workflow above leaves empty."""
    seen = {"ip_address": "10.0.0.1", "user_agent": "test", "username": "nobody"}
    AccessAttempt.objects.create(failures_since_start=1, **seen)
    AccessLog.objects.create(**seen)
    AccessFailureLog.objects.create(**seen)
    # The HTTP API's records: an integration's token and an answer kept for its key.
    api_token_create(user=cast.admin, name="bank", scope="write", departments=[cast.dept])
    IdempotentRequest.objects.create(
        principal="user:1", key="k", endpoint="payments_bulk", request_hash="0" * 64,
        status=201, body={"new": 1},
    )  # fmt: skip
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {"event_id": 0, "language": "en"}},
        task_path="compensation.tasks.send_period_event_mail",
        backend_name="default",
        run_after=get_date_max(),  # "as soon as possible", as the backend stores it
        exception_class_path="",
        traceback="",
    )


def _cockpit_rows(cast: Cast) -> None:
    """An invoice and a promise for it: the cockpit's pages and their admin have rows."""
    client = Payment.objects.filter(department=cast.dept).order_by("pk").first().client
    invoice = Invoice.objects.create(
        client=client,
        month=dt.date(2026, 11, 1),
        number="W-1",
        issued_on=dt.date(2026, 11, 2),
        due_on=dt.date(2026, 11, 10),
        amount=Decimal("1000.00"),
    )
    Promise.objects.create(
        client=client,
        invoice=invoice,
        called_on=dt.date(2026, 11, 11),
        promised_on=dt.date(2026, 11, 20),
        amount=Decimal("500.00"),
        recorded_by=cast.masha.user,
    )


# --- the snapshot ------------------------------------------------------------------------


def _tables() -> list[str]:
    return sorted(set(connection.introspection.table_names()) - UNWATCHED)


def snapshot(tables: list[str]) -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of its rows, in one query."""
    quote = connection.ops.quote_name
    row = "SELECT %s, count(*), coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '')"
    # The names are the database's own tables, quoted.
    parts = [f"{row} FROM {quote(table)} t" for table in tables]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), tables)
        return {table: (count, digest) for table, count, digest in cursor.fetchall()}


def _changed(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    # Sorted: a UNION ALL's rows come in no promised order (PostgreSQL 18 may run its
    # parts in parallel).
    return sorted(table for table in before if before[table] != after.get(table))


# --- the walk ----------------------------------------------------------------------------


def _users(cast: Cast) -> dict[str, Any]:
    return {
        "anonymous": None,
        "staff": cast.masha.user,
        "head": cast.head.user,
        "director": cast.director.user,
        "accountant": cast.accountant.user,
        "admin": cast.admin,
    }


def test_the_snapshot_sees_a_changed_row_as_well_as_a_new_one(world: World) -> None:
    tables = _tables()
    before = snapshot(tables)
    Department.objects.filter(pk=world.cast.dept.pk).update(name="Renamed")
    renamed = snapshot(tables)
    ClientFactory(department=world.cast.dept)
    added = snapshot(tables)

    assert _changed(before, renamed) == ["accounts_department"]
    assert renamed["accounts_department"][0] == before["accounts_department"][0]
    assert _changed(renamed, added) == ["payments_client", "payments_historicalclient"]


def test_every_route_can_be_filled(world: World) -> None:
    routes = list(_walk(get_resolver().url_patterns))
    urls = [url for route in routes for url in world.urls(route)]
    # the project's own and the admin's, with their parameters filled
    assert len(routes) > 100
    assert f"/periods/{world.periods[0]}/" in urls
    assert f"/departments/{world.cast.dept.pk}/2026-11/scheme/" in urls
    assert not [url for url in urls if "<" in url or "(?P" in url]


@pytest.mark.parametrize("role", ROLES)
def test_no_get_writes_anything(world: World, role: str, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    http = HttpClient(raise_request_exception=False)
    user = _users(world.cast)[role]
    if user is not None:
        http.force_login(user)
    tables = _tables()
    urls = [url for route in _walk(get_resolver().url_patterns) for url in world.urls(route)]
    failures = []
    before = snapshot(tables)
    for url in urls:
        response = http.get(url)
        after = snapshot(tables)
        if response.status_code >= 500:
            failures.append(f"GET {url} as {role}: {response.status_code}")
        changed = _changed(before, after)
        if changed:
            failures.append(f"GET {url} as {role} wrote {', '.join(changed)}")
            before = after
    assert not failures, "\n".join(failures)
