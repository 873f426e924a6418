# ruff: noqa: E501
# (the expected-status table reads best one URL a line)
"""Every URL × every role × own/other object → the expected status.

The table below must name every URL of the project (the admin site aside, which Django
guards by its own staff check and is sampled at the end). A new URL without an entry
fails ``test_every_url_has_an_entry``, so no page can be added unguarded.

Statuses are written ``own/other``: the first with the role's own department's object
(or the only status, for URLs without an object), the second with another department's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.absences import absence_record
from compensation import services
from payments.models import ImportBatch, Payment, UnmatchedPayment
from tests.factories import Cast, ClientFactory, PaymentFactory
from tests.inbox_helpers import notice_for, question_of
from tests.test_workflow_helpers import approved_october

ROLES = ("anonymous", "staff", "head", "other_head", "director", "accountant", "admin")


@dataclass(frozen=True)
class Row:
    """How to call a URL, and the status each role gets with its own and another's object."""

    method: str
    kind: str  # which object the URL takes: none, department, period, payment, export, ...
    expected: dict[str, str]


def row(method: str, kind: str, *statuses: str) -> Row:
    assert len(statuses) == len(ROLES)
    return Row(method, kind, dict(zip(ROLES, statuses, strict=True)))


#                                   anonymous  staff      head       other_head director   accountant admin
TABLE: dict[str, Row] = {
    "home":                 row("GET", "none", "302", "200", "200", "200", "200", "200", "200"),
    "healthz":              row("GET", "none", "200", "200", "200", "200", "200", "200", "200"),
    "set_language":         row("POST", "none", "302", "302", "302", "302", "302", "302", "302"),
    "login":                row("GET", "none", "200", "200", "200", "200", "200", "200", "200"),
    "logout":               row("GET", "none", "405", "405", "405", "405", "405", "405", "405"),
    "password_change":      row("GET", "none", "302", "200", "200", "200", "200", "200", "200"),
    "password_change_done": row("GET", "none", "302", "200", "200", "200", "200", "200", "200"),
    # payments
    "payment_list":         row("GET", "none", "302", "200", "200", "200", "200", "200", "200"),
    "payment_create":       row("GET", "none", "302", "403", "403", "403", "403", "200", "200"),
    "payment_void":         row("GET", "payment", "302/302", "403/404", "403/404", "403/404", "403/403", "200/200", "200/200"),
    "import_upload":        row("GET", "none", "302", "403", "403", "403", "403", "200", "200"),
    "import_preview":       row("GET", "token", "302", "403", "403", "403", "403", "404", "404"),
    "import_confirm":       row("POST", "token", "302", "403", "403", "403", "403", "404", "404"),
    "import_batch":         row("GET", "batch", "302", "403", "403", "403", "403", "200", "200"),
    "import_batch_retry":   row("POST", "batch", "302", "403", "403", "403", "403", "302", "302"),
    "unmatched_list":       row("GET", "none", "302", "403", "403", "403", "403", "200", "200"),
    "unmatched_assign":     row("POST", "unmatched", "302", "403", "403", "403", "403", "302", "302"),
    # absences and hand-overs
    "absence_list":         row("GET", "none", "302", "403", "200", "200", "403", "403", "200"),
    "absence_import":       row("POST", "none", "302", "403", "200", "200", "403", "403", "200"),
    "absence_edit":         row("GET", "absence", "302/302", "403/403", "200/404", "200/404", "403/403", "403/403", "200/200"),
    "absence_delete":       row("POST", "absence", "302/302", "403/403", "200/404", "200/404", "403/403", "403/403", "200/200"),
    "absence_cover":        row("GET", "absence", "302/302", "403/403", "200/404", "200/404", "403/403", "403/403", "200/200"),
    "client_handover":      row("GET", "client", "302/302", "403/403", "200/404", "200/404", "403/403", "403/403", "200/200"),
    # collections and schemes
    "dashboard":            row("GET", "none", "302", "302", "302", "302", "302", "302", "302"),
    "department_dashboard": row("GET", "department", "302/302", "200/404", "200/404", "200/404", "200/200", "200/200", "200/200"),
    "scheme_edit":          row("GET", "department", "302/302", "403/404", "403/404", "403/404", "200/200", "403/403", "403/403"),
    # a year of plans and the replay of a draft scheme (director; the administrator reads)
    "year_plans":           row("GET", "department", "302/302", "403/404", "403/404", "403/404", "200/200", "403/403", "200/200"),
    "scheme_replay":        row("GET", "department_only", "302/302", "403/404", "403/404", "403/404", "200/200", "403/403", "200/200"),
    "scheme_replay_adopt":  row("POST", "department_only", "302/302", "403/404", "403/404", "403/404", "302/302", "403/403", "403/403"),
    # my bonus
    "my_bonus":             row("GET", "none", "302", "302", "302", "302", "403", "403", "403"),
    "my_bonus_month":       row("GET", "month", "302", "200", "200", "200", "403", "403", "403"),
    # bonus periods
    "period_list":          row("GET", "none", "302", "200", "200", "200", "200", "200", "200"),
    "period_for_month":     row("GET", "department", "302/302", "403/404", "302/404", "302/404", "302/302", "403/403", "403/403"),
    "period_detail":        row("GET", "period", "302/302", "200/404", "200/404", "200/404", "200/200", "200/404", "200/200"),
    "period_close":         row("GET", "period", "302/302", "403/404", "302/404", "302/404", "302/302", "403/404", "403/403"),
    "proposal":             row("GET", "period", "302/302", "403/404", "200/404", "200/404", "403/403", "403/404", "403/403"),
    "proposal_preview":     row("POST", "period", "302/302", "403/404", "200/404", "200/404", "403/403", "403/404", "403/403"),
    "proposal_submit":      row("POST", "period", "302/302", "403/404", "200/404", "200/404", "403/403", "403/404", "403/403"),
    "review":               row("GET", "period", "302/302", "403/404", "403/404", "403/404", "302/302", "403/404", "403/403"),
    "period_approve":       row("POST", "period", "302/302", "403/404", "403/404", "403/404", "302/302", "403/404", "403/403"),
    "period_return":        row("POST", "period", "302/302", "403/404", "403/404", "403/404", "302/302", "403/404", "403/403"),
    "period_reopen":        row("POST", "period", "302/302", "403/404", "403/404", "403/404", "302/302", "403/404", "403/403"),
    "period_history":       row("GET", "period", "302/302", "200/404", "200/404", "200/404", "200/200", "200/404", "200/200"),
    # the collections cockpit
    "cockpit_outstanding":  row("GET", "department", "302/302", "200/404", "200/404", "200/404", "200/200", "200/200", "200/200"),
    "cockpit_calls":        row("GET", "department", "302/302", "200/404", "200/404", "200/404", "200/200", "200/200", "200/200"),
    "cockpit_promise":      row("POST", "department", "302/302", "400/404", "400/404", "400/404", "403/403", "403/403", "403/403"),
    "what_if":              row("GET", "department", "302/302", "200/404", "200/404", "200/404", "200/200", "200/200", "200/200"),
    "promise_history":      row("GET", "client", "302/302", "200/404", "200/404", "200/404", "200/200", "404/404", "200/200"),
    "invoice_create":       row("GET", "none", "302", "403", "403", "403", "403", "200", "200"),
    "invoice_upload":       row("GET", "none", "302", "403", "403", "403", "403", "200", "200"),
    "invoice_confirm":      row("GET", "none", "302", "403", "403", "403", "403", "302", "302"),
    # payroll
    "payroll":              row("GET", "none", "302", "403", "403", "403", "403", "200", "403"),
    "payroll_export":       row("POST", "export", "302/302", "403/404", "403/404", "403/404", "403/403", "200/404", "403/403"),
    "period_mark_paid":     row("POST", "period", "302/302", "403/404", "403/404", "403/404", "403/403", "302/404", "403/403"),
    # questions on a statement (the staff member's own: Masha's; the other: Sergey's), notices
    "question_ask":         row("POST", "month", "302", "302", "403", "403", "403", "403", "403"),
    "question_detail":      row("GET", "question", "302/302", "200/404", "200/404", "200/404", "200/200", "404/404", "404/404"),
    "question_answer":      row("POST", "question", "302/302", "403/404", "302/404", "302/404", "302/302", "404/404", "404/404"),
    "question_pass":        row("POST", "question", "302/302", "403/404", "302/404", "302/404", "403/403", "404/404", "404/404"),
    "question_close":       row("POST", "question", "302/302", "302/404", "403/404", "403/404", "403/403", "404/404", "404/404"),
    "question_reopen":      row("POST", "question", "302/302", "302/404", "403/404", "403/404", "403/403", "404/404", "404/404"),
    "notice_dismiss":       row("POST", "notice", "302/302", "302/404", "404/404", "404/404", "404/404", "404/404", "404/404"),
    # corrections of paid months, statements, the company's payroll file
    "correction_payment_void": row("GET", "payment", "302/302", "403/404", "403/404", "403/404", "403/403", "200/200", "200/200"),
    "my_statement":         row("GET", "month", "302", "200", "200", "200", "403", "403", "403"),
    "period_statements":    row("GET", "statements", "302/302", "403/404", "200/404", "404/404", "200/404", "200/404", "403/403"),
    "payroll_company_export": row("POST", "none", "302", "403", "403", "403", "403", "302", "403"),
    # the HTTP API (signed in by session here; tokens in tests/test_api_access.py). The
    # empty form posted here is no JSON: 400 for those admitted, 403 for the rest.
    "api:departments":      row("GET", "none", "401", "200", "200", "200", "200", "200", "200"),
    "api:collections":      row("GET", "department", "401/401", "200/404", "200/404", "200/404", "200/200", "200/200", "200/200"),
    "api:periods":          row("GET", "none", "401", "200", "200", "200", "200", "200", "200"),
    "api:period":           row("GET", "period", "401/401", "200/404", "200/404", "200/404", "200/200", "200/404", "200/200"),
    "api:statement":        row("GET", "month", "401", "200", "200", "200", "403", "403", "403"),
    "api:payment_create":   row("POST", "none", "401", "403", "403", "403", "403", "400", "400"),
    "api:payments_bulk":    row("POST", "none", "401", "403", "403", "403", "403", "400", "400"),
    "api:invoices_bulk":    row("POST", "none", "401", "403", "403", "403", "403", "400", "400"),
    "api:absence_create":   row("POST", "none", "401", "403", "400", "400", "403", "403", "400"),
    "api:openapi-json":     row("GET", "none", "302", "200", "200", "200", "200", "200", "200"),
    "api:openapi-view":     row("GET", "none", "302", "200", "200", "200", "200", "200", "200"),
    "api:api-root":         row("GET", "none", "404", "404", "404", "404", "404", "404", "404"),
    # the director's company views, a department's year, my year
    "director":             row("GET", "none", "302", "403", "403", "403", "302", "403", "302"),
    "director_departments": row("GET", "month", "302", "403", "403", "403", "200", "403", "200"),
    "cash_gap":             row("GET", "month", "302", "403", "403", "403", "200", "403", "200"),
    "obligations_import":   row("GET", "none", "302", "403", "403", "403", "200", "403", "200"),
    "year_start":           row("GET", "none", "302", "403", "302", "302", "302", "403", "403"),
    "department_year":      row("GET", "year", "302/302", "403/403", "200/404", "200/404", "200/200", "403/403", "403/403"),
    "department_year_export": row("GET", "year", "302/302", "403/403", "200/404", "200/404", "200/200", "403/403", "403/403"),
    "my_year":              row("GET", "none", "302", "200", "200", "200", "403", "403", "403"),
    "my_year_export":       row("GET", "none", "302", "200", "200", "200", "403", "403", "403"),
}  # fmt: skip


