"""``load_demo``: SPEC section 2's department with a login per role, idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db.models import Model
from pytest_django import Settings

from accounts.management.commands.load_demo import PASSWORD
from accounts.models import BaseSalary, Department, Employee, Membership, Role
from compensation.models import MonthlyScheme, SchemeMilestone
from payments.assignments import client_responsible_on
from payments.inn import is_valid_inn
from payments.models import Client, ClientAssignment, Payment, Source
from payments.selectors import MilestoneStatus, collected_total, month_bounds, plan_progress

OCTOBER = dt.date(2026, 10, 1)
NOVEMBER = dt.date(2026, 11, 1)
TODAY = dt.date(2026, 11, 27)
LOGINS = {
    "head": Role.HEAD,
    "masha": Role.STAFF,
    "vasya": Role.STAFF,
    "olya": Role.STAFF,
    "director": Role.DIRECTOR,
    "accountant": Role.ACCOUNTANT,
}
MODELS: tuple[type[Model], ...] = (
    User,
    User.groups.through,
    Employee,
    Department,
    Membership,
    BaseSalary,
    Client,
    ClientAssignment,
    Payment,
    MonthlyScheme,
    SchemeMilestone,
)


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    counts = {model._meta.label: model.objects.count() for model in MODELS}
    for model in MODELS:
        history = getattr(model, "history", None)
        if history is not None:
            counts[f"{model._meta.label} history"] = history.count()
    return counts


@pytest.fixture
def demo(db: None, settings: Settings) -> Department:
    settings.DEBUG = True
    load_demo()
    return Department.objects.get(name="Клиентский отдел")


def test_a_second_run_changes_nothing(demo: Department) -> None:
    before = row_counts()

    output = load_demo()

    assert row_counts() == before
    assert PASSWORD in output


def test_it_refuses_to_run_without_debug(db: None, settings: Settings) -> None:
    settings.DEBUG = False

    with pytest.raises(CommandError):
        load_demo()

    assert not User.objects.exists()


def test_force_runs_it_without_debug(db: None, settings: Settings) -> None:
    settings.DEBUG = False

    call_command("load_demo", "--force", stdout=StringIO())

    assert User.objects.filter(username="admin", is_superuser=True).exists()


def test_october_reproduces_the_55m_example(demo: Department) -> None:
    progress = plan_progress(demo, OCTOBER, today=TODAY)

    assert collected_total(demo, OCTOBER) == Decimal("55000000.00")
    assert progress is not None
    assert progress.pool == Decimal("75000.00")
    assert [(m.day, m.status) for m in progress.milestones] == [
        (15, MilestoneStatus.MET),
        (25, MilestoneStatus.MET),
    ]
    assert progress.milestones[0].collected >= Decimal("25000000.00")
    assert progress.milestones[1].collected >= Decimal("45000000.00")


def test_october_has_a_voided_payment_that_does_not_count(demo: Department) -> None:
    voided = Payment.objects.exclude(voided_at=None).get()

    assert voided.received_on.month == 10
    assert voided.void_reason


def test_november_is_the_running_month(demo: Department) -> None:
    first, last = month_bounds(NOVEMBER)
    november = Payment.objects.filter(received_on__gte=first, received_on__lte=last)

    assert november.exists()
    assert not november.filter(received_on__gt=TODAY).exists()
    assert plan_progress(demo, NOVEMBER, today=TODAY) is not None


def test_the_department_is_a_head_and_three_staff_on_100k_base(demo: Department) -> None:
    staff = Employee.objects.members_of(demo, OCTOBER, month_bounds(OCTOBER)[1])
    people = [demo.head, *staff]
    salaries = [employee_base_salary(employee=person, month=OCTOBER) for person in people]

    assert demo.head is not None
    assert demo.head.position == "Начальник клиентского отдела"
    assert sorted(e.user.username for e in staff) == ["masha", "olya", "vasya"]
    assert {e.position for e in staff} == {"Менеджер по работе с клиентами"}
    assert employee_base_salary(employee=demo.head, month=OCTOBER) == Decimal("40000.00")
    assert sum(salaries, Decimal("0.00")) == Decimal("100000.00")


def test_a_login_per_role_with_the_printed_password(demo: Department) -> None:
    for username, role in LOGINS.items():
        user = User.objects.get(username=username)
        assert user.check_password(PASSWORD), username
        assert list(user.groups.values_list("name", flat=True)) == [role.value]
        assert user.employee.full_name
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password(PASSWORD)


def test_every_client_has_a_valid_inn_and_a_responsible(demo: Department) -> None:
    clients = list(Client.objects.filter(department=demo))

    assert len(clients) >= 25
    assert all(is_valid_inn(client.inn) for client in clients)
    assert {c.responsible.user.username for c in clients} == {"masha", "vasya", "olya"}
    for client in clients:
        assert client.assignments.filter(ended_on=None).get().employee == client.responsible


def test_payments_are_manual_with_stable_references(demo: Department) -> None:
    payments = Payment.objects.all()

    assert set(payments.values_list("source", flat=True)) == {Source.MANUAL}
    assert payments.filter(source_ref="demo-2026-10-001").exists()
    assert all(ref.startswith("demo-20") for ref in payments.values_list("source_ref", flat=True))


def test_a_leave_cover_shows_in_history_and_on_the_payment(demo: Department) -> None:
    client = Client.objects.get(name="ООО «Дельта-Сервис»")
    payment = Payment.objects.get(client=client, received_on__month=11)

    assert client.assignments.count() == 3
    assert client.responsible.user.username == "vasya"
    assert client_responsible_on(client, payment.received_on).user.username == "olya"
    assert payment.responsible.user.username == "olya"


def employee_base_salary(*, employee: Employee, month: dt.date) -> Decimal | None:
    """The base salary in force on the month's first day, as the month's payroll reads it."""
    return (
        Employee.objects.with_base_salary(month.replace(day=1))
        .filter(pk=employee.pk)
        .values_list("base_salary", flat=True)
        .first()
    )


def test_the_printed_logins_name_the_administrator_too(db: None, settings: Settings) -> None:
    settings.DEBUG = True
    output = load_demo()
    [admin_line] = [line for line in output.splitlines() if line.startswith("admin ")]
    assert admin_line.split()[1:3] == ["Олег", "Белов"]
    assert User.objects.get(username="admin").get_full_name() == "Олег Белов"


def test_the_demo_records_vasyas_november_leave_with_its_cover(demo: Department) -> None:
    from accounts.models import Absence

    absence = Absence.objects.get()
    assert (absence.employee.user.username, absence.kind) == ("vasya", "vacation")
    assert (absence.started_on, absence.ended_on) == (dt.date(2026, 11, 9), dt.date(2026, 11, 22))
    cover = Client.objects.get(name="ООО «Дельта-Сервис»").assignments.get(
        started_on=absence.started_on
    )
    assert (cover.employee.user.username, cover.ended_on) == ("olya", absence.ended_on)


def test_november_has_invoices_some_paid_some_promised_some_overdue(demo: Department) -> None:
    from payments.outstanding import billed, with_promises

    november = dt.date(2026, 11, 1)
    owed = with_promises(list(billed(demo, november)), november, today=dt.date(2026, 11, 27))

    assert len(owed) == 30
    debts = {row.client.name: row.owed for row in owed if row.owed}
    assert debts == {
        "ООО «Технопарк-Норд»": Decimal("1450000.00"),
        "ООО «Вектор Плюс»": Decimal("1000000.00"),
        "ООО «Ярмарка»": Decimal("600000.00"),
    }
    assert all(row.overdue_days == 17 for row in owed if row.owed)
    promised = [row for row in owed if row.promises]
    assert [(r.client.name, r.promises[0].amount) for r in promised] == [
        ("ООО «Вектор Плюс»", Decimal("1000000.00"))
    ]


# --- twelve months of history --------------------------------------------------------------


def test_twelve_months_of_two_departments_with_a_gap_that_shrinks_after_the_scheme(
    demo: Department,
) -> None:
    from compensation.company_cash import company_cash_gap

    data = company_cash_gap(NOVEMBER, today=TODAY)

    assert Department.objects.count() == 2
    assert len(data.trend) == 12
    assert all(month.gap.collected > 0 for month in data.trend)
    assert all(month.gap.obligations > 0 for month in data.trend)
    before = [m.gap.deepest for m in data.trend if not m.after_scheme]
    after = [m.gap.deepest for m in data.trend if m.after_scheme]
    assert len(before) == 6
    assert len(after) == 6
    # Late payers before the scheme, early ones after it: every month before is deeper.
    assert min(before) > max(after) * 3


def test_past_months_are_approved_and_paid_through_the_workflow(demo: Department) -> None:
    from compensation.models import BonusPeriod, PayLine

    states = dict(BonusPeriod.objects.filter(department=demo).values_list("month", "state"))

    assert states == {
        dt.date(2026, 6, 1): "paid",
        dt.date(2026, 7, 1): "paid",
        dt.date(2026, 8, 1): "paid",
        dt.date(2026, 9, 1): "approved",
    }
    # the head and three staff, every month
    assert PayLine.objects.filter(revision__period__department=demo).count() == 16


def test_the_history_is_loaded_once(demo: Department) -> None:
    from compensation.models import BonusPeriod, MonthlyObligation

    counts = (
        Payment.objects.count(),
        BonusPeriod.objects.count(),
        MonthlyObligation.objects.count(),
    )

    output = load_demo()

    assert (
        Payment.objects.count(),
        BonusPeriod.objects.count(),
        MonthlyObligation.objects.count(),
    ) == counts
    assert "head2" in output


def test_without_history_only_the_seed_is_loaded(db: None, settings: Settings) -> None:
    # The benchmark closes its own past months: the demo must leave them free.
    from compensation.models import BonusPeriod, MonthlyObligation

    settings.DEBUG = True
    call_command("load_demo", "--without-history", stdout=StringIO())

    assert list(Department.objects.values_list("name", flat=True)) == ["Клиентский отдел"]
    assert not BonusPeriod.objects.exists()
    assert not MonthlyObligation.objects.exists()
    assert set(MonthlyScheme.objects.values_list("month", flat=True)) == {OCTOBER, NOVEMBER}


# --- the current month (relative to today) ------------------------------------------------

ALPHA, VECTOR = "ООО «Альфа-Трейд»", "ООО «Вектор Плюс»"


@pytest.fixture(params=[dt.date(2026, 12, 9), dt.date(2027, 1, 20)], ids=str)
def current(
    request: pytest.FixtureRequest, db: None, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> dt.date:
    from django.utils import timezone

    today: dt.date = request.param
    settings.DEBUG = True
    monkeypatch.setattr(timezone, "localdate", lambda *args: today)
    load_demo()
    return today


def test_the_current_month_has_invoices_some_settled_some_overdue_some_not_due(
    current: dt.date,
) -> None:
    from payments.outstanding import billed, with_promises

    department = Department.objects.get(name="Клиентский отдел")
    month = current.replace(day=1)
    owed = with_promises(list(billed(department, month)), month, today=current)

    assert len(owed) == 30
    assert all(row.invoiced > 0 for row in owed)
    settled = {row.client.name for row in owed if row.received and not row.owed}
    overdue = {row.client.name for row in owed if row.overdue_days}
    not_yet_due = {row.client.name for row in owed if row.owed and not row.overdue_days}
    assert "ООО «Бета-Логистик»" in settled
    assert {ALPHA, VECTOR, "ООО «Технопарк-Норд»"} <= overdue
    assert "ООО «Орион-Фарм»" in not_yet_due
    alpha = next(row for row in owed if row.client.name == ALPHA)
    assert alpha.received == Decimal("1300000.00")
    assert alpha.owed == Decimal("2000000.00")


def test_on_the_9th_the_early_payers_have_paid_and_the_late_ones_are_not_due(
    db: None, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.utils import timezone

    from payments.outstanding import billed, call_list, call_list_open, with_promises

    today = dt.date(2026, 12, 9)
    settings.DEBUG = True
    monkeypatch.setattr(timezone, "localdate", lambda *args: today)
    load_demo()
    department = Department.objects.get(name="Клиентский отдел")
    december = dt.date(2026, 12, 1)
    owed = with_promises(list(billed(department, december)), december, today=today)

    # Paid on their usual (November) day, before the 9th: the 2nd, 3rd, 5th and 6th.
    assert {row.client.name for row in owed if row.received and not row.owed} == {
        "ООО «Бета-Логистик»",
        "АО «Волга-Строй»",
        "ООО «Гранит-Инвест»",
        "ООО «Сибирский лес»",
    }
    assert collected_total(department, dt.date(2026, 12, 1)) == Decimal("10448500.00")
    assert call_list_open(dt.date(2026, 12, 1), today)
    assert ALPHA in {row.client.name for row in call_list(department, december)}
    # The late payers are due on the 14th: not overdue yet.
    late = next(row for row in owed if row.client.name == "ООО «Ярмарка»")
    assert (late.owed, late.overdue_days) == (Decimal("1400000.00"), 0)
    assert [i.due_on for i in late.open_invoices] == [dt.date(2026, 12, 14)]


def test_the_current_month_has_promises_from_staff_and_no_payment_from_today_on(
    current: dt.date,
) -> None:
    from payments.models import Invoice, Promise

    month = current.replace(day=1)
    promises = sorted(Promise.objects.filter(invoice__month=month), key=lambda p: p.client.name)

    assert [(p.client.name, p.recorded_by.username) for p in promises] == [
        (ALPHA, "masha"),
        (VECTOR, "olya"),
    ]
    assert all(p.promised_on > current and p.called_on < current for p in promises)
    assert [p.amount for p in promises] == [Decimal("2000000.00"), Decimal("1000000.00")]
    assert Client.objects.get(name=ALPHA).contact
    assert not Payment.objects.filter(received_on__gte=current).exists()
    assert Payment.objects.filter(received_on__gte=month).count() > 3
    assert Invoice.objects.filter(month=month).count() == 30
    scheme = MonthlyScheme.objects.get(department__name="Клиентский отдел", month=month)
    assert scheme.plan == Decimal("50000000.00")
    assert scheme.milestones.count() == 2
    from compensation.models import MonthlyObligation

    assert MonthlyObligation.objects.get(month=month).total == Decimal("64000000.00")


def test_the_current_month_is_loaded_once(current: dt.date) -> None:
    from payments.models import Invoice, Promise

    before = row_counts(), Invoice.objects.count(), Promise.objects.count()

    output = load_demo()

    assert (row_counts(), Invoice.objects.count(), Promise.objects.count()) == before
    assert PASSWORD in output


def test_the_fixed_months_add_no_current_month(
    db: None, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.utils import timezone

    from payments.models import Invoice

    settings.DEBUG = True
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    load_demo()

    assert set(Invoice.objects.values_list("month", flat=True)) == {NOVEMBER}
    assert set(
        MonthlyScheme.objects.filter(department__name="Клиентский отдел").values_list(
            "month", flat=True
        )
    ) >= {OCTOBER, NOVEMBER}
    assert not MonthlyScheme.objects.filter(month__gt=NOVEMBER).exists()
