"""``python manage.py load_demo``: the department of SPEC section 2 with logins and payments.

Development only: every login gets the same printed password. Idempotent: every record
is found by a stable key (username, INN, source reference, ...) and only created when
missing, so a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.management import demo_data as demo
from accounts.management.demo_current import current_month_load
from accounts.management.demo_history import SECOND_PEOPLE, HistoryLoader
from accounts.models import (
    Absence,
    AbsenceKind,
    BaseSalary,
    Department,
    Employee,
    Membership,
    Role,
)
from compensation.models import MonthlyScheme, SchemeMilestone
from payments.assignments import client_reassign, client_responsible_on
from payments.inn import is_valid_inn
from payments.models import Client, ClientAssignment, Invoice, Payment, Promise, Source

# Printed on every run; a dev database only (the command refuses to run without DEBUG).
PASSWORD = "demo-bonus-2026"  # noqa: S105  # nosec B105


def demo_inn(region: str, serial: int) -> str:
    """A valid 10-digit company INN: the one check digit that inn.py accepts."""
    body = f"{region}{serial:05d}"
    return next(body + digit for digit in "0123456789" if is_valid_inn(body + digit))


class Loader:
    """Creates what is missing and counts it by model."""

    def password_hash(self) -> str:
        # Hashing is slow by design; every demo login shares the one printed password.
        if not self._password_hash:
            self._password_hash = make_password(PASSWORD)
        return self._password_hash

    def get_or_create(self, model: type[models.Model], **kwargs: Any) -> tuple[Any, bool]:
        obj, created = model.objects.get_or_create(**kwargs)
        if created:
            self.created[str(model._meta.verbose_name_plural)] += 1
        return obj, created

    def __init__(self, *, history: bool = True) -> None:
        self.history = history
        self.created: Counter[str] = Counter()
        self.employees: dict[str, Employee] = {}
        # Empty until first needed: a sentinel, not a password.
        self._password_hash = ""  # nosec B105

    def load(self) -> Counter[str]:
        for person in demo.PEOPLE:
            self.employees[person.username] = self.person(person)
        admin = self.admin()
        department, _created = self.get_or_create(
            Department, name=demo.DEPARTMENT, defaults={"head": self.employees["head"]}
        )
        self.memberships(department)
        self.schemes(department)
        clients = self.clients(department, admin)
        self.absences(admin)
        self.payments(clients, recorded_by=self.employees["accountant"].user)
        self.invoices(clients, recorded_by=self.employees["accountant"].user)
        # Twelve months of history: a second department, obligations, past periods.
        if self.history:
            HistoryLoader(self, department, self.employees).load(
                clients, admin, recorded_by=self.employees["accountant"].user
            )
            # The month of today, once past the fixed ones: the cockpit opens on it.
            current_month_load(
                self,
                department,
                clients,
                today=timezone.localdate(),
                recorded_by=self.employees["accountant"].user,
            )
        return self.created

    # --- people ---------------------------------------------------------------------------

    def user(self, username: str, full_name: str) -> User:
        first_name, _space, last_name = full_name.partition(" ")
        user, created = self.get_or_create(
            User,
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@example.com",
            },
        )
        if created:
            user.password = self.password_hash()
            user.save(update_fields=["password"])
        return user

    def person(self, person: demo.DemoPerson) -> Employee:
        user = self.user(person.username, person.full_name)
        if person.role is not None:
            user.groups.add(Group.objects.get(name=person.role.value))
        employee, _created = self.get_or_create(
            Employee,
            user=user,
            defaults={
                "personnel_number": person.personnel_number,
                "full_name": person.full_name,
                "position": person.position,
            },
        )
        if person.base_salary is not None:
            self.get_or_create(
                BaseSalary,
                employee=employee,
                effective_from=demo.SINCE,
                defaults={"amount": Decimal(person.base_salary)},
            )
        return employee

    def admin(self) -> User:
        existing = User.objects.filter(username=demo.ADMIN_USERNAME).first()
        if existing is not None:
            return existing
        self.created[str(User._meta.verbose_name_plural)] += 1
        admin = User.objects.create_superuser(
            demo.ADMIN_USERNAME,
            f"{demo.ADMIN_USERNAME}@example.com",
            first_name=demo.ADMIN_FIRST_NAME,
            last_name=demo.ADMIN_LAST_NAME,
        )
        admin.password = self.password_hash()
        admin.save(update_fields=["password"])
        return admin

    def memberships(self, department: Department) -> None:
        # The head is not a staff member (SPEC section 3): no membership for them.
        for person in demo.PEOPLE:
            if person.role == Role.STAFF:
                self.get_or_create(
                    Membership,
                    employee=self.employees[person.username],
                    started_on=demo.SINCE,
                    defaults={"department": department},
                )

    # --- the scheme -----------------------------------------------------------------------

    def schemes(self, department: Department) -> None:
        for month in demo.SCHEME_MONTHS:
            self.scheme(department, month)

    def scheme(self, department: Department, month: dt.date) -> None:
        """The demo's terms (SPEC section 2's) for ``month``, with both milestones."""
        scheme, _created = self.get_or_create(
            MonthlyScheme, department=department, month=month, defaults=demo.SCHEME
        )
        for milestone in demo.MILESTONES:
            self.get_or_create(
                SchemeMilestone,
                scheme=scheme,
                day=milestone["day"],
                defaults={k: v for k, v in milestone.items() if k != "day"},
            )

    # --- clients and payments -------------------------------------------------------------

    def clients(self, department: Department, admin: User) -> dict[str, Client]:
        clients = {}
        for serial, row in enumerate(demo.CLIENTS, start=1):
            client, created = self.get_or_create(
                Client,
                inn=demo_inn(row.region, 40000 + serial * 37),
                defaults={"name": row.name, "department": department},
            )
            # History is written once, with the client: a re-run must not hand it over again.
            if created:
                self.assign(client, self.employees[row.responsible], admin)
            clients[row.name] = client
        return clients

    def assign(self, client: Client, employee: Employee, admin: User) -> None:
        self.reassign(client, employee, demo.SINCE, _("Demo data"), admin)
        for cover in demo.LEAVE_COVERS:
            if cover.client == client.name:
                # Covered for the leave's dates: the client comes back on its own after it.
                until = cover.back - dt.timedelta(days=1)
                self.reassign(
                    client, self.employees[cover.cover], cover.start, cover.reason, admin, until
                )

    def absences(self, admin: User) -> None:
        """Vasya's November leave, whose dates the covers above hold his clients for."""
        for cover in demo.LEAVE_COVERS[:1]:
            self.get_or_create(
                Absence,
                employee=self.employees[demo.ABSENT],
                kind=AbsenceKind.VACATION,
                started_on=cover.start,
                ended_on=cover.back - dt.timedelta(days=1),
                defaults={"note": cover.reason, "recorded_by": admin},
            )

    def reassign(
        self,
        client: Client,
        employee: Employee,
        on: dt.date,
        reason: str,
        admin: User,
        until: dt.date | None = None,
    ) -> None:
        client_reassign(
            user=admin, client=client, employee=employee, on=on, until=until, reason=reason
        )
        self.created[str(ClientAssignment._meta.verbose_name_plural)] += 1

    def payments(self, clients: dict[str, Client], recorded_by: User) -> None:
        for month, attribute in ((10, "october"), (11, "november")):
            for serial, row in enumerate(demo.CLIENTS, start=1):
                when = getattr(row, attribute)
                if when is not None:
                    ref = f"demo-2026-{month:02d}-{serial:03d}"
                    day = dt.date(2026, month, when[0])
                    self.payment(clients[row.name], ref, day, when[1], recorded_by)
        self.voided_payment(clients[demo.VOIDED["client"]], recorded_by)

    def payment(
        self, client: Client, ref: str, day: dt.date, amount: str, recorded_by: User, **extra: Any
    ) -> None:
        if Payment.objects.filter(source=Source.MANUAL, source_ref=ref).exists():
            return
        Payment.objects.create(
            client=client,
            department=client.department,
            # Responsible as on the payment's date, the way it is fixed at record time.
            responsible=client_responsible_on(client, day),
            amount=Decimal(amount),
            received_on=day,
            source=Source.MANUAL,
            source_ref=ref,
            payer_inn=client.inn,
            payer_name=client.name,
            recorded_by=recorded_by,
            **extra,
        )
        self.created[str(Payment._meta.verbose_name_plural)] += 1

    def invoices(self, clients: dict[str, Client], recorded_by: User) -> None:
        """November's invoices, contacts and promises (the collections cockpit)."""
        for serial, row in enumerate(demo.CLIENTS, start=1):
            paid = Decimal(row.november[1]) if row.november else Decimal("0.00")
            amount = paid + Decimal(demo.STILL_OWED.get(row.name, "0.00"))
            client = clients[row.name]
            self.get_or_create(
                Invoice,
                client=client,
                number=f"11-{serial:03d}",
                defaults={
                    "month": demo.INVOICE_ISSUED.replace(day=1),
                    "issued_on": demo.INVOICE_ISSUED,
                    "due_on": demo.INVOICE_DUE,
                    "amount": amount,
                    "recorded_by": recorded_by,
                },
            )
            if row.name in demo.CONTACTS and not client.contact:
                client.contact = demo.CONTACTS[row.name]
                client.save(update_fields=["contact"])
        for name, caller, called_on, promised_on, amount in demo.PROMISES:
            self.get_or_create(
                Promise,
                client=clients[name],
                called_on=called_on,
                promised_on=promised_on,
                defaults={
                    "amount": Decimal(amount),
                    "recorded_by": self.employees[caller].user,
                },
            )

    def voided_payment(self, client: Client, recorded_by: User) -> None:
        day = dt.date(2026, 10, demo.VOIDED["day"])
        self.payment(
            client,
            "demo-2026-10-void-001",
            day,
            demo.VOIDED["amount"],
            recorded_by,
            voided_at=timezone.make_aware(dt.datetime.combine(day, dt.time(15, 0))),
            voided_by=recorded_by,
            void_reason=demo.VOIDED["reason"],
        )


