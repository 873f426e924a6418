"""Approved and paid data cannot be changed by any path: services, admin, model, SQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.forms.models import model_to_dict
from django.test import Client as WebClient
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from compensation import services
from compensation.errors import ImmutableRecord, WorkflowError
from compensation.models import (
    BonusPeriod,
    PayLine,
    PeriodEvent,
    PeriodMember,
    PeriodState,
    ProposalLine,
    Revision,
)
from compensation.selectors import current_revision
from tests.factories import Cast, person
from tests.test_workflow_helpers import approved_october, seed_lines


def paid_october(cast: Cast) -> BonusPeriod:
    period = approved_october(cast)
    return services.period_mark_paid(
        user=cast.accountant.user, period=period, expected_version=period.version
    )


@pytest.fixture(params=[PeriodState.APPROVED, PeriodState.PAID])
def settled(request: pytest.FixtureRequest, cast: Cast) -> BonusPeriod:
    """October, approved or paid."""
    return approved_october(cast) if request.param == PeriodState.APPROVED else paid_october(cast)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of the approved data, to compare before and after an attempt."""
    models = (BonusPeriod, Revision, ProposalLine, PayLine, PeriodMember)
    return {
        model.__name__: [model_to_dict(row) for row in model.objects.order_by("pk")]
        for model in models
    }


@contextmanager
def unchanged() -> Iterator[None]:
    before = snapshot()
    yield
    assert snapshot() == before


# --- (a) services ------------------------------------------------------------------------


def _attempts(cast: Cast) -> dict[str, Callable[[BonusPeriod], Any]]:
    head, director = cast.head.user, cast.director.user
    return {
        "proposal_save": lambda p: services.proposal_save(
            user=head, period=p, expected_version=p.version, lines=seed_lines(cast)
        ),
        "proposal_submit": lambda p: services.proposal_submit(
            user=head, period=p, expected_version=p.version
        ),
        "proposal_edit": lambda p: services.proposal_edit(
            user=director,
            period=p,
            expected_version=p.version,
            employee=cast.olya,
            award="1000.00",
            deduction="0",
            reason="More",
        ),
        "period_close": lambda p: services.period_close(
            user=head, period=p, expected_version=p.version
        ),
        "period_return": lambda p: services.period_return(
            user=director, period=p, expected_version=p.version, comment="Again"
        ),
        "period_approve": lambda p: services.period_approve(
            user=person("boris", "Boris Lebedev", Role.DIRECTOR).user,
            period=p,
            expected_version=p.version,
        ),
    }


@pytest.mark.parametrize(
    "step",
    [
        "proposal_save",
        "proposal_submit",
        "proposal_edit",
        "period_close",
        "period_return",
        "period_approve",
    ],
)
def test_no_workflow_step_changes_an_approved_or_paid_period(
    cast: Cast, settled: BonusPeriod, step: str
) -> None:
    events = PeriodEvent.objects.count()
    with unchanged(), pytest.raises(WorkflowError) as refused:
        _attempts(cast)[step](settled)

    assert refused.value.code == "wrong_state"
    assert PeriodEvent.objects.count() == events


def test_a_paid_period_reopened_keeps_what_was_paid(cast: Cast) -> None:
    period = paid_october(cast)
    paid = {line.pk: line.bonus for line in PayLine.objects.all()}

    period = services.period_reopen(
        user=cast.director.user, period=period, expected_version=period.version, reason="Oops"
    )

    assert period.revision == 2
    assert {line.pk: line.bonus for line in PayLine.objects.all()} == paid
    assert period.revisions.get(number=1).paid_at is not None


def test_a_paid_period_cannot_be_marked_paid_again(cast: Cast) -> None:
    period = paid_october(cast)

    # The policy already refuses it (the accountant may mark only approved periods).
    with unchanged(), pytest.raises((WorkflowError, PermissionDenied)):
        services.period_mark_paid(
            user=cast.accountant.user, period=period, expected_version=period.version
        )