def _walk(patterns: list[Any], namespace: str | None = None) -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def project_url_names() -> set[str]:
    return {name for name in _walk(get_resolver().url_patterns) if not name.startswith("admin:")}


def test_every_url_has_an_entry() -> None:
    missing = project_url_names() - TABLE.keys()
    stale = TABLE.keys() - project_url_names()
    assert not missing, f"URLs without an expected-access entry: {sorted(missing)}"
    assert not stale, f"entries for URLs that no longer exist: {sorted(stale)}"


@dataclass
class World:
    """One approved October in the cast's department and one closed in the other."""

    cast: Cast
    objects: dict[str, tuple[list[Any], list[Any]]]
    users: dict[str, Any]


def _other_department_period(cast: Cast) -> Any:
    other = cast.other
    services.scheme_create(
        user=cast.director.user,
        department=other,
        month=dt.date(2026, 10, 1),
        plan="1000000.00",
        threshold="500000.00",
        rate="0.01",
        head_share="0.40",
        milestones=[(15, "0.50", "1/3")],
        reason="Other department's scheme",
    )
    PaymentFactory(
        client=ClientFactory(department=other),
        amount=Decimal("800000.00"),
        received_on=dt.date(2026, 10, 10),
    )
    period = services.period_open(department=other, month=dt.date(2026, 10, 1))
    return services.period_close(
        user=cast.other_head.user, period=period, expected_version=period.version
    )