class Command(BaseCommand):
    help = _("Load the demo department, logins, clients and payments (development only).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Run even with DEBUG off (the logins get a known password)."),
        )
        # The benchmark closes past months of its own and seeds its own departments.
        parser.add_argument(
            "--without-history",
            action="store_true",
            help=_("Only the seed's department and months, without the year of history."),
        )

    def handle(
        self, *args: Any, force: bool = False, without_history: bool = False, **options: Any
    ) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                _("load_demo creates logins with a known password; it runs only with DEBUG on.")
                + " "
                + _("Use --force to run it anyway.")
            )
        with transaction.atomic():
            created = Loader(history=not without_history).load()
        self.report(created)

    def report(self, created: Counter[str]) -> None:
        if created:
            for name, count in sorted(created.items()):
                self.stdout.write(_("Created %(count)d %(name)s.") % {"count": count, "name": name})
        else:
            self.stdout.write(_("Demo data is already loaded; nothing changed."))
        self.stdout.write("")
        # Outside the f-strings, so the words reach the translation catalogue.
        login, name, role_title = _("Login"), _("Name"), _("Role")
        self.stdout.write(f"{login:<12}{name:<20}{role_title}")
        for person in (*demo.PEOPLE, *SECOND_PEOPLE):
            role = person.role.label if person.role is not None else ""
            self.stdout.write(f"{person.username:<12}{person.full_name:<20}{role}")
        administrator = _("Administrator")
        admin_name = f"{demo.ADMIN_FIRST_NAME} {demo.ADMIN_LAST_NAME}"
        self.stdout.write(f"{demo.ADMIN_USERNAME:<12}{admin_name:<20}{administrator}")
        self.stdout.write("")
        self.stdout.write(_("Password for every login: %(password)s") % {"password": PASSWORD})
