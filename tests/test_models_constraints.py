"""The database itself refuses bad rows, whatever code path writes them.

Each test writes straight through the ORM (``create``, ``bulk_create``, ``update``),
skipping forms and ``full_clean``, and expects an IntegrityError from the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import BaseSalary, Membership
from compensation.models import BonusPeriod, PayLine, ProposalLine, Revision
from payments.inn import is_valid_inn, validate_inn
from payments.models import Client, ClientAssignment, Payment, Source
from tests.factories import Cast, ClientFactory, PaymentFactory, make_inn

OCTOBER = dt.date(2026, 10, 1)


@contextmanager
def refused() -> Iterator[None]:
    """Expect the database to refuse the write; the savepoint keeps the test usable."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


# --- payments ----------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["0.00", "-0.01", "-1000.00"])
def test_it_refuses_a_payment_amount_not_above_zero(cast: Cast, amount: str) -> None:
    client = ClientFactory(department=cast.dept)
    with refused():
        PaymentFactory(client=client, amount=Decimal(amount))


def test_it_refuses_an_update_to_a_zero_amount(cast: Cast) -> None:
    payment = PaymentFactory(client=ClientFactory(department=cast.dept))
    with refused():
        Payment.objects.filter(pk=payment.pk).update(amount=Decimal("0.00"))


def test_it_refuses_the_same_operation_twice(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept)
    key = f"2025-11-06|150000.00|i:{client.inn}|512"
    PaymentFactory(client=client, source=Source.ONEC, operation_key=key)
    with refused():
        PaymentFactory(client=client, source=Source.CAMT053, operation_key=key)


def test_it_refuses_a_repeated_operation_in_a_bulk_import(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept)
    rows = [
        PaymentFactory.build(
            client=client, source=Source.ONEC, operation_key="2025-11-06|1.00|x|42"
        )
        for _ in range(2)
    ]
    with refused():
        Payment.objects.bulk_create(rows)
    assert not Payment.objects.exists()


def test_the_same_reference_of_another_operation_is_a_different_payment(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept)
    PaymentFactory(client=client, source=Source.FILE, source_ref="42")
    PaymentFactory(client=client, source=Source.FILE, source_ref="42")

    assert Payment.objects.count() == 2


def test_it_refuses_a_void_without_a_reason(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept)
    with refused():
        PaymentFactory(client=client, voided_at=timezone.now(), void_reason="")


def test_it_refuses_voiding_by_update_without_a_reason(cast: Cast) -> None:
    payment = PaymentFactory(client=ClientFactory(department=cast.dept))
    with refused():
        Payment.objects.filter(pk=payment.pk).update(voided_at=timezone.now())


def test_it_refuses_a_void_reason_on_a_payment_that_is_not_void(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept)
    with refused():
        PaymentFactory(client=client, void_reason="Duplicate")


def test_a_void_with_its_reason_is_accepted(cast: Cast) -> None:
    payment = PaymentFactory(client=ClientFactory(department=cast.dept))

    Payment.objects.filter(pk=payment.pk).update(
        voided_at=timezone.now(), voided_by=cast.accountant.user, void_reason="Duplicate"
    )

    assert not Payment.objects.counted().exists()


# --- clients -----------------------------------------------------------------------------


@pytest.mark.parametrize("inn", ["", "770100001", "77010000191", "7701-0000191", "77O1000019"])
def test_it_refuses_an_inn_that_is_not_10_or_12_digits(cast: Cast, inn: str) -> None:
    with refused():
        Client.objects.create(name="Bad INN", inn=inn, department=cast.dept)


def test_it_refuses_an_inn_changed_by_update_to_letters(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept)
    with refused():
        Client.objects.filter(pk=client.pk).update(inn="ABCDEFGHIJ")


def test_it_refuses_a_duplicate_inn(cast: Cast) -> None:
    inn = make_inn()
    ClientFactory(department=cast.dept, inn=inn)
    with refused():
        ClientFactory(department=cast.other, inn=inn)


def test_it_refuses_two_open_assignments_for_one_client(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept)
    ClientAssignment.objects.create(client=client, employee=cast.masha, started_on=OCTOBER)
    with refused():
        ClientAssignment.objects.create(
            client=client, employee=cast.vasya, started_on=dt.date(2026, 10, 5)
        )


def test_a_closed_assignment_and_an_open_one_may_coexist(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept)
    ClientAssignment.objects.bulk_create(
        [
            ClientAssignment(
                client=client,
                employee=cast.masha,
                started_on=OCTOBER,
                ended_on=dt.date(2026, 10, 4),
            ),
            ClientAssignment(client=client, employee=cast.vasya, started_on=dt.date(2026, 10, 5)),
        ]
    )

    assert client.assignments.count() == 2


def test_it_refuses_an_assignment_ending_before_it_starts(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept)
    with refused():
        ClientAssignment.objects.create(
            client=client, employee=cast.masha, started_on=OCTOBER, ended_on=dt.date(2026, 9, 30)
        )


# --- people ------------------------------------------------------------------------------


def test_it_refuses_a_membership_ending_before_it_starts(cast: Cast) -> None:
    with refused():
        Membership.objects.create(
            employee=cast.sergey,
            department=cast.dept,
            started_on=OCTOBER,
            ended_on=dt.date(2026, 9, 30),
        )


