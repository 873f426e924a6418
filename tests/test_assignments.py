"""Handing a client over (leave cover and back) and reading who had it when."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from pytest_django import DjangoAssertNumQueries

from accounts.models import BaseSalary, Employee, Membership
from payments.assignments import client_reassign, client_responsible_on
from payments.models import Client, ClientAssignment
from tests.factories import Cast, ClientFactory, EmployeeFactory

SINCE = dt.date(2026, 1, 1)
LEAVE = dt.date(2026, 8, 3)
BACK = dt.date(2026, 8, 17)


@pytest.fixture
def client_of_masha(cast: Cast) -> Client:
    client = ClientFactory(department=cast.dept, name="Alfa Trade LLC")
    client_reassign(
        user=cast.admin, client=client, employee=cast.masha, on=SINCE, reason="New client"
    )
    return client


def _history(client: Client) -> list[tuple[str, dt.date, dt.date | None]]:
    return [
        (a.employee.full_name, a.started_on, a.ended_on)
        for a in client.assignments.select_related("employee").order_by("started_on")
    ]


def test_it_covers_a_leave_and_hands_the_client_back(cast: Cast, client_of_masha: Client) -> None:
    # given Masha's client
    # when Vasya covers her leave and she takes the client back
    client_reassign(
        user=cast.head.user,
        client=client_of_masha,
        employee=cast.vasya,
        on=LEAVE,
        reason="Masha on leave",
    )
    client_reassign(
        user=cast.head.user,
        client=client_of_masha,
        employee=cast.masha,
        on=BACK,
        reason="Masha is back",
    )

    # then the history shows who had it when, and Masha has it now
    assert _history(client_of_masha) == [
        ("Masha Ivanova", SINCE, dt.date(2026, 8, 2)),
        ("Vasya Sidorov", LEAVE, dt.date(2026, 8, 16)),
        ("Masha Ivanova", BACK, None),
    ]
    client_of_masha.refresh_from_db()
    assert client_of_masha.responsible == cast.masha
    reasons = list(client_of_masha.assignments.values_list("reason", "assigned_by"))
    assert reasons[1:] == [
        ("Masha on leave", cast.head.user.pk),
        ("Masha is back", cast.head.user.pk),
    ]


@pytest.mark.parametrize(
    ("day", "who"),
    [
        (dt.date(2025, 12, 31), None),
        (SINCE, "masha"),
        (dt.date(2026, 8, 2), "masha"),
        (LEAVE, "vasya"),
        (dt.date(2026, 8, 16), "vasya"),
        (BACK, "masha"),
        (dt.date(2027, 1, 1), "masha"),
    ],
)
def test_responsible_on_a_day_comes_from_the_history(
    cast: Cast, client_of_masha: Client, day: dt.date, who: str | None
) -> None:
    client_reassign(
        user=cast.admin, client=client_of_masha, employee=cast.vasya, on=LEAVE, reason="Leave"
    )
    client_reassign(
        user=cast.admin, client=client_of_masha, employee=cast.masha, on=BACK, reason="Back"
    )

    expected = None if who is None else getattr(cast, who)
    assert client_responsible_on(client_of_masha, day) == expected


def test_the_first_assignment_opens_the_history(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept)

    assignment = client_reassign(
        user=cast.admin, client=client, employee=cast.olya, on=SINCE, reason="New client"
    )

    assert (assignment.started_on, assignment.ended_on) == (SINCE, None)
    assert Client.objects.get(pk=client.pk).responsible == cast.olya


def test_the_head_may_take_a_client(cast: Cast, client_of_masha: Client) -> None:
    client_reassign(
        user=cast.admin, client=client_of_masha, employee=cast.head, on=LEAVE, reason="Leave"
    )

    assert client_responsible_on(client_of_masha, LEAVE) == cast.head


def _refused(cast: Cast, client: Client, **change: object) -> ValidationError:
    before = _history(client)
    with pytest.raises(ValidationError) as raised:
        client_reassign(user=cast.admin, client=client, reason="Cover", **change)
    assert _history(client) == before
    assert Client.objects.get(pk=client.pk).responsible == cast.masha
    return raised.value


def test_it_refuses_an_employee_of_another_department(cast: Cast, client_of_masha: Client) -> None:
    error = _refused(cast, client_of_masha, employee=cast.sergey, on=LEAVE)

    assert "employee" in error.message_dict


def test_it_refuses_an_employee_who_has_left_the_department_by_then(
    cast: Cast, client_of_masha: Client
) -> None:
    Membership.objects.filter(employee=cast.olya).update(ended_on=dt.date(2026, 7, 31))

    error = _refused(cast, client_of_masha, employee=cast.olya, on=LEAVE)

    assert "employee" in error.message_dict


def test_it_refuses_an_employee_who_joins_only_later(cast: Cast, client_of_masha: Client) -> None:
    newcomer = EmployeeFactory()
    Membership.objects.create(employee=newcomer, department=cast.dept, started_on=BACK)

    _refused(cast, client_of_masha, employee=newcomer, on=LEAVE)


def test_it_refuses_handing_a_client_to_its_current_holder(
    cast: Cast, client_of_masha: Client
) -> None:
    error = _refused(cast, client_of_masha, employee=cast.masha, on=LEAVE)

    assert "employee" in error.message_dict


@pytest.mark.parametrize("on", [SINCE, dt.date(2025, 12, 1)])
def test_it_refuses_a_handover_not_after_the_current_start(
    cast: Cast, client_of_masha: Client, on: dt.date
) -> None:
    error = _refused(cast, client_of_masha, employee=cast.vasya, on=on)

    assert "on" in error.message_dict


def test_a_client_never_has_two_open_assignments(cast: Cast, client_of_masha: Client) -> None:
    client_reassign(
        user=cast.admin, client=client_of_masha, employee=cast.vasya, on=LEAVE, reason="Leave"
    )

    open_ones = ClientAssignment.objects.filter(client=client_of_masha, ended_on__isnull=True)
    assert list(open_ones.values_list("employee", flat=True)) == [cast.vasya.pk]


# --- base salary in force ----------------------------------------------------------------


def test_base_salary_is_the_one_in_force_on_the_first_of_the_month(cast: Cast) -> None:
    BaseSalary.objects.create(
        employee=cast.masha, amount=Decimal("24000.00"), effective_from=dt.date(2026, 10, 1)
    )
    BaseSalary.objects.create(
        employee=cast.masha, amount=Decimal("26000.00"), effective_from=dt.date(2026, 11, 2)
    )

    def salary(month: dt.date) -> str:
        # As a string, so the check covers the two decimal places as well.
        return str(employee_base_salary(employee=cast.masha, month=month))

    assert salary(dt.date(2026, 9, 1)) == "20000.00"
    assert salary(dt.date(2026, 10, 20)) == "24000.00"
    # A raise from the 2nd applies from the next month: the 1st decides.
    assert salary(dt.date(2026, 11, 1)) == "24000.00"
    assert salary(dt.date(2026, 12, 1)) == "26000.00"


def test_base_salary_is_none_before_any_was_set(
    cast: Cast, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(1):
        salary = employee_base_salary(employee=cast.masha, month=dt.date(2024, 12, 1))

    assert salary is None


def employee_base_salary(*, employee: Employee, month: dt.date) -> Decimal | None:
    """The base salary in force on the month's first day, as the month's payroll reads it."""
    return (
        Employee.objects.with_base_salary(month.replace(day=1))
        .filter(pk=employee.pk)
        .values_list("base_salary", flat=True)
        .first()
    )
