"""Correcting and removing an absence: its history, its covers, and closed months."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.absences import absence_record
from accounts.models import Absence, AbsenceKind
from payments.absence_changes import absence_delete, absence_update
from payments.assignments import absence_cover, client_reassign
from payments.models import Client, Payment
from payments.services import payment_record
from tests.factories import Cast, ClientFactory
from tests.test_workflow_helpers import closed_october

SINCE = dt.date(2026, 1, 1)
AWAY, UNTIL = dt.date(2026, 11, 9), dt.date(2026, 11, 20)


@pytest.fixture
def alfa(cast: Cast) -> Client:
    client = ClientFactory(department=cast.dept, name="Alfa Trade LLC")
    client_reassign(user=cast.admin, client=client, employee=cast.olya, on=SINCE, reason="New")
    return client


def _away(cast: Cast, first: dt.date = AWAY, last: dt.date = UNTIL) -> Absence:
    return absence_record(
        user=cast.head.user,
        employee=cast.olya,
        kind=AbsenceKind.VACATION,
        started_on=first,
        ended_on=last,
    )


def _covered(cast: Cast, client: Client, first: dt.date = AWAY, last: dt.date = UNTIL) -> Absence:
    absence = _away(cast, first, last)
    absence_cover(user=cast.head.user, absence=absence, cover={client: cast.vasya})
    return absence


def _history(client: Client) -> list[tuple[str, dt.date, dt.date | None]]:
    return [
        (a.employee.full_name, a.started_on, a.ended_on)
        for a in client.assignments.select_related("employee").order_by("started_on")
    ]


def _update(cast: Cast, absence: Absence, user: object = None, **change: object) -> Absence:
    fields = {
        "kind": absence.kind,
        "started_on": absence.started_on,
        "ended_on": absence.ended_on,
        "note": absence.note,
        "reason": "The HR system corrected it",
    }
    return absence_update(user=user or cast.head.user, absence=absence, **(fields | change))


def test_a_correction_moves_the_cover_and_the_payments_of_its_days(
    cast: Cast, alfa: Client
) -> None:
    # given Vasya covering Olya 9-20 November, and payments on the 5th, 10th and 24th
    absence = _covered(cast, alfa)
    for day in (dt.date(2026, 11, 5), dt.date(2026, 11, 10), dt.date(2026, 11, 24)):
        payment_record(user=cast.admin, client=alfa, amount="100.00", received_on=day)

    # when the head corrects the absence to 3-25 November
    _update(cast, absence, started_on=dt.date(2026, 11, 3), ended_on=dt.date(2026, 11, 25))

    # then the cover follows, Olya's time joins up around it, and each payment goes to
    # the holder of its day
    assert _history(alfa) == [
        ("Olya Smirnova", SINCE, dt.date(2026, 11, 2)),
        ("Vasya Sidorov", dt.date(2026, 11, 3), dt.date(2026, 11, 25)),
        ("Olya Smirnova", dt.date(2026, 11, 26), None),
    ]
    credited = dict(Payment.objects.filter(client=alfa).values_list("received_on", "responsible"))
    assert set(credited.values()) == {cast.vasya.pk}
    cover = alfa.assignments.get(employee=cast.vasya)
    assert cover.absence == absence
    assert "03.11.2026–25.11.2026" in cover.reason


def test_a_correction_is_recorded_in_the_absences_history(cast: Cast) -> None:
    absence = _away(cast)

    _update(
        cast,
        absence,
        kind=AbsenceKind.SICK_LEAVE,
        ended_on=dt.date(2026, 11, 13),
        note="Ill, not on leave",
        reason="Sick note from the clinic",
    )

    absence.refresh_from_db()
    assert (absence.kind, absence.ended_on, absence.note) == (
        "sick_leave",
        dt.date(2026, 11, 13),
        "Ill, not on leave",
    )
    latest = absence.history.latest()
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~",
        cast.head.user,
        "Sick note from the clinic",
    )
    assert absence.history.count() == 2


def test_removing_an_absence_ends_its_cover_and_keeps_a_history_row(
    cast: Cast, alfa: Client
) -> None:
    absence = _covered(cast, alfa)
    payment_record(user=cast.admin, client=alfa, amount="100.00", received_on=AWAY)
    pk = absence.pk

    absence_delete(user=cast.admin, absence=absence, reason="Recorded for the wrong person")

    # Olya's time with the client is one row again, and the payment is hers
    assert _history(alfa) == [("Olya Smirnova", SINCE, None)]
    assert Payment.objects.get(client=alfa).responsible == cast.olya
    assert not Absence.objects.filter(pk=pk).exists()
    gone = Absence.history.filter(id=pk).latest()
    assert (gone.history_type, gone.history_user, gone.history_change_reason) == (
        "-",
        cast.admin,
        "Recorded for the wrong person",
    )


def test_a_cover_at_the_start_of_her_time_is_given_back_on_removal(cast: Cast) -> None:
    # given a client Olya holds from the 9th only, covered by Vasya 9-20
    beta = ClientFactory(department=cast.dept)
    client_reassign(user=cast.admin, client=beta, employee=cast.olya, on=AWAY, reason="New")
    absence = _covered(cast, beta)
    assert _history(beta)[0] == ("Vasya Sidorov", AWAY, UNTIL)

    absence_delete(user=cast.head.user, absence=absence, reason="Cancelled")

    assert _history(beta) == [("Olya Smirnova", AWAY, None)]


def test_a_change_needs_a_reason(cast: Cast) -> None:
    absence = _away(cast)
    with pytest.raises(ValidationError) as refused:
        _update(cast, absence, ended_on=dt.date(2026, 11, 11), reason="  ")
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError):
        absence_delete(user=cast.head.user, absence=absence, reason="")
    absence.refresh_from_db()
    assert absence.ended_on == UNTIL


def test_a_correction_onto_another_absence_is_refused(cast: Cast) -> None:
    absence = _away(cast)
    _away(cast, dt.date(2026, 11, 23), dt.date(2026, 11, 27))

    with pytest.raises(ValidationError) as refused:
        _update(cast, absence, ended_on=dt.date(2026, 11, 24))

    assert "is already away from 23.11.2026 to 27.11.2026" in str(
        refused.value.message_dict["started_on"]
    )
    absence.refresh_from_db()
    assert absence.ended_on == UNTIL


@pytest.mark.parametrize("who", ["other_head", "masha", "director", "accountant"])
def test_only_the_own_head_or_an_administrator_changes_an_absence(cast: Cast, who: str) -> None:
    absence = _away(cast)
    user = getattr(cast, who).user
    with pytest.raises(PermissionDenied):
        _update(cast, absence, user=user, ended_on=dt.date(2026, 11, 11))
    with pytest.raises(PermissionDenied):
        absence_delete(user=user, absence=absence, reason="No")
    assert Absence.objects.get(pk=absence.pk).ended_on == UNTIL


def test_days_of_a_closed_month_never_change(cast: Cast) -> None:
    # given October closed, Olya away 27 October - 5 November
    closed_october(cast)
    absence = _away(cast, dt.date(2026, 10, 27), dt.date(2026, 11, 5))

    # when the head moves its start, or removes it, both touching October's days
    with pytest.raises(ValidationError) as moved:
        _update(cast, absence, started_on=dt.date(2026, 10, 29))
    with pytest.raises(ValidationError) as removed:
        absence_delete(user=cast.admin, absence=absence, reason="Error")

    # then both are refused, naming the month, and nothing changed
    for refused in (moved, removed):
        assert "October 2026 is closed for Client department" in str(
            refused.value.message_dict["started_on"]
        )
    absence.refresh_from_db()
    assert (absence.started_on, absence.ended_on) == (dt.date(2026, 10, 27), dt.date(2026, 11, 5))
    assert absence.history.count() == 1


def test_november_days_of_an_absence_begun_in_closed_october_may_change(cast: Cast) -> None:
    closed_october(cast)
    absence = _away(cast, dt.date(2026, 10, 27), dt.date(2026, 11, 5))

    _update(cast, absence, ended_on=dt.date(2026, 11, 12), note="Extended")

    absence.refresh_from_db()
    assert absence.ended_on == dt.date(2026, 11, 12)
    assert absence.started_on == dt.date(2026, 10, 27)


def test_a_cover_changed_by_hand_since_is_not_moved(cast: Cast, alfa: Client) -> None:
    # given the cover, then Masha taking over its last days on the client's page
    absence = _covered(cast, alfa)
    client_reassign(
        user=cast.head.user,
        client=alfa,
        employee=cast.masha,
        on=dt.date(2026, 11, 16),
        until=UNTIL,
        reason="Vasya is busy",
    )
    before = _history(alfa)

    with pytest.raises(ValidationError) as refused:
        _update(cast, absence, ended_on=dt.date(2026, 11, 25))

    assert "Alfa Trade LLC" in str(refused.value.message_dict["absence"])
    assert _history(alfa) == before
    absence.refresh_from_db()
    assert absence.ended_on == UNTIL