@pytest.fixture
def world(cast: Cast) -> World:
    own_period = approved_october(cast)
    other_period = _other_department_period(cast)
    own_payment = Payment.objects.filter(department=cast.dept).first()
    other_payment = Payment.objects.filter(department=cast.other).first()
    batch = ImportBatch.objects.create(file_name="x.csv", sha256="0" * 64, format="csv")
    unmatched = UnmatchedPayment.objects.create(
        batch=batch,
        amount=Decimal("10.00"),
        received_on=dt.date(2026, 11, 2),
        source="1c",
        source_ref="unmatched-1",
    )
    october = "2026-10"
    absences = [
        absence_record(
            user=cast.admin,
            employee=employee,
            kind="vacation",
            started_on=dt.date(2026, 11, 9),
            ended_on=dt.date(2026, 11, 13),
        ).pk
        for employee in (cast.olya, cast.sergey)
    ]
    objects = {
        "none": ([], []),
        "month": ([october], [october]),
        "token": (["0" * 32], ["0" * 32]),
        "batch": ([batch.pk], [batch.pk]),
        "unmatched": ([unmatched.pk], [unmatched.pk]),
        "payment": ([own_payment.pk], [other_payment.pk]),
        "absence": ([absences[0]], [absences[1]]),
        "client": ([own_payment.client_id], [other_payment.client_id]),
        "department": ([cast.dept.pk, october], [cast.other.pk, october]),
        "department_only": ([cast.dept.pk], [cast.other.pk]),
        "period": ([own_period.pk], [other_period.pk]),
        "year": ([cast.dept.pk], [cast.other.pk]),
        "export": (
            [own_period.pk, 1, "standard", "xlsx"],
            [other_period.pk, 1, "standard", "xlsx"],
        ),
        "question": (
            [question_of(cast.masha.user, cast.dept).pk],
            [question_of(cast.sergey.user, cast.other).pk],
        ),
        "notice": (
            [notice_for(cast.masha.user, cast.dept).pk],
            [notice_for(cast.sergey.user, cast.other).pk],
        ),
        "statements": ([own_period.pk, "pdf"], [other_period.pk, "pdf"]),
    }
    users = {
        "anonymous": None,
        "staff": cast.masha.user,
        "head": cast.head.user,
        "other_head": cast.other_head.user,
        "director": cast.director.user,
        "accountant": cast.accountant.user,
        "admin": cast.admin,
    }
    return World(cast=cast, objects=objects, users=users)