def test_it_refuses_a_membership_ended_before_its_start_by_update(cast: Cast) -> None:
    with refused():
        Membership.objects.filter(employee=cast.masha).update(ended_on=dt.date(2024, 12, 31))


def test_it_refuses_a_negative_base_salary(cast: Cast) -> None:
    with refused():
        BaseSalary.objects.create(
            employee=cast.masha, amount=Decimal("-0.01"), effective_from=OCTOBER
        )


def test_a_zero_base_salary_is_accepted(cast: Cast) -> None:
    BaseSalary.objects.create(employee=cast.masha, amount=Decimal("0.00"), effective_from=OCTOBER)

    assert cast.masha.salaries.count() == 2


# --- bonus periods -----------------------------------------------------------------------


def test_it_refuses_two_periods_for_one_department_and_month(cast: Cast) -> None:
    BonusPeriod.objects.create(department=cast.dept, month=OCTOBER)
    with refused():
        BonusPeriod.objects.create(department=cast.dept, month=OCTOBER)


def test_another_department_may_have_a_period_for_the_same_month(cast: Cast) -> None:
    BonusPeriod.objects.bulk_create(
        [
            BonusPeriod(department=cast.dept, month=OCTOBER),
            BonusPeriod(department=cast.other, month=OCTOBER),
        ]
    )

    assert BonusPeriod.objects.filter(month=OCTOBER).count() == 2


@pytest.fixture
def revision(cast: Cast) -> Revision:
    period = BonusPeriod.objects.create(department=cast.dept, month=OCTOBER)
    return Revision.objects.create(period=period, number=1, proposed_by=cast.head.user)


@pytest.mark.parametrize(
    "amounts",
    [{"proposed_award": Decimal("15000.00")}, {"proposed_deduction": Decimal("6000.00")}],
)
def test_it_refuses_an_award_or_deduction_without_a_reason(
    cast: Cast, revision: Revision, amounts: dict[str, Decimal]
) -> None:
    with refused():
        ProposalLine.objects.create(revision=revision, employee=cast.masha, reason="", **amounts)


def test_it_refuses_a_director_edit_without_a_reason(cast: Cast, revision: Revision) -> None:
    line = ProposalLine.objects.create(revision=revision, employee=cast.masha)
    with refused():
        ProposalLine.objects.filter(pk=line.pk).update(approved_award=Decimal("1000.00"))


def test_a_line_with_neither_award_nor_deduction_needs_no_reason(
    cast: Cast, revision: Revision
) -> None:
    ProposalLine.objects.create(revision=revision, employee=cast.olya)

    assert revision.proposal.count() == 1


def _pay_line(revision: Revision, cast: Cast, total: str) -> PayLine:
    return PayLine(
        revision=revision,
        employee=cast.masha,
        order=1,
        equal_share=Decimal("12000.00"),
        award=Decimal("15000.00"),
        deduction=Decimal("0.00"),
        bonus=Decimal("27000.00"),
        base_salary=Decimal("20000.00"),
        total=Decimal(total),
    )


def test_it_refuses_a_pay_line_whose_total_is_not_base_plus_bonus(
    cast: Cast, revision: Revision
) -> None:
    with refused():
        PayLine.objects.bulk_create([_pay_line(revision, cast, total="47000.01")])


def test_a_pay_line_that_adds_up_is_accepted(cast: Cast, revision: Revision) -> None:
    _pay_line(revision, cast, total="47000.00").save()

    assert revision.pay_lines.get().total == Decimal("47000.00")


def test_it_refuses_the_proposer_approving_their_own_proposal(
    cast: Cast, revision: Revision
) -> None:
    with refused():
        Revision.objects.filter(pk=revision.pk).update(
            approved_by=cast.head.user, approved_at=timezone.now()
        )


def test_it_refuses_a_revision_created_approved_by_its_proposer(cast: Cast) -> None:
    period = BonusPeriod.objects.create(department=cast.other, month=OCTOBER)
    with refused():
        Revision.objects.create(
            period=period, number=1, proposed_by=cast.director.user, approved_by=cast.director.user
        )


def test_another_person_may_approve(cast: Cast, revision: Revision) -> None:
    Revision.objects.filter(pk=revision.pk).update(
        approved_by=cast.director.user, approved_at=timezone.now()
    )

    revision.refresh_from_db()
    assert revision.is_approved


# --- the INN validator -------------------------------------------------------------------


@pytest.mark.parametrize("inn", ["7701000019", "772300000344", "7710000047", make_inn(5)])
def test_valid_inns_pass(inn: str) -> None:
    assert is_valid_inn(inn)
    validate_inn(inn)


@pytest.mark.parametrize(
    "inn",
    [
        "7701000018",  # last check digit wrong
        "7710000074",  # digits swapped
        "772300000345",  # 12 digits, second check digit wrong
        "772300000334",  # 12 digits, first check digit wrong
        "770100001",  # 9 digits
        "77010000190",  # 11 digits
        "7701000019 ",  # trailing space
        "77O1000019",  # letter O for zero
        "７７０１００００１９",  # full-width digits
        "",
    ],
)
def test_mangled_inns_fail(inn: str) -> None:
    assert not is_valid_inn(inn)
    with pytest.raises(ValidationError) as raised:
        validate_inn(inn)
    assert raised.value.code == "invalid_inn"
