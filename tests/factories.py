"""Factories and the standard cast used across the tests."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User

from accounts.models import BaseSalary, Department, Employee, Membership, Role
from payments.models import Client, Payment, Source

PASSWORD = "correct-horse-battery-staple"
_inn_serial = itertools.count(1)


def make_inn(serial: int | None = None) -> str:
    """A valid 10-digit INN built from a serial number."""
    serial = next(_inn_serial) if serial is None else serial
    body = f"77{serial:07d}"
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11 % 10
    return f"{body}{check}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password(PASSWORD)


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    user = factory.SubFactory(UserFactory)
    personnel_number = factory.Sequence(lambda n: f"{n + 1:05d}")
    full_name = factory.Sequence(lambda n: f"Employee {n}")
    position = "Account manager"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n}")


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Client {n} LLC")
    inn = factory.LazyFunction(make_inn)
    department = factory.SubFactory(DepartmentFactory)


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    client = factory.SubFactory(ClientFactory)
    department = factory.LazyAttribute(lambda o: o.client.department)
    responsible = factory.LazyAttribute(lambda o: o.client.responsible)
    amount = Decimal("1000.00")
    received_on = dt.date(2026, 10, 5)
    source = Source.MANUAL
    source_ref = factory.Sequence(lambda n: f"manual-{n}")


def person(
    username: str,
    full_name: str,
    *roles: Role,
    department: Department | None = None,
    salary: str | None = None,
    position: str = "Account manager",
    since: dt.date = dt.date(2025, 1, 1),
) -> Employee:
    """A login user with an employee record, roles, membership and base salary."""
    user = UserFactory(username=username, first_name=full_name.split()[0])
    for role in roles:
        # get_or_create: transactional tests flush the groups the data migration made.
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    employee = EmployeeFactory(user=user, full_name=full_name, position=position)
    if department is not None and Role.STAFF in roles:
        Membership.objects.create(employee=employee, department=department, started_on=since)
    if salary is not None:
        BaseSalary.objects.create(employee=employee, amount=Decimal(salary), effective_from=since)
    return employee


@dataclass
class Cast:
    """The department of SPEC section 2 and the people around it.

    ``dept`` is headed by Ivan with staff Masha, Vasya and Olya (base salaries total
    100,000); ``other`` is a second department headed by Petr with Sergey; Dina is the
    commercial director, Anna the accountant, Root the administrator.
    """

    dept: Department
    other: Department
    head: Employee
    masha: Employee
    vasya: Employee
    olya: Employee
    other_head: Employee
    sergey: Employee
    director: Employee
    accountant: Employee
    admin: User


def build_cast() -> Cast:
    dept = DepartmentFactory(name="Client department")
    other = DepartmentFactory(name="Key accounts")
    head = person("ivan", "Ivan Petrov", Role.HEAD, salary="40000.00", position="Head")
    dept.head = head
    dept.save()
    masha = person("masha", "Masha Ivanova", Role.STAFF, department=dept, salary="20000.00")
    vasya = person("vasya", "Vasya Sidorov", Role.STAFF, department=dept, salary="20000.00")
    olya = person("olya", "Olya Smirnova", Role.STAFF, department=dept, salary="20000.00")
    other_head = person("petr", "Petr Volkov", Role.HEAD, salary="45000.00", position="Head")
    other.head = other_head
    other.save()
    sergey = person("sergey", "Sergey Orlov", Role.STAFF, department=other, salary="25000.00")
    director = person(
        "dina", "Dina Kuznetsova", Role.DIRECTOR, salary="90000.00", position="Director"
    )
    accountant = person(
        "anna", "Anna Popova", Role.ACCOUNTANT, salary="50000.00", position="Accountant"
    )
    admin = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    return Cast(
        dept=dept,
        other=other,
        head=head,
        masha=masha,
        vasya=vasya,
        olya=olya,
        other_head=other_head,
        sergey=sergey,
        director=director,
        accountant=accountant,
        admin=admin,
    )
