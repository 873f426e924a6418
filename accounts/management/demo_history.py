"""Twelve months of history for ``load_demo``: two departments, the company's obligations,
and a cash gap that shrinks once the bonus scheme starts.

Before the scheme (December 2025 to May 2026) clients pay late, in the month's last two
weeks, while the company owes evenly over the month: a deep gap. From June 2026 the
gates pay for early money and clients pay in the first half: the gap shrinks. June to
September are closed, proposed, approved and (but September) paid through the same
services a person uses, so the history holds real pay lines. October and November are
the seed's own months (section 2 of SPEC and the running month).

Idempotent like the rest of ``load_demo``: payments are found by their source
reference, periods by month, and nothing present is written again.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from accounts.management.demo_data import DemoPerson
from accounts.models import Department, Employee, Role
from compensation import services
from compensation.models import BonusPeriod, MonthlyObligation, MonthlyScheme, SchemeMilestone
from payments.models import Client, Payment, Source

HISTORY_MONTHS = tuple(
    dt.date(2025 + (11 + n) // 12, (11 + n) % 12 + 1, 1) for n in range(10)
)  # December 2025 … September 2026
SCHEME_FROM = dt.date(2026, 6, 1)
PAID_UNTIL = dt.date(2026, 8, 1)  # September is approved, not paid yet
OBLIGATIONS = {  # the company's monthly payroll, taxes, rent and suppliers
    month: Decimal("62000000.00") for month in (*HISTORY_MONTHS, dt.date(2026, 10, 1))
} | {dt.date(2026, 11, 1): Decimal("64000000.00")}

SECOND_DEPARTMENT = "Отдел ключевых клиентов"
SECOND_PEOPLE = (
    DemoPerson(
        "head2",
        "Ирина Волкова",
        "Начальник отдела ключевых клиентов",
        Role.HEAD,
        "0007",
        "45000.00",
    ),
    DemoPerson(
        "petya", "Пётр Лебедев", "Менеджер ключевых клиентов", Role.STAFF, "0008", "25000.00"
    ),
    DemoPerson(
        "katya", "Екатерина Новикова", "Менеджер ключевых клиентов", Role.STAFF, "0009", "25000.00"
    ),
)
SECOND_SCHEME = {
    "plan": "12000000.00",
    "threshold": "9000000.00",
    "rate": "0.01",
    "head_share": "0.40",
}
SECOND_CLIENTS = (  # (name, region, responsible, monthly amount)
    ("ПАО «Северсталь-Трейд»", "3528", "petya", "2400000.00"),
    ("АО «Росатом-Сервис»", "7706", "katya", "2100000.00"),
    ("ПАО «Аэрофлот-Карго»", "7712", "petya", "1900000.00"),
    ("АО «Газпром-Снаб»", "7736", "katya", "1700000.00"),
    ("ПАО «Ростелеком-Бизнес»", "7707", "petya", "1500000.00"),
    ("АО «РЖД-Логистика»", "7708", "katya", "1300000.00"),
)
SECOND_MONTHS = (*HISTORY_MONTHS, dt.date(2026, 10, 1), dt.date(2026, 11, 1))
RUNNING_UNTIL = dt.date(2026, 11, 27)  # the seed's running month stops here


def payment_day(month: dt.date, serial: int) -> dt.date:
    """Late before the scheme (the 15th to the 28th), early after it (the 2nd to the 15th)."""
    late = month < SCHEME_FROM
    day = (15 if late else 2) + (serial * 5) % 14
    return month.replace(day=day)


def monthly_amount(base: Decimal, month: dt.date, serial: int) -> Decimal:
    # A little growth through the year and a client-to-client wobble, to the kopeck.
    factor = Decimal(100 + (month.month * 3 + serial * 7) % 11) / 100
    return (base * factor).quantize(Decimal("0.01"))


class HistoryLoader:
    """Adds the history to what ``Loader`` made; ``loader`` creates and counts records."""

    def __init__(self, loader: Any, first: Department, people: dict[str, Employee]) -> None:
        self.loader = loader
        self.first = first
        self.people = people

    def load(self, clients: dict[str, Client], admin: Any, recorded_by: Any) -> None:
        second = self.second_department()
        second_clients = self.second_clients(second, admin)
        self.schemes(self.first, [m for m in HISTORY_MONTHS if m >= SCHEME_FROM], None)
        self.schemes(second, [m for m in SECOND_MONTHS if m >= SCHEME_FROM], SECOND_SCHEME)
        self.payments(self.first, self.first_rows(clients), HISTORY_MONTHS, recorded_by)
        self.payments(second, second_clients, SECOND_MONTHS, recorded_by)
        self.obligations()
        for department in (self.first, second):
            self.periods(department)

    # --- the second department --------------------------------------------------------

    def second_department(self) -> Department:
        for person in SECOND_PEOPLE:
            self.people[person.username] = self.loader.person(person)
        department, _created = self.loader.get_or_create(
            Department, name=SECOND_DEPARTMENT, defaults={"head": self.people["head2"]}
        )
        from accounts.management.demo_data import SINCE
        from accounts.models import Membership

        for person in SECOND_PEOPLE:
            if person.role == Role.STAFF:
                self.loader.get_or_create(
                    Membership,
                    employee=self.people[person.username],
                    started_on=SINCE,
                    defaults={"department": department},
                )
        return department

    def second_clients(self, department: Department, admin: Any) -> list[tuple[Client, Decimal]]:
        from accounts.management.commands.load_demo import demo_inn

        rows = []
        for serial, (name, region, responsible, amount) in enumerate(SECOND_CLIENTS, start=1):
            client, created = self.loader.get_or_create(
                Client,
                inn=demo_inn(region, 60000 + serial * 41),
                defaults={"name": name, "department": department},
            )
            if created:
                self.loader.assign(client, self.people[responsible], admin)
            rows.append((client, Decimal(amount)))
        return rows

    def first_rows(self, clients: dict[str, Client]) -> list[tuple[Client, Decimal]]:
        from accounts.management import demo_data as demo

        return [(clients[row.name], Decimal(row.october[1])) for row in demo.CLIENTS]

    # --- schemes, payments, obligations --------------------------------------------------

    def schemes(self, department: Department, months: list[dt.date], terms: Any) -> None:
        from accounts.management import demo_data as demo

        for month in months:
            scheme, created = self.loader.get_or_create(
                MonthlyScheme, department=department, month=month, defaults=terms or demo.SCHEME
            )
            if created:
                SchemeMilestone.objects.bulk_create(
                    SchemeMilestone(scheme=scheme, **milestone) for milestone in demo.MILESTONES
                )
                self.loader.created[str(SchemeMilestone._meta.verbose_name_plural)] += 2

    def payments(
        self,
        department: Department,
        rows: list[tuple[Client, Decimal]],
        months: tuple[dt.date, ...],
        recorded_by: Any,
    ) -> None:
        prefix = f"demo-2026-history-{department.pk}-"
        known = set(
            Payment.objects.filter(source=Source.MANUAL, source_ref__startswith=prefix).values_list(
                "source_ref", flat=True
            )
        )
        fresh = []
        for month in months:
            for serial, (client, base) in enumerate(rows, start=1):
                ref = f"{prefix}{month:%Y-%m}-{serial:03d}"
                day = payment_day(month, serial)
                if ref in known or day > RUNNING_UNTIL:
                    continue
                fresh.append(
                    Payment(
                        client=client,
                        department=department,
                        responsible_id=client.responsible_id,
                        amount=monthly_amount(base, month, serial),
                        received_on=day,
                        source=Source.MANUAL,
                        source_ref=ref,
                        payer_inn=client.inn,
                        payer_name=client.name,
                        recorded_by=recorded_by,
                    )
                )
        if fresh:
            Payment.objects.bulk_create(fresh)
            self.loader.created[str(Payment._meta.verbose_name_plural)] += len(fresh)

    def obligations(self) -> None:
        for month, total in OBLIGATIONS.items():
            self.loader.get_or_create(MonthlyObligation, month=month, defaults={"total": total})

    # --- the past months' periods, through the workflow ------------------------------------

    def periods(self, department: Department) -> None:
        head = department.head.user
        director = self.people["director"].user
        accountant = self.people["accountant"].user
        done = set(
            BonusPeriod.objects.filter(department=department).values_list("month", flat=True)
        )
        for month in HISTORY_MONTHS:
            if month < SCHEME_FROM or month in done:
                continue
            period = services.period_open(department=department, month=month)
            period = services.period_close(
                user=head, period=period, expected_version=period.version
            )
            period = services.proposal_submit(
                user=head, period=period, expected_version=period.version
            )
            period = services.period_approve(
                user=director, period=period, expected_version=period.version
            )
            if month <= PAID_UNTIL:
                period = services.period_mark_paid(
                    user=accountant, period=period, expected_version=period.version
                )
            self.loader.created[str(BonusPeriod._meta.verbose_name_plural)] += 1
