"""Failures midway leave the database as it was: imports and workflow transitions.

Real transactions are exercised (``transaction=True``), so a rollback is PostgreSQL's own,
not the test wrapper's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.forms.models import model_to_dict

from accounts.policy import SYSTEM
from compensation import services
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
from compensation.services import closing, proposals, review
from payments.importing import payments_import, rules, writer
from payments.models import ImportBatch, ImportStatus, Payment, UnmatchedPayment
from tests.factories import Cast, ClientFactory, PaymentFactory, build_cast, make_inn
from tests.test_workflow_helpers import (
    OCTOBER,
    approved_october,
    closed_october,
    pay_in,
    proposed_october,
    seed_lines,
    set_scheme,
)

pytestmark = [
    # Committed data; the serialised rollback restores the role groups for later tests.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROWS = 3000
FAIL_AT = 1500


@pytest.fixture
def people() -> Cast:
    return build_cast()


def _count_calls(original: Callable[..., Any], fail_at: int) -> Callable[..., Any]:
    """``original``, raising RuntimeError on its ``fail_at``-th call."""
    calls = {"n": 0}

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise RuntimeError(f"simulated failure at call {fail_at}")
        return original(*args, **kwargs)

    return counted


# --- imports -------------------------------------------------------------------------------


def big_csv(inns: list[str]) -> bytes:
    lines = ["date,amount,inn,reference"]
    for row in range(ROWS):
        day = dt.date(2025, 11, 1) + dt.timedelta(days=row % 28)
        lines.append(f"{day.isoformat()},{100 + row}.50,{inns[row % len(inns)]},R-{row}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def big_file(people: Cast) -> bytes:
    inns = [make_inn(9000 + n) for n in range(5)]
    for inn in inns:
        ClientFactory(inn=inn, department=people.dept)
    # Something there before, so "unchanged" means more than "still empty".
    PaymentFactory(received_on=dt.date(2025, 10, 1))
    return big_csv(inns)


def _fail_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    # Row 1,500's check raises: half the file has already been read and staged.
    monkeypatch.setattr(rules, "check_row", _count_calls(rules.check_row, FAIL_AT))


def _fail_writing(monkeypatch: pytest.MonkeyPatch) -> None:
    # The payments are already inserted when the unmatched ones are written.
    def broken(*args: Any, **kwargs: Any) -> None:
        assert Payment.objects.count() > 1, "the payments should be written by now"
        raise RuntimeError("simulated failure after the payments were written")

    monkeypatch.setattr(writer, "_write_unmatched", broken)


@pytest.mark.parametrize("break_it", [_fail_reading, _fail_writing])
def test_an_import_failing_midway_writes_nothing(
    big_file: bytes, monkeypatch: pytest.MonkeyPatch, break_it: Callable[..., None]
) -> None:
    # given a 3,000-row file whose import breaks halfway
    payments, unmatched = Payment.objects.count(), UnmatchedPayment.objects.count()
    history = Payment.history.count()
    break_it(monkeypatch)

    # when it is imported, the failure is not swallowed
    with pytest.raises(RuntimeError, match="simulated failure"):
        payments_import(user=SYSTEM, file_name="big.csv", data=big_file)

    # then nothing of it is kept, and its batch says it failed
    assert Payment.objects.count() == payments
    assert Payment.history.count() == history
    assert UnmatchedPayment.objects.count() == unmatched
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED
    assert batch.new_count == 0
    assert "RuntimeError: simulated failure" in batch.errors[-1]["message"]


def test_the_same_file_imports_whole_once_the_failure_is_gone(
    big_file: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patched:
        _fail_writing(patched)
        with pytest.raises(RuntimeError):
            payments_import(user=SYSTEM, file_name="big.csv", data=big_file)

    result = payments_import(user=SYSTEM, file_name="big.csv", data=big_file)

    assert (result.new, result.duplicate, result.errors) == (ROWS, 0, [])


# --- workflow transitions ---------------------------------------------------------------


def snapshot() -> dict[str, Any]:
    """Every workflow row, every payment, and the history tables' sizes."""
    models = (BonusPeriod, Revision, ProposalLine, PayLine, PeriodMember, PeriodEvent)
    rows = {m.__name__: [model_to_dict(r) for r in m.objects.order_by("pk")] for m in models}
    rows["payments"] = [model_to_dict(p) for p in Payment.objects.order_by("pk")]
    rows["history"] = [
        BonusPeriod.history.count(),
        ProposalLine.history.count(),
        Payment.history.count(),
    ]
    return rows