def test_reopening_leaves_the_approved_revision_as_it_was(cast: Cast) -> None:
    # given an approved October
    period = approved_october(cast)
    first = current_revision(period)
    before = snapshot()

    # when the director reopens it
    services.period_reopen(
        user=cast.director.user, period=period, expected_version=period.version, reason="Fix"
    )

    # then revision 1, its proposal and pay lines are untouched; revision 2 is new
    after = snapshot()
    assert [r for r in after["Revision"] if r["id"] == first.pk] == [
        r for r in before["Revision"] if r["id"] == first.pk
    ]
    assert after["PayLine"] == before["PayLine"]
    old_lines = [line for line in after["ProposalLine"] if line["revision"] == first.pk]
    assert old_lines == before["ProposalLine"]
    assert current_revision(BonusPeriod.objects.get(pk=period.pk)).number == 2


# --- (b) admin ---------------------------------------------------------------------------


@pytest.fixture
def admin_client(cast: Cast) -> WebClient:
    client = WebClient()
    client.force_login(cast.admin)
    return client


def _admin_url(obj: Any, view: str) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


def _targets(period: BonusPeriod) -> list[Any]:
    revision = current_revision(period)
    return [period, revision, revision.proposal.first(), revision.pay_lines.first()]


def test_the_admin_refuses_to_change_approved_data(
    cast: Cast, settled: BonusPeriod, admin_client: WebClient
) -> None:
    for obj in _targets(settled):
        data = {**model_to_dict(obj), "state": PeriodState.OPEN, "result": "{}"}
        data.update({"collected": "1.00", "bonus": "1.00", "proposed_award": "99.00"})
        data = {key: value for key, value in data.items() if value is not None}

        with unchanged():
            response = admin_client.post(_admin_url(obj, "change"), data)

        assert response.status_code == 403, obj


def test_the_admin_refuses_to_delete_approved_data(
    cast: Cast, settled: BonusPeriod, admin_client: WebClient
) -> None:
    for obj in _targets(settled):
        with unchanged():
            response = admin_client.post(_admin_url(obj, "delete"), {"post": "yes"})

        assert response.status_code == 403, obj


def test_the_admin_bulk_delete_action_does_nothing(
    cast: Cast, settled: BonusPeriod, admin_client: WebClient
) -> None:
    for obj in _targets(settled):
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        with unchanged():
            admin_client.post(
                url, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
            )


# --- (c) model save and delete -------------------------------------------------------------


def _refused(write: Callable[[], Any]) -> None:
    with unchanged(), pytest.raises(ImmutableRecord), transaction.atomic():
        write()


def test_a_pay_line_is_never_saved_again(cast: Cast, settled: BonusPeriod) -> None:
    line = current_revision(settled).pay_lines.first()
    line.bonus += Decimal("1.00")
    line.total += Decimal("1.00")

    _refused(line.save)


def test_a_pay_line_is_never_deleted(cast: Cast, settled: BonusPeriod) -> None:
    _refused(current_revision(settled).pay_lines.first().delete)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("result", {"collected": "1.00"}),
        ("approved_by_id", None),
        ("approved_at", None),
        ("proposed_by_id", None),
        ("reopen_reason", "edited"),
    ],
)
def test_an_approved_revision_is_never_changed(
    cast: Cast, settled: BonusPeriod, field: str, value: Any
) -> None:
    revision = current_revision(settled)
    setattr(revision, field, value)

    _refused(revision.save)
    _refused(lambda: revision.save(update_fields=[field.removesuffix("_id")]))


def test_an_approved_revision_takes_the_payment_once(cast: Cast) -> None:
    period = paid_october(cast)
    revision = current_revision(period)
    revision.paid_by = cast.admin
    revision.paid_at = timezone.now()

    _refused(lambda: revision.save(update_fields=["paid_by", "paid_at"]))


def test_an_approved_revision_is_never_deleted(cast: Cast, settled: BonusPeriod) -> None:
    _refused(current_revision(settled).delete)


