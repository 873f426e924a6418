"""The whole life of the seed's October through the services (SPEC sections 2 and 6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.policy import Action, can
from compensation import services
from compensation.errors import PeriodChanged, SchemeChanged, SchemeMissing, WorkflowError
from compensation.models import (
    BonusPeriod,
    MonthlyScheme,
    PayLine,
    PeriodEvent,
    PeriodMember,
    PeriodState,
    ProposalLine,
    Revision,
)
from compensation.selectors import live_result, period_input, period_result
from payments.models import ImportBatch, ImportStatus
from tests.factories import Cast, PaymentFactory
from tests.test_workflow_helpers import (
    OCTOBER,
    closed_october,
    import_process,
    pay_in,
    proposed_october,
    seed_lines,
    set_scheme,
)

D = Decimal


def pay_lines(period: BonusPeriod, number: int | None = None) -> dict[str, tuple[D, D, D]]:
    revision = period.revisions.get(number=number or period.revision)
    return {
        line.employee.user.username: (line.base_salary, line.bonus, line.total)
        for line in revision.pay_lines.select_related("employee__user")
    }


def test_it_runs_the_seed_october_from_close_to_paid(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    # given the scheme of SPEC section 2 and 55 M collected in October
    set_scheme(cast)
    pay_in(cast)
    period = services.period_open(department=cast.dept, month=OCTOBER)

    # when the head closes, proposes Masha +15,000 and Vasya −6,000, and submits
    period = services.period_close(
        user=cast.head.user, period=period, expected_version=period.version
    )
    assert not can(cast.accountant.user, Action.EXPORT_PAYROLL, period)
    period = services.proposal_save(
        user=cast.head.user,
        period=period,
        expected_version=period.version,
        lines=seed_lines(cast),
    )
    with django_capture_on_commit_callbacks(execute=True):
        period = services.proposal_submit(
            user=cast.head.user, period=period, expected_version=period.version
        )
    assert [m.to for m in mail.outbox] == [["dina@example.com"]]
    assert not can(cast.accountant.user, Action.EXPORT_PAYROLL, period)

    # and the director approves
    with django_capture_on_commit_callbacks(execute=True):
        period = services.period_approve(
            user=cast.director.user, period=period, expected_version=period.version
        )

    # then the figures are those of SPEC section 2, pay = base + bonus
    assert period.state == PeriodState.APPROVED
    assert pay_lines(period) == {
        "ivan": (D("40000.00"), D("30000.00"), D("70000.00")),
        "masha": (D("20000.00"), D("27000.00"), D("47000.00")),
        "vasya": (D("20000.00"), D("6000.00"), D("26000.00")),
        "olya": (D("20000.00"), D("12000.00"), D("32000.00")),
    }
    result = period.revisions.get(number=1).result
    assert (result["collected"], result["pool"], result["head"]) == (
        "55000000.00",
        "75000.00",
        "30000.00",
    )
    assert result["equal_share"] == "12000.00"
    # the head and the accountant hear of their part; each staff member of their bonus
    assert sorted(m.to[0] for m in mail.outbox[1:]) == [
        "anna@example.com",
        "ivan@example.com",
        "masha@example.com",
        "olya@example.com",
        "vasya@example.com",
    ]
    assert can(cast.accountant.user, Action.EXPORT_PAYROLL, period)

    # and the accountant marks it paid
    period = services.period_mark_paid(
        user=cast.accountant.user, period=period, expected_version=period.version
    )
    assert period.state == PeriodState.PAID
    assert list(period.events.values_list("action", "from_state", "to_state", "actor")) == [
        ("close", "open", "closed", cast.head.user.pk),
        ("save_proposal", "closed", "closed", cast.head.user.pk),
        ("submit", "closed", "proposed", cast.head.user.pk),
        ("approve", "proposed", "approved", cast.director.user.pk),
        ("pay", "approved", "paid", cast.accountant.user.pk),
    ]


def test_it_records_history_with_who_and_why(cast: Cast) -> None:
    period = proposed_october(cast)

    masha_line = ProposalLine.objects.get(revision__period=period, employee=cast.masha)
    latest = masha_line.history.latest()
    assert latest.history_user == cast.head.user
    assert latest.history_change_reason == "Closed the two hardest clients"
    assert latest.prev_record.proposed_award == D("0.00")
    assert latest.proposed_award == D("15000.00")

    states = list(period.history.order_by("history_id").values_list("state", flat=True))
    assert states == ["open", "closed", "closed", "proposed"]
    assert period.history.latest().history_user == cast.head.user

    scheme = MonthlyScheme.objects.get(department=cast.dept, month=OCTOBER)
    assert scheme.history.latest().history_user == cast.director.user
    assert scheme.history.latest().history_change_reason == "Scheme of SPEC section 2"

    saved = period.events.get(action=PeriodEvent.Action.SAVE_PROPOSAL)
    assert saved.details["changes"][0] == {
        "employee": cast.masha.personnel_number,
        "old": {"award": "0.00", "deduction": "0.00"},
        "new": {"award": "15000.00", "deduction": "0.00"},
        "reason": "Closed the two hardest clients",
    }


# --- close ----------------------------------------------------------------------------


def test_it_freezes_scheme_payments_staff_and_salaries_at_close(cast: Cast) -> None:
    period = closed_october(cast)

    assert period.collected == D("55000000.00")
    assert period.payment_count == 4
    assert period.daily_totals[0] == ["2026-10-05", "20000000.00"]
    assert period.frozen_scheme["rate"] == "0.005"
    assert period.frozen_scheme["milestones"][1] == {
        "day": 25,
        "share_of_plan": "0.90",
        "fraction": "1/3",
    }
    assert (period.head, period.head_base_salary) == (cast.head, D("40000.00"))
    members = PeriodMember.objects.filter(period=period).order_by("order")
    assert [(m.employee, m.base_salary) for m in members] == [
        (cast.masha, D("20000.00")),
        (cast.olya, D("20000.00")),
        (cast.vasya, D("20000.00")),
    ]
    assert period.payment_count == 4
    assert period.revisions.get().number == 1


def test_it_never_recomputes_a_closed_period_from_live_data(cast: Cast) -> None:
    # given a closed October
    period = closed_october(cast)
    before = period_result(period)

    # when a late payment, a salary rise and a scheme change happen in the live data
    PaymentFactory(client__department=cast.dept, received_on=dt.date(2026, 10, 31))
    cast.masha.salaries.create(amount=D("99000.00"), effective_from=dt.date(2026, 9, 1))
    MonthlyScheme.objects.filter(department=cast.dept).update(threshold=D("0.00"))

    # then the period's figures are still the frozen ones
    assert period_result(period) == before
    assert period_input(period).base_salaries[cast.masha.personnel_number] == D("20000.00")


def test_it_shows_what_will_be_frozen_before_close(cast: Cast) -> None:
    set_scheme(cast)
    pay_in(cast)
    period = services.period_open(department=cast.dept, month=OCTOBER)

    preview = services.period_close_preview(user=cast.head.user, period=period)

    assert preview.can_close
    assert preview.figures.collected == D("55000000.00")
    assert preview.figures.payment_count == 4
    assert [m.met for m in preview.result.milestones] == [True, True]
    assert [m.employee for m in preview.figures.staff] == [cast.masha, cast.olya, cast.vasya]
    assert preview.figures.head == cast.head
    with pytest.raises(PermissionDenied):
        services.period_close_preview(user=cast.masha.user, period=period)


def test_it_refuses_to_close_before_the_month_has_ended(cast: Cast) -> None:
    this_month = timezone.localdate().replace(day=1)
    set_scheme(cast, month=this_month)
    period = services.period_open(department=cast.dept, month=this_month)

    with pytest.raises(WorkflowError, match="it can be closed from the next day"):
        services.period_close(user=cast.head.user, period=period, expected_version=period.version)

    period.refresh_from_db()
    assert period.state == PeriodState.OPEN


@pytest.mark.parametrize("status", [ImportStatus.PENDING, ImportStatus.RUNNING])
def test_it_refuses_to_close_while_an_import_of_the_month_runs(
    cast: Cast, status: ImportStatus
) -> None:
    set_scheme(cast)
    pay_in(cast)
    batch = ImportBatch.objects.create(
        file_name="october.csv",
        sha256="0" * 64,
        format="csv",
        status=status,
        first_date=dt.date(2026, 10, 20),
        last_date=dt.date(2026, 11, 3),
    )
    period = services.period_open(department=cast.dept, month=OCTOBER)

    # (a running one with its process alive: tests/test_running_imports.py has the dead)
    with import_process(batch), pytest.raises(WorkflowError, match=r"october\.csv"):
        services.period_close(user=cast.head.user, period=period, expected_version=period.version)
    period.refresh_from_db()
    assert (period.state, period.collected) == (PeriodState.OPEN, None)


def test_it_closes_while_an_import_of_another_month_runs(cast: Cast) -> None:
    ImportBatch.objects.create(
        file_name="november.csv",
        sha256="0" * 64,
        format="csv",
        status=ImportStatus.RUNNING,
        first_date=dt.date(2026, 11, 1),
        last_date=dt.date(2026, 11, 3),
    )

    assert closed_october(cast).state == PeriodState.CLOSED


def test_it_refuses_to_close_when_a_member_has_no_base_salary(cast: Cast) -> None:
    set_scheme(cast)
    cast.olya.salaries.all().delete()
    period = services.period_open(department=cast.dept, month=OCTOBER)

    with pytest.raises(WorkflowError, match="Olya Smirnova has no base salary"):
        services.period_close(user=cast.head.user, period=period, expected_version=period.version)


def test_it_refuses_to_close_a_department_without_staff(cast: Cast) -> None:
    set_scheme(cast)
    cast.dept.memberships.update(ended_on=dt.date(2026, 9, 30))
    period = services.period_open(department=cast.dept, month=OCTOBER)

    with pytest.raises(WorkflowError, match="no staff members"):
        services.period_close(user=cast.head.user, period=period, expected_version=period.version)


def test_it_refuses_a_stale_version(cast: Cast) -> None:
    period = closed_october(cast)

    with pytest.raises(PeriodChanged, match="reload the page"):
        services.proposal_submit(
            user=cast.head.user, period=period, expected_version=period.version - 1
        )


def test_it_refuses_a_transition_from_the_wrong_state(cast: Cast) -> None:
    period = closed_october(cast)

    with pytest.raises(WorkflowError, match="cannot be done while the period is"):
        services.period_approve(
            user=cast.director.user, period=period, expected_version=period.version
        )


# --- proposal lines ---------------------------------------------------------------------


def test_it_requires_a_reason_for_a_non_zero_line(cast: Cast) -> None:
    period = closed_october(cast)

    with pytest.raises(ValidationError) as raised:
        services.proposal_save(
            user=cast.head.user,
            period=period,
            expected_version=period.version,
            lines={cast.masha.pk: ("1000", "0", " "), cast.vasya.pk: ("-5", "0", "why")},
        )

    assert set(raised.value.message_dict) == {
        f"reason_{cast.masha.pk}",
        f"award_{cast.vasya.pk}",
    }
    assert not ProposalLine.objects.exclude(proposed_award=0).exists()


def test_it_keeps_the_directors_edit_beside_the_heads_figures(cast: Cast) -> None:
    # given a submitted proposal
    period = proposed_october(cast)

    # when the director lowers Masha's award
    period = services.proposal_edit(
        user=cast.director.user,
        period=period,
        expected_version=period.version,
        employee=cast.masha,
        award="9000.00",
        deduction="0",
        reason="Half of it was Olya's work",
    )
    period = services.period_approve(
        user=cast.director.user, period=period, expected_version=period.version
    )

    # then both figures are kept and the engine used the director's
    line = ProposalLine.objects.get(revision__period=period, employee=cast.masha)
    assert (line.proposed_award, line.approved_award) == (D("15000.00"), D("9000.00"))
    assert line.director_reason == "Half of it was Olya's work"
    # (45,000 − 9,000 + 6,000) / 3 = 14,000
    assert pay_lines(period)["masha"][1] == D("23000.00")
    assert pay_lines(period)["olya"][1] == D("14000.00")
    edit = period.events.get(action=PeriodEvent.Action.EDIT)
    assert edit.comment == "Half of it was Olya's work"
    assert edit.details["changes"][0]["old"]["award"] == "15000.00"


def test_it_refuses_a_deduction_beyond_the_persons_share(cast: Cast) -> None:
    period = closed_october(cast)

    # (45,000 + 30,000) / 3 = 25,000 is Vasya's share: 30,000 reaches into base pay
    with pytest.raises(ValidationError) as raised:
        services.proposal_save(
            user=cast.head.user,
            period=period,
            expected_version=period.version,
            lines={cast.vasya.pk: ("0", "30000.00", "Lost a client")},
        )

    assert list(raised.value.message_dict) == [f"deduction_{cast.vasya.pk}"]
    assert "never taken from base pay" in raised.value.message_dict[f"deduction_{cast.vasya.pk}"][0]


# --- schemes ----------------------------------------------------------------------------


def test_the_director_starts_a_new_month_as_a_copy_of_the_previous_scheme(cast: Cast) -> None:
    october = set_scheme(cast)

    november = services.scheme_start(
        user=cast.director.user, department=cast.dept, month=dt.date(2026, 11, 1)
    )

    assert november.pk != october.pk
    assert november.to_engine() == october.to_engine()
    latest = november.history.latest()
    assert latest.history_change_reason == "Copied from the scheme of 2026-10"
    assert latest.history_user == cast.director.user


def test_a_month_is_started_once(cast: Cast) -> None:
    set_scheme(cast)
    november = dt.date(2026, 11, 1)
    services.scheme_start(user=cast.director.user, department=cast.dept, month=november)

    with pytest.raises(WorkflowError, match="already has a scheme"):
        services.scheme_start(user=cast.director.user, department=cast.dept, month=november)
    assert MonthlyScheme.objects.filter(department=cast.dept, month=november).count() == 1


def test_only_the_director_starts_a_month(cast: Cast) -> None:
    set_scheme(cast)
    with pytest.raises(PermissionDenied):
        services.scheme_start(user=cast.head.user, department=cast.dept, month=dt.date(2026, 11, 1))
    assert MonthlyScheme.objects.count() == 1


def test_it_does_not_invent_a_first_scheme(cast: Cast) -> None:
    with pytest.raises(SchemeMissing):
        services.scheme_start(user=cast.director.user, department=cast.dept, month=OCTOBER)
    assert not MonthlyScheme.objects.exists()


def test_it_validates_a_scheme_with_the_engine_rules(cast: Cast) -> None:
    scheme = set_scheme(cast)

    with pytest.raises(ValidationError) as raised:
        services.scheme_update(
            user=cast.director.user,
            scheme=scheme,
            plan="50000000.00",
            threshold="40000000.00",
            rate="3/2",
            head_share="0.40",
            milestones=[(25, "0.90", "1/3"), (15, "0.50", "1/3")],
            reason="Try",
            expected_version=scheme.version,
        )

    assert list(raised.value.message_dict) == ["rate"]
    with pytest.raises(ValidationError) as raised:
        services.scheme_update(
            user=cast.director.user,
            scheme=scheme,
            plan="50000000.00",
            threshold="40000000.00",
            rate="0.005",
            head_share="0.40",
            milestones=[(25, "0.90", "1/3"), (15, "0.50", "1/3")],
            reason="Try",
            expected_version=scheme.version,
        )
    assert raised.value.message_dict == {
        "milestones": ["Milestone 2: days must be strictly increasing"]
    }


def test_it_updates_a_scheme_while_the_month_is_open(cast: Cast) -> None:
    scheme = set_scheme(cast)

    scheme = services.scheme_update(
        user=cast.director.user,
        scheme=scheme,
        plan="60000000.00",
        threshold="40000000.00",
        rate="1/200",
        head_share="0.40",
        milestones=[(20, "0.60", "1/2")],
        reason="A bigger plan for the season",
        expected_version=scheme.version,
    )

    assert scheme.plan == D("60000000.00")
    assert scheme.rate == "1/200"
    assert [(m.day, m.fraction) for m in scheme.milestones.all()] == [(20, "1/2")]
    assert scheme.history.latest().history_change_reason == "A bigger plan for the season"


def test_it_refuses_a_scheme_change_made_on_an_older_version(cast: Cast) -> None:
    scheme = set_scheme(cast)
    terms = {
        "user": cast.director.user,
        "scheme": scheme,
        "threshold": "40000000.00",
        "rate": "0.005",
        "head_share": "0.40",
        "milestones": [(15, "0.50", "1/3"), (25, "0.90", "1/3")],
    }
    services.scheme_update(plan="60000000.00", reason="First", expected_version=1, **terms)

    with pytest.raises(SchemeChanged, match="“First”"):
        services.scheme_update(plan="45000000.00", reason="Second", expected_version=1, **terms)

    scheme.refresh_from_db()
    assert (scheme.plan, scheme.version) == (D("60000000.00"), 2)
    assert [h.history_change_reason for h in scheme.history.order_by("history_date")] == [
        "Scheme of SPEC section 2",
        "First",
    ]


def test_it_refuses_to_change_the_scheme_of_a_closed_month(cast: Cast) -> None:
    closed_october(cast)
    scheme = MonthlyScheme.objects.get(department=cast.dept, month=OCTOBER)

    with pytest.raises(WorkflowError, match="closed"):
        services.scheme_update(
            user=cast.director.user,
            scheme=scheme,
            plan="1.00",
            threshold="0.00",
            rate="1",
            head_share="0",
            milestones=[],
            reason="Too late",
            expected_version=scheme.version,
        )


def test_it_lets_only_the_director_edit_a_scheme(cast: Cast) -> None:
    scheme = set_scheme(cast)

    with pytest.raises(PermissionDenied):
        services.scheme_update(
            user=cast.head.user,
            scheme=scheme,
            plan="1.00",
            threshold="0.00",
            rate="1",
            head_share="0",
            milestones=[],
            reason="Mine",
            expected_version=scheme.version,
        )


# --- live figures -------------------------------------------------------------------------


def test_it_computes_an_open_month_from_live_collections(cast: Cast) -> None:
    set_scheme(cast)
    pay_in(cast)

    result = live_result(cast.dept, OCTOBER)

    assert (result.collected, result.pool, result.head) == (
        D("55000000.00"),
        D("75000.00"),
        D("30000.00"),
    )
    assert result.line(cast.olya.personnel_number).bonus == D("15000.00")


def test_it_has_no_live_result_without_a_scheme(cast: Cast) -> None:
    assert live_result(cast.dept, OCTOBER) is None


def test_it_makes_one_period_per_department_and_month(cast: Cast) -> None:
    first = services.period_open(department=cast.dept, month=dt.date(2026, 10, 17))
    again = services.period_open(department=cast.dept, month=OCTOBER)

    assert first.pk == again.pk
    assert (first.month, first.state) == (OCTOBER, PeriodState.OPEN)
    assert PayLine.objects.count() == 0


# --- admin --------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [PayLine, PeriodEvent, Revision, ProposalLine, MonthlyScheme])
def test_the_admin_cannot_write_workflow_records(cast: Cast, rf, model: type) -> None:
    request = rf.get("/")
    request.user = cast.admin
    model_admin = admin.site._registry[model]

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_the_admin_cannot_set_a_period_state(cast: Cast, rf) -> None:
    period = closed_october(cast)
    request = rf.get("/")
    request.user = cast.admin

    readonly = admin.site._registry[BonusPeriod].get_readonly_fields(request, period)

    assert {"state", "version", "revision", "collected", "frozen_scheme"} <= set(readonly)
