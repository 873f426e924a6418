"""The page that corrects or removes an absence: its forms, its history, closed months."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as WebClient
from django.urls import reverse

from accounts.absences import absence_record
from accounts.models import Absence
from tests.factories import PASSWORD, Cast
from tests.test_workflow_helpers import closed_october

AWAY, UNTIL = dt.date(2026, 11, 9), dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def head(cast: Cast) -> WebClient:
    browser = WebClient()
    browser.login(username=cast.head.user.username, password=PASSWORD)
    return browser


def _away(cast: Cast, first: dt.date = AWAY, last: dt.date = UNTIL) -> Absence:
    return absence_record(
        user=cast.head.user, employee=cast.olya, kind="vacation", started_on=first, ended_on=last
    )


def test_the_list_links_each_absence_to_its_correction(cast: Cast, head: WebClient) -> None:
    absence = _away(cast)
    page = head.get(reverse("absence_list")).content.decode()
    assert reverse("absence_edit", args=[absence.pk]) in page


def test_the_head_corrects_the_days_and_the_history_shows_why(cast: Cast, head: WebClient) -> None:
    absence = _away(cast)
    url = reverse("absence_edit", args=[absence.pk])

    response = head.post(
        url,
        {
            "kind": "sick_leave",
            "started_on": "2026-11-09",
            "ended_on": "2026-11-13",
            "note": "",
            "reason": "Back early",
        },
    )

    assert response.status_code == 302
    absence.refresh_from_db()
    assert (absence.kind, absence.ended_on) == ("sick_leave", dt.date(2026, 11, 13))
    page = head.get(url).content.decode()
    assert 'id="absence-history"' in page
    assert "Back early" in page
    assert "13.11.2026" in page
    assert "20.11.2026" in page


def test_a_correction_without_a_reason_is_shown_at_the_field(cast: Cast, head: WebClient) -> None:
    absence = _away(cast)
    response = head.post(
        reverse("absence_edit", args=[absence.pk]),
        {"kind": "vacation", "started_on": "2026-11-09", "ended_on": "2026-11-12", "reason": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    absence.refresh_from_db()
    assert absence.ended_on == UNTIL


def test_the_head_removes_an_absence_with_a_reason(cast: Cast, head: WebClient) -> None:
    absence = _away(cast)
    url = reverse("absence_delete", args=[absence.pk])

    refused = head.post(url, {"reason": ""})
    removed = head.post(url, {"reason": "Entered twice"})

    assert refused.status_code == 200
    assert refused.context["remove"].errors["reason"]
    assert removed.status_code == 302
    assert not Absence.objects.exists()
    assert Absence.history.filter(history_type="-").get().history_change_reason == "Entered twice"


def test_a_closed_months_absence_offers_no_removal_and_names_the_month(
    cast: Cast, head: WebClient
) -> None:
    closed_october(cast)
    absence = _away(cast, dt.date(2026, 10, 27), dt.date(2026, 11, 5))
    url = reverse("absence_edit", args=[absence.pk])

    page = head.get(url).content.decode()
    moved = head.post(
        url,
        {
            "kind": "vacation",
            "started_on": "2026-10-29",
            "ended_on": "2026-11-05",
            "reason": "Wrong start",
        },
    )

    assert 'id="absence-closed-months"' in page
    assert "October 2026" in page
    assert 'id="absence-remove"' not in page
    assert moved.status_code == 200
    assert "October 2026 is closed for Client department" in moved.content.decode()
    absence.refresh_from_db()
    assert absence.started_on == dt.date(2026, 10, 27)