def test_the_proposal_of_an_approved_revision_is_never_changed(
    cast: Cast, settled: BonusPeriod
) -> None:
    revision = current_revision(settled)
    line = revision.proposal.get(employee=cast.olya)
    line.proposed_award = Decimal("1000.00")
    line.reason = "Later"

    _refused(line.save)
    _refused(revision.proposal.get(employee=cast.olya).delete)
    _refused(
        lambda: ProposalLine(revision=revision, employee=cast.head, reason="x").save(),
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("frozen_scheme", {"plan": "1.00"}),
        ("collected", Decimal("1.00")),
        ("payment_count", 1),
        ("daily_totals", []),
        ("head_base_salary", Decimal("1.00")),
        ("closed_at", None),
    ],
)
def test_the_figures_frozen_at_close_never_change(
    cast: Cast, settled: BonusPeriod, field: str, value: Any
) -> None:
    period = BonusPeriod.objects.get(pk=settled.pk)
    setattr(period, field, value)

    _refused(period.save)


def test_a_closed_period_and_its_staff_are_never_deleted(cast: Cast, settled: BonusPeriod) -> None:
    _refused(BonusPeriod.objects.get(pk=settled.pk).delete)
    _refused(settled.members.first().delete)


def test_the_staff_frozen_at_close_are_never_saved_again(cast: Cast, settled: BonusPeriod) -> None:
    member = settled.members.first()
    member.base_salary = Decimal("1.00")

    _refused(member.save)


def test_the_workflow_may_still_move_an_approved_period_on(cast: Cast) -> None:
    # state, version and revision are the workflow's; only the frozen figures are fixed
    period = paid_october(cast)

    assert BonusPeriod.objects.get(pk=period.pk).state == PeriodState.PAID
    assert current_revision(period).paid_by == cast.accountant.user


# --- (d) set-based SQL, PostgreSQL triggers -----------------------------------------------


def _sql_refused(write: Callable[[], Any]) -> None:
    with unchanged(), pytest.raises(DatabaseError), transaction.atomic():
        write()


def test_a_pay_line_update_or_delete_is_refused_by_the_database(
    cast: Cast, settled: BonusPeriod
) -> None:
    lines = PayLine.objects.filter(revision__period=settled)

    _sql_refused(lambda: lines.update(order=99))
    _sql_refused(lines.delete)


@pytest.mark.parametrize(
    ("field", "value"),
    [("result", None), ("approved_at", None), ("reopen_reason", "edited"), ("number", 7)],
)
def test_an_approved_revision_update_is_refused_by_the_database(
    cast: Cast, settled: BonusPeriod, field: str, value: Any
) -> None:
    revisions = Revision.objects.filter(period=settled)

    _sql_refused(lambda: revisions.update(**{field: value}))


def test_the_payment_fields_are_settable_once_in_the_database(cast: Cast) -> None:
    period = approved_october(cast)
    revisions = Revision.objects.filter(period=period)

    revisions.update(paid_by=cast.accountant.user, paid_at=timezone.now())

    _sql_refused(lambda: revisions.update(paid_at=None))
    _sql_refused(revisions.delete)


def test_frozen_figures_and_approved_proposals_are_refused_by_the_database(
    cast: Cast, settled: BonusPeriod
) -> None:
    periods = BonusPeriod.objects.filter(pk=settled.pk)
    lines = ProposalLine.objects.filter(revision__period=settled)

    _sql_refused(lambda: periods.update(collected=Decimal("1.00")))
    _sql_refused(lambda: periods.update(frozen_scheme=None))
    _sql_refused(periods.delete)
    _sql_refused(lambda: lines.update(proposed_award=Decimal("1.00")))
    _sql_refused(lines.delete)
    _sql_refused(lambda: PeriodMember.objects.filter(period=settled).update(order=42))


def test_the_state_of_a_closed_period_may_still_move_in_the_database(
    cast: Cast, settled: BonusPeriod
) -> None:
    # The workflow's own columns stay writable; the services guard their transitions.
    BonusPeriod.objects.filter(pk=settled.pk).update(version=settled.version + 1)

    assert BonusPeriod.objects.get(pk=settled.pk).version == settled.version + 1
