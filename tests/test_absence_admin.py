"""Absences in the admin site: written by the same services, refused at the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as WebClient
from django.urls import reverse

from accounts.absences import absence_record
from accounts.models import Absence
from payments.assignments import absence_cover, client_reassign
from tests.factories import Cast, ClientFactory
from tests.test_workflow_helpers import closed_october

AWAY, UNTIL = dt.date(2026, 11, 9), dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def admin_site(cast: Cast) -> WebClient:
    browser = WebClient()
    browser.force_login(cast.admin)
    return browser


def _away(cast: Cast, first: dt.date = AWAY, last: dt.date = UNTIL) -> Absence:
    return absence_record(
        user=cast.head.user, employee=cast.olya, kind="vacation", started_on=first, ended_on=last
    )


def _fields(cast: Cast, **change: str) -> dict[str, object]:
    fields = {
        "employee": cast.olya.pk,
        "kind": "vacation",
        "started_on": "2026-11-09",
        "ended_on": "2026-11-20",
        "note": "",
        "change_reason": "",
    }
    return fields | change


def test_the_admin_records_an_absence_through_the_service(
    cast: Cast, admin_site: WebClient
) -> None:
    response = admin_site.post(reverse("admin:accounts_absence_add"), _fields(cast))

    assert response.status_code == 302
    absence = Absence.objects.get()
    assert (absence.employee, absence.recorded_by) == (cast.olya, cast.admin)
    assert absence.history.get().history_user == cast.admin


def test_an_overlap_in_the_admin_is_refused_at_the_field(cast: Cast, admin_site: WebClient) -> None:
    _away(cast)
    response = admin_site.post(
        reverse("admin:accounts_absence_add"), _fields(cast, started_on="2026-11-20")
    )
    assert response.status_code == 200
    assert "is already away from 09.11.2026 to 20.11.2026" in str(
        response.context["adminform"].form.errors["started_on"]
    )
    assert Absence.objects.count() == 1


def test_a_correction_in_the_admin_needs_a_reason_and_moves_the_cover(
    cast: Cast, admin_site: WebClient
) -> None:
    # given Olya's client covered by Vasya for her absence
    alfa = ClientFactory(department=cast.dept)
    client_reassign(
        user=cast.admin, client=alfa, employee=cast.olya, on=dt.date(2026, 1, 1), reason=""
    )
    absence = _away(cast)
    absence_cover(user=cast.head.user, absence=absence, cover={alfa: cast.vasya})
    url = reverse("admin:accounts_absence_change", args=[absence.pk])

    # when the administrator shortens it, first without a reason, then with one
    refused = admin_site.post(url, _fields(cast, ended_on="2026-11-13"))
    saved = admin_site.post(url, _fields(cast, ended_on="2026-11-13", change_reason="Back early"))

    # then the first is refused at the reason, the second moves the cover with it
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["change_reason"]
    assert saved.status_code == 302
    absence.refresh_from_db()
    assert absence.ended_on == dt.date(2026, 11, 13)
    assert absence.history.latest().history_change_reason == "Back early"
    cover = alfa.assignments.get(employee=cast.vasya)
    assert (cover.started_on, cover.ended_on) == (AWAY, dt.date(2026, 11, 13))


def test_the_admin_removes_through_the_service_but_not_in_a_closed_month(
    cast: Cast, admin_site: WebClient
) -> None:
    closed_october(cast)
    in_october = _away(cast, dt.date(2026, 10, 27), dt.date(2026, 11, 2))
    in_november = _away(cast)

    closed = admin_site.get(reverse("admin:accounts_absence_delete", args=[in_october.pk]))
    removed = admin_site.post(
        reverse("admin:accounts_absence_delete", args=[in_november.pk]), {"post": "yes"}
    )

    assert closed.status_code == 403
    assert removed.status_code == 302
    assert list(Absence.objects.all()) == [in_october]
    gone = Absence.history.filter(id=in_november.pk).latest()
    assert (gone.history_type, gone.history_user) == ("-", cast.admin)
    assert gone.history_change_reason == "Removed in the administration site"


def test_only_an_administrator_sees_absences_in_the_admin(cast: Cast) -> None:
    browser = WebClient()
    browser.force_login(cast.head.user)
    assert browser.get(reverse("admin:accounts_absence_changelist")).status_code == 302


def test_a_cover_changed_by_hand_is_refused_above_the_form_not_a_crash(
    cast: Cast, admin_site: WebClient
) -> None:
    alfa = ClientFactory(department=cast.dept, name="Alfa Trade LLC")
    client_reassign(
        user=cast.admin, client=alfa, employee=cast.olya, on=dt.date(2026, 1, 1), reason=""
    )
    absence = _away(cast)
    absence_cover(user=cast.head.user, absence=absence, cover={alfa: cast.vasya})
    client_reassign(
        user=cast.admin,
        client=alfa,
        employee=cast.masha,
        on=dt.date(2026, 11, 16),
        until=UNTIL,
        reason="Vasya is busy",
    )

    response = admin_site.post(
        reverse("admin:accounts_absence_change", args=[absence.pk]),
        _fields(cast, ended_on="2026-11-25", change_reason="Longer"),
    )

    assert response.status_code == 200
    assert "Alfa Trade LLC" in str(response.context["adminform"].form.non_field_errors())
    absence.refresh_from_db()
    assert absence.ended_on == UNTIL