def _half_bulk_create(monkeypatch: pytest.MonkeyPatch) -> None:
    """PayLine.objects.bulk_create writes the first two lines, then fails."""
    manager = PayLine.objects
    original = manager.bulk_create

    def half(objs: Any, *args: Any, **kwargs: Any) -> Any:
        objs = list(objs)
        original(objs[:2], *args, **kwargs)
        assert PayLine.objects.count() == 2
        raise RuntimeError("simulated failure after two pay lines")

    monkeypatch.setattr(manager, "bulk_create", half)


def test_an_approval_failing_midway_leaves_the_period_proposed(
    people: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a proposed October, and a pay-line writer that breaks after two lines
    period = proposed_october(people)
    before = snapshot()
    _half_bulk_create(monkeypatch)

    # when the director approves
    with pytest.raises(RuntimeError):
        services.period_approve(
            user=people.director.user, period=period, expected_version=period.version
        )

    # then it is still proposed: no pay line, no approval, no event
    assert snapshot() == before
    period.refresh_from_db()
    revision = current_revision(period)
    assert period.state == PeriodState.PROPOSED
    assert PayLine.objects.count() == 0
    assert (revision.approved_at, revision.approved_by, revision.result) == (None, None, None)
    assert not PeriodEvent.objects.filter(action=PeriodEvent.Action.APPROVE).exists()


def test_a_close_failing_after_totalling_payments_leaves_the_period_open(
    people: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given October with its payments, and a staff-freezing step that breaks
    set_scheme(people)
    pay_in(people)
    period = services.period_open(department=people.dept, month=OCTOBER)
    before = snapshot()

    def broken(period: BonusPeriod, *args: Any, **kwargs: Any) -> None:
        assert period.collected == Decimal("55000000.00"), "payments totalled first"
        raise RuntimeError("simulated failure while freezing the staff")

    monkeypatch.setattr(closing, "_freeze_staff", broken)

    # when the head closes it
    with pytest.raises(RuntimeError):
        services.period_close(user=people.head.user, period=period, expected_version=1)

    # then nothing is frozen and the period is open as before
    assert snapshot() == before
    period.refresh_from_db()
    assert (period.state, period.closed_at, period.collected) == (PeriodState.OPEN, None, None)


def _steps(cast: Cast) -> dict[str, tuple[Callable[[Cast], BonusPeriod], Any, Any]]:
    """step → (how to get there, the module whose record_event to break, the call)."""
    head, director, accountant = cast.head.user, cast.director.user, cast.accountant.user
    return {
        "save": (
            closed_october,
            proposals,
            lambda p: services.proposal_save(
                user=head, period=p, expected_version=p.version, lines=seed_lines(cast)
            ),
        ),
        "submit": (
            closed_october,
            proposals,
            lambda p: services.proposal_submit(user=head, period=p, expected_version=p.version),
        ),
        "edit": (
            proposed_october,
            proposals,
            lambda p: services.proposal_edit(
                user=director,
                period=p,
                expected_version=p.version,
                employee=cast.olya,
                award=Decimal("1000.00"),
                deduction=Decimal("0"),
                reason="Olya too",
            ),
        ),
        "return": (
            proposed_october,
            review,
            lambda p: services.period_return(
                user=director, period=p, expected_version=p.version, comment="Again"
            ),
        ),
        "reopen": (
            approved_october,
            review,
            lambda p: services.period_reopen(
                user=director, period=p, expected_version=p.version, reason="Fix"
            ),
        ),
        "mark_paid": (
            approved_october,
            review,
            lambda p: services.period_mark_paid(
                user=accountant, period=p, expected_version=p.version
            ),
        ),
    }


@pytest.mark.parametrize("step", ["save", "submit", "edit", "return", "reopen", "mark_paid"])
def test_a_transition_failing_at_its_last_write_changes_nothing(
    people: Cast, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    # given the period where the step starts; its event row (written last) breaks
    arrive, module, act = _steps(people)[step]
    period = arrive(people)
    before = snapshot()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("simulated failure at the event row")

    monkeypatch.setattr(module, "record_event", broken)

    # when the step runs, it fails
    with pytest.raises(RuntimeError):
        act(BonusPeriod.objects.get(pk=period.pk))

    # then every row it had written is gone
    assert snapshot() == before


def test_snapshot_sees_a_transition(people: Cast) -> None:
    # A sanity check of the helper: a step that succeeds does change the snapshot.
    period = closed_october(people)
    before = snapshot()

    services.proposal_submit(user=people.head.user, period=period, expected_version=period.version)

    assert snapshot() != before


@pytest.fixture(autouse=True)
def _no_leftover_batches() -> Iterator[None]:
    yield
    assert not ImportBatch.objects.filter(status=ImportStatus.RUNNING).exists()
