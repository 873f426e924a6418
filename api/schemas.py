"""What the API takes and gives, as pydantic schemas (the OpenAPI document is built from
them). Money is a decimal string both ways (``"1234.50"``): never a binary float."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

MAX_ROWS = 10_000  # a day's bank feed fits many times over; a bigger file goes by upload


class PaymentIn(Schema):
    date: str = Field(description="The day received: 2026-10-05 or 05.10.2026.")
    amount: str = Field(description='A decimal string, e.g. "1234.50".')
    inn: str = Field("", description="The payer's INN (or give client).")
    client: str = Field("", description="The client's name, if no INN.")
    reference: str = Field("", description="The document number: part of the duplicate key.")
    purpose: str = ""


class PaymentsIn(Schema):
    payments: list[PaymentIn] = Field(..., max_length=MAX_ROWS)
    dry_run: bool = Field(False, description="Check and count only; nothing is written.")


class ImportOut(Schema):
    batch: int | None
    dry_run: bool
    new: int
    duplicate: int
    unmatched: int
    new_amount: Decimal
    first_date: dt.date | None
    last_date: dt.date | None


class InvoiceIn(Schema):
    inn: str
    number: str
    date: str
    amount: str = Field(description='A decimal string, e.g. "1234.50".')
    due: str = Field(description="The due date, on or after the invoice's date.")


class InvoicesIn(Schema):
    invoices: list[InvoiceIn] = Field(..., max_length=MAX_ROWS)
    dry_run: bool = False


class InvoicesOut(Schema):
    dry_run: bool
    new: int
    known: int


class AbsenceIn(Schema):
    personnel_number: str
    kind: str = Field(description="sick_leave, vacation, unpaid_leave or other.")
    started_on: dt.date
    ended_on: dt.date
    note: str = ""


class AbsenceOut(Schema):
    id: int
    personnel_number: str
    kind: str
    started_on: dt.date
    ended_on: dt.date


class DepartmentOut(Schema):
    id: int
    name: str


class DayOut(Schema):
    date: dt.date
    total: Decimal
    payments: int


class ClientTotalOut(Schema):
    client_id: int
    name: str
    inn: str
    total: Decimal
    payments: int


class MilestoneOut(Schema):
    day: int
    date: dt.date
    required: Decimal
    collected: Decimal
    status: str
    still_needed: Decimal
    tranche: Decimal


class ProgressOut(Schema):
    plan: Decimal
    threshold: Decimal
    percent_of_plan: Decimal
    pool: Decimal
    milestones: list[MilestoneOut]


class CollectionsOut(Schema):
    department: DepartmentOut
    month: dt.date
    collected: Decimal
    payments: int
    days: list[DayOut]
    top_clients: list[ClientTotalOut]
    progress: ProgressOut | None


class PeriodOut(Schema):
    id: int
    department: DepartmentOut
    month: dt.date
    state: str
    revision: int
    collected: Decimal | None


class PayLineOut(Schema):
    personnel_number: str
    name: str
    is_head: bool
    equal_share: Decimal
    award: Decimal
    deduction: Decimal
    bonus: Decimal
    base_salary: Decimal
    total: Decimal


class PeriodDetailOut(PeriodOut):
    approved_revision: int | None
    lines: list[PayLineOut]


class MyLineOut(Schema):
    bonus: Decimal
    base_salary: Decimal | None
    pay: Decimal | None
    equal_share: Decimal | None
    award: Decimal | None
    deduction: Decimal | None


class StatementOut(Schema):
    month: dt.date
    department: DepartmentOut | None
    stage: str | None
    is_head: bool | None
    collected: Decimal | None
    pool: Decimal | None
    earned: Decimal | None
    head: Decimal | None
    staff_pool: Decimal | None
    equal_share: Decimal | None
    mine: MyLineOut | None
