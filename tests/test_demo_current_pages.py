"""The demo's current month on the pages that open on it: the head's and each staff
member's dashboard (the forecast against each gate, the what-if), the outstanding list
and the call list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from accounts.models import Department

TODAY = dt.date(2026, 12, 9)
DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture
def department(db: None, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Department:
    settings.DEBUG = True
    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    call_command("load_demo", stdout=StringIO())
    return Department.objects.get(name="Клиентский отдел")


def signed_in(username: str) -> HttpClient:
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.parametrize("username", ["head", "masha", "vasya", "olya"])
def test_the_dashboard_opens_on_the_current_month_with_its_forecast(
    department: Department, username: str
) -> None:
    response = signed_in(username).get(reverse("dashboard"), follow=True)

    assert response.status_code == 200
    assert response.context["month"] == DECEMBER
    assert response.context["department"] == department
    assert response.context["summary"].collected == Decimal("10448500.00")
    assert [card["gate"].date for card in response.context["gate_cards"]] == [
        dt.date(2026, 12, 15),
        dt.date(2026, 12, 25),
    ]
    assert response.context["what_if_form"] is not None
    assert response.context["can_see_owed"]
    if username != "head":
        assert response.context["own_part"] is not None


def test_the_outstanding_and_call_lists_of_the_current_month(department: Department) -> None:
    client = signed_in("head")
    owed = client.get(reverse("cockpit_outstanding", args=[department.pk, DECEMBER]))
    calls = client.get(reverse("cockpit_calls", args=[department.pk, DECEMBER]))

    assert owed.status_code == calls.status_code == 200
    groups = owed.context["groups"]
    assert {g.employee.user.username for g in groups} == {"masha", "vasya", "olya"}
    assert owed.context["total_owed"] > Decimal("30000000.00")
    names = [row.client.name for row in calls.context["rows"]]
    assert "ООО «Альфа-Трейд»" in names
    assert "ООО «Бета-Логистик»" not in names
    assert "Наталья Орлова" in calls.content.decode()