def _swap_for(role: str) -> Callable[[tuple[list[Any], list[Any]]], tuple[list[Any], list[Any]]]:
    # Petr heads the other department: his own objects are the other department's.
    if role == "other_head":
        return lambda pair: (pair[1], pair[0])
    return lambda pair: pair


def _status(client: HttpClient, method: str, url: str) -> int:
    response = client.post(url, {}) if method == "POST" else client.get(url)
    return response.status_code


def test_every_url_gives_each_role_the_expected_status(world: World, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    failures = []
    for role in ROLES:
        client = HttpClient()
        if world.users[role] is not None:
            client.force_login(world.users[role])
        for name, entry in TABLE.items():
            own, other = _swap_for(role)(world.objects[entry.kind])
            expected = entry.expected[role].split("/")
            for args, want in zip((own, other), expected, strict=False):
                got = _status(client, entry.method, reverse(name, args=args))
                if str(got) != want:
                    failures.append(f"{name} {args} as {role}: {got}, expected {want}")
    assert not failures, "\n".join(failures)


def test_no_refused_page_leaks_the_object(world: World) -> None:
    # Sergey (other department) asks for Ivan's department's period and payroll.
    client = HttpClient()
    client.force_login(world.cast.sergey.user)
    own_period = world.objects["period"][0][0]
    for name in ("period_detail", "period_history", "review", "proposal"):
        response = client.get(reverse(name, args=[own_period]))
        assert response.status_code in (403, 404)
        page = response.content.decode()
        assert "Masha" not in page
        assert "27,000" not in page
        assert "27\N{NO-BREAK SPACE}000" not in page


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("staff", 302), ("director", 302), ("accountant", 302), ("admin", 200)],
)
def test_the_admin_site_is_for_administrators_only(world: World, role: str, status: int) -> None:
    client = HttpClient()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    for url in (
        reverse("admin:index"),
        reverse("admin:payments_payment_changelist"),
        reverse("admin:compensation_bonusperiod_changelist"),
    ):
        assert client.get(url).status_code == status, url
