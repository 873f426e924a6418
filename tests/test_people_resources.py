"""People spreadsheets in the admin: base salaries and memberships by personnel number."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import tablib

from accounts.models import BaseSalary, Membership
from accounts.resources import BaseSalaryResource, MembershipResource
from tests.factories import Cast


def test_base_salaries_import_by_personnel_number(cast: Cast) -> None:
    # given a raise for Masha from December, as a personnel sheet has it
    sheet = tablib.Dataset(headers=["personnel_number", "amount", "effective_from"])
    sheet.append([cast.masha.personnel_number, "22000.00", "2026-12-01"])
    # when imported
    result = BaseSalaryResource().import_data(sheet, dry_run=False, raise_errors=True)
    # then the salary history gains the row, and the earlier salary stays
    assert not result.has_errors()
    amounts = list(
        BaseSalary.objects.filter(employee=cast.masha)
        .order_by("effective_from")
        .values_list("amount", "effective_from")
    )
    assert amounts[-1] == (Decimal("22000.00"), dt.date(2026, 12, 1))
    assert len(amounts) == 2


def test_an_unknown_personnel_number_is_an_error_and_saves_nothing(cast: Cast) -> None:
    sheet = tablib.Dataset(headers=["personnel_number", "department", "started_on"])
    sheet.append(["99999", cast.dept.name, "2026-12-01"])
    before = Membership.objects.count()
    result = MembershipResource().import_data(sheet, dry_run=False)
    assert result.has_validation_errors() or result.has_errors()
    assert Membership.objects.count() == before
