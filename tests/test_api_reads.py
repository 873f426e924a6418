"""The API's reads: the figures are the pages' own (the same selectors and engine), each
caller sees what the policy lets them, and the number of queries does not grow."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client as HttpClient
from django.urls import reverse

from api.tokens import api_token_create
from compensation.models import PayLine
from tests.factories import Cast, ClientFactory, PaymentFactory
from tests.test_api import call
from tests.test_workflow_helpers import OCTOBER, approved_october, closed_october, set_scheme


def read_token(cast: Cast, department: Any = None) -> str:
    return api_token_create(
        user=cast.admin, name="reader", scope="read", departments=[department or cast.dept]
    )[1]


def as_user(user: Any, name: str, *args: Any) -> Any:
    http = HttpClient()
    http.force_login(user)
    return http.get(reverse(f"api:{name}", args=args))


def test_collections_are_the_dashboards_figures(cast: Cast) -> None:
    # given SPEC section 2's October: 55 M collected against a 50 M plan
    closed_october(cast)
    # when
    response = call("GET", "collections", cast.dept.pk, "2026-10", token=read_token(cast))
    # then
    assert response.status_code == 200
    figures = response.json()
    assert figures["department"] == {"id": cast.dept.pk, "name": "Client department"}
    assert Decimal(figures["collected"]) == Decimal("55000000.00")
    assert figures["payments"] == 4
    assert [(d["date"], Decimal(d["total"])) for d in figures["days"]] == [
        ("2026-10-05", Decimal("20000000.00")),
        ("2026-10-14", Decimal("6000000.00")),
        ("2026-10-24", Decimal("20000000.00")),
        ("2026-10-30", Decimal("9000000.00")),
    ]
    progress = figures["progress"]
    assert Decimal(progress["plan"]) == Decimal("50000000.00")
    # SPEC: (55 M − 40 M) × 0.5 % = 75,000, both milestones met
    assert Decimal(progress["pool"]) == Decimal("75000.00")
    assert [m["status"] for m in progress["milestones"]] == ["met", "met"]
    assert Decimal(figures["top_clients"][0]["total"]) == Decimal("55000000.00")


def test_a_month_without_a_scheme_has_no_progress(cast: Cast) -> None:
    response = as_user(cast.masha.user, "collections", cast.dept.pk, "2026-11")
    assert response.status_code == 200
    assert response.json()["progress"] is None
    assert Decimal(response.json()["collected"]) == Decimal("0")


def test_collections_queries_do_not_grow_with_the_payments(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    set_scheme(cast)
    token = read_token(cast)
    clients = [ClientFactory(department=cast.dept) for _ in range(30)]
    for index in range(5):
        PaymentFactory(client=clients[index], received_on=dt.date(2026, 10, 1 + index))
    with django_assert_max_num_queries(11) as small:
        assert call("GET", "collections", cast.dept.pk, "2026-10", token=token).status_code == 200
    for index in range(295):
        PaymentFactory(client=clients[index % 30], received_on=dt.date(2026, 10, 1 + index % 31))
    with django_assert_max_num_queries(11) as large:
        response = call("GET", "collections", cast.dept.pk, "2026-10", token=token)
    assert response.json()["payments"] == 300
    assert len(response.json()["top_clients"]) == 10
    assert len(large.captured_queries) == len(small.captured_queries)


def test_periods_list_their_states_for_whoever_sees_them(cast: Cast) -> None:
    period = approved_october(cast)
    expected = [
        {
            "id": period.pk,
            "department": {"id": cast.dept.pk, "name": "Client department"},
            "month": "2026-10-01",
            "state": "approved",
            "revision": 1,
            "collected": "55000000.00",
        }
    ]
    assert as_user(cast.head.user, "periods").json() == expected
    assert call("GET", "periods", token=read_token(cast)).json() == expected
    assert as_user(cast.sergey.user, "periods").json() == []
    assert call("GET", "periods", token=read_token(cast, cast.other)).json() == []


def test_the_periods_list_queries_do_not_grow(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    from compensation.models import BonusPeriod

    token = read_token(cast)
    BonusPeriod.objects.create(department=cast.dept, month=OCTOBER)
    with django_assert_max_num_queries(4) as few:
        assert len(call("GET", "periods", token=token).json()) == 1
    for month in range(1, 10):
        BonusPeriod.objects.create(department=cast.dept, month=dt.date(2025, month, 1))
    with django_assert_max_num_queries(4) as many:
        assert len(call("GET", "periods", token=token).json()) == 10
    assert len(many.captured_queries) == len(few.captured_queries)


def _names(response: Any) -> list[str]:
    return sorted(line["name"] for line in response.json()["lines"])


EVERYONE = ["Ivan Petrov", "Masha Ivanova", "Olya Smirnova", "Vasya Sidorov"]


def test_a_periods_pay_lines_are_shown_only_to_whom_the_policy_allows(cast: Cast) -> None:
    period = approved_october(cast)
    assert _names(as_user(cast.head.user, "period", period.pk)) == EVERYONE
    assert _names(as_user(cast.director.user, "period", period.pk)) == EVERYONE
    assert _names(as_user(cast.accountant.user, "period", period.pk)) == EVERYONE
    assert _names(call("GET", "period", period.pk, token=read_token(cast))) == EVERYONE
    # staff see their own line only; the administrator manages people, not pay
    assert _names(as_user(cast.masha.user, "period", period.pk)) == ["Masha Ivanova"]
    assert _names(as_user(cast.admin, "period", period.pk)) == []
    line = PayLine.objects.get(employee=cast.masha)
    masha = as_user(cast.masha.user, "period", period.pk).json()
    assert masha["approved_revision"] == 1
    assert Decimal(masha["lines"][0]["total"]) == line.total
    assert Decimal(masha["lines"][0]["bonus"]) == line.bonus


def test_a_closed_period_has_no_lines_yet(cast: Cast) -> None:
    period = closed_october(cast)
    answer = as_user(cast.director.user, "period", period.pk).json()
    assert (answer["state"], answer["approved_revision"], answer["lines"]) == ("closed", None, [])


def test_the_statement_is_ones_own_month(cast: Cast) -> None:
    approved_october(cast)
    line = PayLine.objects.get(employee=cast.masha)
    statement = as_user(cast.masha.user, "statement", "2026-10").json()
    assert statement["stage"] == "approved"
    assert statement["department"]["id"] == cast.dept.pk
    assert Decimal(statement["mine"]["bonus"]) == line.bonus
    assert Decimal(statement["mine"]["pay"]) == line.total
    assert Decimal(statement["collected"]) == Decimal("55000000.00")
    assert "Vasya" not in str(statement)
    # a month the person has no bonus in
    empty = as_user(cast.sergey.user, "statement", "2026-10").json()
    assert empty["department"]["id"] == cast.other.pk
    assert empty["mine"] is None or Decimal(empty["mine"]["bonus"]) >= 0


def test_the_openapi_schema_names_every_endpoint_and_both_ways_in(cast: Cast) -> None:
    schema = as_user(cast.masha.user, "openapi-json").json()
    assert {
        "/api/v1/payments",
        "/api/v1/payments/bulk",
        "/api/v1/invoices/bulk",
        "/api/v1/absences",
        "/api/v1/departments",
        "/api/v1/departments/{department_id}/collections/{month}",
        "/api/v1/periods",
        "/api/v1/periods/{period_id}",
        "/api/v1/me/statement/{month}",
    } <= schema["paths"].keys()
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_documentation_page_loads_only_local_files(cast: Cast, language: str) -> None:
    http = HttpClient()
    http.force_login(cast.masha.user)
    response = http.get(reverse("api:openapi-view"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert len(assets) >= 3
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    assert "<script>" not in page.replace(" ", "")  # no inline script: the CSP forbids it
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_a_period_and_a_statement_take_a_fixed_number_of_queries(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    period = approved_october(cast)
    token = read_token(cast)
    head, masha = HttpClient(), HttpClient()
    head.force_login(cast.head.user)
    masha.force_login(cast.masha.user)
    with django_assert_max_num_queries(9):
        response = head.get(reverse("api:period", args=[period.pk]))
        assert len(response.json()["lines"]) == 4
    with django_assert_max_num_queries(6):
        assert call("GET", "period", period.pk, token=token).status_code == 200
    with django_assert_max_num_queries(16):
        assert masha.get(reverse("api:statement", args=["2026-10"])).status_code == 200


def test_the_benchmark_measures_the_api_reads() -> None:
    from benchmarks import steps

    api_pages = {name for name in steps._page_targets() if name.startswith("api:")}
    assert api_pages == {"api:collections", "api:periods", "api:period", "api:statement"}


def test_the_periods_filters_refuse_what_they_do_not_know(cast: Cast) -> None:
    period = closed_october(cast)
    http = HttpClient()
    http.force_login(cast.director.user)
    url = reverse("api:periods")
    assert [p["id"] for p in http.get(url, {"state": "closed"}).json()] == [period.pk]
    assert http.get(url, {"state": "approved"}).json() == []
    assert [p["id"] for p in http.get(url, {"month": "2026-10"}).json()] == [period.pk]
    assert http.get(url, {"month": "2026-11"}).json() == []
    assert http.get(url, {"department": cast.other.pk}).json() == []
    bad_months = ({"month": "2026-13"}, {"month": "October"})
    for hostile in ({"state": "\x00"}, {"state": "x"}, {"department": "9" * 30}, *bad_months):
        refused = http.get(url, hostile)
        assert refused.status_code == 422
        assert refused["Content-Type"] == "application/problem+json"
