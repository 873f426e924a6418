"""Shared steps for the workflow tests: the seed's October, closed and proposed.

No tests here; the module name only follows the files the workflow tests may use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection

from compensation import services
from compensation.models import BonusPeriod, MonthlyScheme
from payments.importing import liveness
from payments.models import ImportBatch
from tests.factories import Cast, ClientFactory, PaymentFactory

OCTOBER = dt.date(2026, 10, 1)
# SPEC section 2's month: 55 M collected, both gates met (26 M by the 15th, 46 M by the 25th).
SEED_PAYMENTS = (
    (dt.date(2026, 10, 5), "20000000.00"),
    (dt.date(2026, 10, 14), "6000000.00"),
    (dt.date(2026, 10, 24), "20000000.00"),
    (dt.date(2026, 10, 30), "9000000.00"),
)
SPEC_MILESTONES = [(15, "0.50", "1/3"), (25, "0.90", "1/3")]


def set_scheme(cast: Cast, month: dt.date = OCTOBER) -> MonthlyScheme:
    """The scheme of SPEC section 2, set by the director."""
    return services.scheme_create(
        user=cast.director.user,
        department=cast.dept,
        month=month,
        plan="50000000.00",
        threshold="40000000.00",
        rate="0.005",
        head_share="0.40",
        milestones=SPEC_MILESTONES,
        reason="Scheme of SPEC section 2",
    )


def pay_in(cast: Cast, payments: tuple[tuple[dt.date, str], ...] = SEED_PAYMENTS) -> None:
    client = ClientFactory(department=cast.dept, responsible=cast.masha)
    for day, amount in payments:
        PaymentFactory(client=client, received_on=day, amount=Decimal(amount))


def closed_october(
    cast: Cast, payments: tuple[tuple[dt.date, str], ...] = SEED_PAYMENTS
) -> BonusPeriod:
    set_scheme(cast)
    pay_in(cast, payments)
    period = services.period_open(department=cast.dept, month=OCTOBER)
    return services.period_close(
        user=cast.head.user, period=period, expected_version=period.version
    )


def seed_lines(cast: Cast) -> dict[int, tuple[str, str, str]]:
    """SPEC section 2's proposal: Masha +15,000, Vasya −6,000."""
    return {
        cast.masha.pk: ("15000.00", "0", "Closed the two hardest clients"),
        cast.vasya.pk: ("0", "6000.00", "Missed the client calls of his week"),
    }


def proposed_october(cast: Cast, proposer: object | None = None) -> BonusPeriod:
    period = closed_october(cast)
    user = proposer or cast.head.user
    period = services.proposal_save(
        user=user, period=period, expected_version=period.version, lines=seed_lines(cast)
    )
    return services.proposal_submit(user=user, period=period, expected_version=period.version)


def approved_october(cast: Cast) -> BonusPeriod:
    period = proposed_october(cast)
    return services.period_approve(
        user=cast.director.user, period=period, expected_version=period.version
    )


@contextmanager
def import_process(batch: ImportBatch) -> Iterator[None]:
    """The import of ``batch`` alive in another process: a second connection holds its
    lock (``payments.importing.liveness``) until the block ends, as a worker's would."""
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [liveness.NAMESPACE, batch.pk])
        yield
    finally:
        other.close()
