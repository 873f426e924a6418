"""Hostile ids, pages and months in a URL or a query string: a 404 or a page, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from tests.factories import Cast


def director(cast: Cast) -> HttpClient:
    http = HttpClient(raise_request_exception=False)
    http.force_login(cast.director.user)
    return http


@pytest.mark.parametrize(
    "query",
    ["page=99999999999999999999", "page=9223372036854775807", "page=²", "page=⑤", "page=١٢"],
)
def test_a_hostile_page_number_shows_a_page(cast: Cast, query: str) -> None:
    response = director(cast).get(f"/payments/?{query}")
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["page=²", "page=99999999999999999999", "page=-1"])
def test_a_hostile_page_of_unmatched_payments_shows_a_page(cast: Cast, query: str) -> None:
    http = HttpClient(raise_request_exception=False)
    http.force_login(cast.accountant.user)
    assert http.get(f"/payments/unmatched/?{query}").status_code in (200, 403)


@pytest.mark.parametrize("department", ["²", "⑤", "١", "99999999999999999999", "-1", ""])
def test_a_hostile_department_in_the_dashboard_query_is_ignored(
    cast: Cast, department: str
) -> None:
    response = director(cast).get("/dashboard/", {"department": department})
    assert response.status_code == 302
    assert response["Location"].startswith(f"/departments/{cast.dept.pk}/")


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "2026-13", "٢٠٢٦-١١", "2026-1"])
def test_a_month_out_of_range_in_the_dashboard_query_is_ignored(cast: Cast, month: str) -> None:
    response = director(cast).get("/dashboard/", {"month": month})
    this_month = f"{timezone.localdate():%Y-%m}"
    assert response.status_code == 302
    assert response["Location"] == f"/departments/{cast.dept.pk}/{this_month}/"


@pytest.mark.parametrize(
    "path",
    [
        "/departments/{dept}/9999-12/",
        "/departments/{dept}/0001-01/",
        "/departments/{dept}/1899-12/scheme/",
        "/departments/{dept}/9999-12/period/",
        "/me/9999-12/",
        "/me/0001-01/",
        "/departments/99999999999999999999/2026-11/",
        "/periods/99999999999999999999/",
        "/periods/9223372036854775808/history/",
        "/payments/99999999999999999999/void/",
        "/payments/batches/99999999999999999999/",
        "/payroll/99999999999999999999/r1/standard.xlsx",
        "/payroll/1/r99999999999999999999/standard.xlsx",
    ],
)
def test_an_id_or_month_out_of_range_in_a_path_is_not_found(cast: Cast, path: str) -> None:
    response = director(cast).get(path.format(dept=cast.dept.pk))
    assert response.status_code == 404


def test_a_month_in_range_still_resolves(cast: Cast) -> None:
    url = reverse(
        "department_dashboard", kwargs={"department_id": cast.dept.pk, "month": "2026-11"}
    )
    assert director(cast).get(url).status_code == 200


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("/admin/accounts/department/2026-13/history/", {}, 404),
        ("/admin/accounts/department/99999999999999999999/history/", {}, 404),
        ("/admin/accounts/department/1/history/x/", {}, 404),
        ("/admin/accounts/department/export/", {"next": "x"}, 400),
        ("/admin/payments/payment/export/", {"o": "zz", "nothing": "1"}, 400),
    ],
)
def test_the_admins_history_and_export_screens_refuse_hostile_input(
    cast: Cast, path: str, query: dict[str, str], status: int
) -> None:
    http = HttpClient(raise_request_exception=False)
    http.force_login(cast.admin)
    assert http.get(path, query).status_code == status


@pytest.mark.parametrize("department", ["x", "²", "99999999999999999999", "-1"])
def test_a_hostile_initial_value_on_an_admin_add_form_is_dropped(
    cast: Cast, department: str
) -> None:
    http = HttpClient(raise_request_exception=False)
    http.force_login(cast.admin)
    response = http.get("/admin/accounts/membership/add/", {"department": department})
    assert response.status_code == 200
    chosen = http.get("/admin/accounts/membership/add/", {"department": cast.dept.pk})
    assert f'value="{cast.dept.pk}" selected' in chosen.content.decode()
