"""Who may do what: the one place that decides access.

Every view, service, queryset and export asks here. Anything not granted below is
denied. Roles are Django groups (``Role``); the administrator is a Django superuser.

- staff: their department's collections and team figures, their own pay lines;
- head: all of that for the department they head, and the proposal after close;
- commercial director: every department; schemes; approve, edit, return, reopen;
- accountant: approved and paid periods, payroll exports, marking paid; payments and
  every department's collections;
- administrator: people, clients and payments (imports included), in the admin site;
- the system (``SYSTEM``): work a command or the worker does on its own, granted only
  what that work needs.

What the team sees (``Action.VIEW_ADJUSTMENTS``): the awards and deductions of an
approved revision, with their reasons, are shown to every member of the department,
unless the month's scheme turns that off. A proposal still being decided is not shown to
staff, and a staff member never sees another person's base salary, share or pay.
"""

from __future__ import annotations

import calendar
import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Department, Employee, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser


class SystemActor:
    """Work done by a command or the worker, on a person's behalf or on its own.

    Signed in and active so the policy looks at it, a member of no group, and not a
    user: where a record keeps who did something, the system is stored as no user
    (``recorded_user``) and pages name it "system".
    """

    is_authenticated = True
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None
    id = None

    def get_username(self) -> str:
        return "system"

    def get_full_name(self) -> str:
        return "system"

    def __str__(self) -> str:
        return "system"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def recorded_user(actor: Any) -> Any:
    """The user a history row or an event records for ``actor``: none for the system."""
    return None if actor is SYSTEM else actor


class Action(StrEnum):
    VIEW_DEPARTMENT = "view_department"  # dashboard, collections, team figures
    VIEW_PAYMENTS = "view_payments"
    MANAGE_PAYMENTS = "manage_payments"  # record, void, import, assign unmatched
    EDIT_SCHEME = "edit_scheme"
    CLOSE_PERIOD = "close_period"
    PROPOSE = "propose"
    REVIEW = "review"  # edit, return, approve
    REOPEN = "reopen"
    VIEW_PERIOD = "view_period"  # the period's team figures and history
    VIEW_PAY_LINES = "view_pay_lines"  # everyone's pay in a period
    VIEW_ADJUSTMENTS = "view_adjustments"  # a revision's awards and deductions, with reasons
    VIEW_OWN_BONUS = "view_own_bonus"  # "my bonus": one's own pay, nobody else's
    VIEW_PAYROLL = "view_payroll"  # the list of approved periods to pay
    EXPORT_PAYROLL = "export_payroll"
    MARK_PAID = "mark_paid"
    ADMINISTER = "administer"  # the admin site: people, clients, payments' records
    MANAGE_ABSENCES = "manage_absences"  # record absences, hand clients over for them
    VIEW_OUTSTANDING = "view_outstanding"  # what each client still owes, the call list
    RECORD_PROMISE = "record_promise"  # "called, promised on <date>, amount"
    VIEW_PROMISES = "view_promises"  # a client's promise history


# The system does only this: imports, from the command line and the worker. Nothing that
# decides or sees anyone's pay; a new month's scheme is started by a person.
_SYSTEM_ACTIONS = frozenset({Action.MANAGE_PAYMENTS})


def _roles(user: Any) -> frozenset[str]:
    if user is SYSTEM or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_cache = cached
    return cached


def has_role(user: Any, role: Role) -> bool:
    return role.value in _roles(user)


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def employee_of(user: Any) -> Employee | None:
    if user is SYSTEM or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.employee
    except Employee.DoesNotExist:
        return None


def is_director(user: Any) -> bool:
    return has_role(user, Role.DIRECTOR)


def is_accountant(user: Any) -> bool:
    return has_role(user, Role.ACCOUNTANT)


def heads(user: Any, department: Department) -> bool:
    """The user is the head of this department (by role and by the department's record)."""
    employee = employee_of(user)
    return employee is not None and has_role(user, Role.HEAD) and department.head_id == employee.pk


def belongs_to(user: Any, department: Department, month: dt.date | None = None) -> bool:
    """The user is a staff member of the department today, or at any time in ``month``."""
    employee = employee_of(user)
    if employee is None or not has_role(user, Role.STAFF):
        return False
    if month is None:
        first = last = timezone.localdate()
    else:
        first = month.replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return employee.memberships.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=first),
        department=department,
        started_on__lte=last,
    ).exists()


def _department_of(obj: Any) -> Department | None:
    if isinstance(obj, Department):
        return obj
    return getattr(obj, "department", None)


def can(user: Any, action: Action, obj: Any = None) -> bool:
    """May ``user`` do ``action`` on ``obj`` (a department, period or other record)?"""
    if user is SYSTEM:
        return action in _SYSTEM_ACTIONS
    if not _roles(user) and not is_admin(user):
        return False
    rule = _RULES.get(action)
    return bool(rule and rule(user, obj))


def require(user: Any, action: Action, obj: Any = None) -> None:
    if not can(user, action, obj):
        raise PermissionDenied


def may_now(user: Any, step: str, period: Any) -> bool:
    """May ``user`` take the workflow ``step`` (``close``, ``approve``...) on ``period`` in
    the state it is in now? The lifecycle says whether the state allows the step and
    which rule guards it; the rule says whether this user may."""
    from compensation import lifecycle

    return lifecycle.can(step, getattr(period, "state", None)) and can(
        user, lifecycle.transition(step).permission, period
    )


def _in_department(user: Any, obj: Any) -> bool:
    department = _department_of(obj)
    if department is None:
        return False
    month = getattr(obj, "month", None)
    return heads(user, department) or belongs_to(user, department, month)


def _view_department(user: Any, obj: Any) -> bool:
    # Accountants reconcile collections with the bank, so they see every department's;
    # collections are team figures, not anyone's pay.
    if is_director(user) or is_accountant(user) or is_admin(user):
        return True
    # No department named: any of them (the navigation's question).
    return sees_departments(user) if obj is None else _in_department(user, obj)


def _view_payments(user: Any, obj: Any) -> bool:
    if obj is None:
        return is_director(user) or is_accountant(user) or is_admin(user) or sees_departments(user)
    return is_accountant(user) or _view_department(user, obj)


def _manage_payments(user: Any, obj: Any) -> bool:
    return is_admin(user) or is_accountant(user)


def _edit_scheme(user: Any, obj: Any) -> bool:
    return is_director(user)


def _close_period(user: Any, obj: Any) -> bool:
    department = _department_of(obj)
    return department is not None and (is_director(user) or heads(user, department))


def _propose(user: Any, obj: Any) -> bool:
    department = _department_of(obj)
    return department is not None and heads(user, department)


def _review(user: Any, obj: Any) -> bool:
    return is_director(user)


def _view_period(user: Any, obj: Any) -> bool:
    from compensation import lifecycle

    if obj is None:
        # Any period at all (the navigation's question).
        return is_director(user) or visible_periods(user).exists()
    if is_accountant(user) and lifecycle.is_settled(getattr(obj, "state", None)):
        return True
    # Not _view_department: an accountant sees a period only once it is approved.
    return is_director(user) or is_admin(user) or _in_department(user, obj)


def _view_pay_lines(user: Any, obj: Any) -> bool:
    from compensation import lifecycle

    department = _department_of(obj)
    if department is None:
        return False
    if is_accountant(user):
        return lifecycle.is_settled(getattr(obj, "state", None))
    return is_director(user) or heads(user, department)


def _is_approved(obj: Any) -> bool:
    """A revision approved, or a period whose current revision is (approved or paid)."""
    from compensation import lifecycle
    from compensation.models import Revision

    if isinstance(obj, Revision):
        return obj.is_approved
    return lifecycle.is_settled(getattr(obj, "state", None))


def _period_of(obj: Any) -> Any:
    from compensation.models import Revision

    return obj.period if isinstance(obj, Revision) else obj


def _view_adjustments(user: Any, obj: Any) -> bool:
    """The awards and deductions of a revision (or a period's current one), with reasons.

    Those who decide or pay them see them as they stand; the team sees them once
    approved, unless the month's scheme turns that off. A proposal is never shown to staff.
    """
    period = _period_of(obj)
    department = _department_of(period)
    if department is None:
        return False
    if is_director(user) or heads(user, department):
        return True
    if not _is_approved(obj):
        return False
    if is_accountant(user):
        return True
    return belongs_to(user, department, period.month) and team_sees_adjustments(period)


def sees_adjusted_figures(user: Any, revision: Any) -> bool:
    """The team figures with the revision's awards and deductions counted in: once it is
    approved, for whoever sees the period; before that, for those who see the proposal."""
    return _is_approved(revision) or can(user, Action.VIEW_ADJUSTMENTS, revision)


def team_sees_adjustments(period: Any) -> bool:
    """The month's scheme lets the team see its awards and deductions (on by default).

    The scheme is read as it is now: it no longer changes once its month is closed.
    """
    from compensation.models import MonthlyScheme

    allowed = (
        MonthlyScheme.objects.filter(department_id=period.department_id, month=period.month)
        .values_list("team_sees_adjustments", flat=True)
        .order_by()
        .first()
    )
    return allowed is not False


def _export_payroll(user: Any, obj: Any) -> bool:
    from compensation import lifecycle
    from compensation.models import Revision

    if isinstance(obj, Revision):
        # An approved revision stays exportable after a reopen, as history.
        return is_accountant(user) and obj.is_approved
    return is_accountant(user) and lifecycle.is_settled(getattr(obj, "state", None))


def _mark_paid(user: Any, obj: Any) -> bool:
    from compensation import lifecycle

    return is_accountant(user) and lifecycle.can("pay", getattr(obj, "state", None))


def _view_own_bonus(user: Any, obj: Any) -> bool:
    return employee_of(user) is not None and (
        has_role(user, Role.STAFF) or has_role(user, Role.HEAD)
    )


def _view_payroll(user: Any, obj: Any) -> bool:
    return is_accountant(user)


def _administer(user: Any, obj: Any) -> bool:
    # People, clients and payments' records. Not anyone's pay: the admin's pay-line and
    # proposal pages list only what ``visible_pay_lines`` and ``visible_proposal_lines``
    # give the administrator (nothing, unless they also hold a role that sees pay).
    return is_admin(user)


def _manage_absences(user: Any, obj: Any) -> bool:
    # The head knows who is away and who covers; the administrator keeps the records.
    if is_admin(user):
        return True
    if obj is None:
        # No department named: any of them (the navigation's question).
        return has_role(user, Role.HEAD)
    department = _department_of(obj)
    return department is not None and heads(user, department)


def _record_promise(user: Any, obj: Any) -> bool:
    # Those who call the clients: the department's staff and its head.
    department = _department_of(obj)
    return department is not None and (heads(user, department) or belongs_to(user, department))


def _view_promises(user: Any, obj: Any) -> bool:
    # Asked of a client only. One rule for a page and a list's links: the queryset below.
    from payments.models import Client

    if not isinstance(obj, Client):
        return False
    return visible_promise_clients(user).filter(pk=obj.pk).exists()


_RULES = {
    Action.VIEW_DEPARTMENT: _view_department,
    Action.VIEW_PAYMENTS: _view_payments,
    Action.MANAGE_PAYMENTS: _manage_payments,
    Action.EDIT_SCHEME: _edit_scheme,
    Action.CLOSE_PERIOD: _close_period,
    Action.PROPOSE: _propose,
    Action.REVIEW: _review,
    Action.REOPEN: _review,
    Action.VIEW_PERIOD: _view_period,
    Action.VIEW_PAY_LINES: _view_pay_lines,
    Action.VIEW_ADJUSTMENTS: _view_adjustments,
    Action.VIEW_OWN_BONUS: _view_own_bonus,
    Action.VIEW_PAYROLL: _view_payroll,
    Action.EXPORT_PAYROLL: _export_payroll,
    Action.MARK_PAID: _mark_paid,
    Action.ADMINISTER: _administer,
    Action.MANAGE_ABSENCES: _manage_absences,
    # What clients owe is a team figure like collections, not anyone's pay.
    Action.VIEW_OUTSTANDING: _view_department,
    Action.RECORD_PROMISE: _record_promise,
    Action.VIEW_PROMISES: _view_promises,
}


# --- scoped querysets ------------------------------------------------------------------


def visible_departments(user: Any) -> QuerySet[Department]:
    """Departments whose collections and team figures the user may see."""
    if is_director(user) or is_admin(user) or is_accountant(user):
        return Department.objects.all()
    employee = employee_of(user)
    if employee is None:
        return Department.objects.none()
    today = timezone.localdate()
    condition = Q(pk__in=[])
    if has_role(user, Role.HEAD):
        condition |= Q(head=employee)
    if has_role(user, Role.STAFF):
        condition |= Q(
            memberships__employee=employee,
            memberships__started_on__lte=today,
        ) & (Q(memberships__ended_on__isnull=True) | Q(memberships__ended_on__gte=today))
    return Department.objects.filter(condition).distinct()


def sees_departments(user: Any) -> bool:
    """Whether any department is visible to the user (one query, then kept on the user
    object like the roles: the navigation and the payments rule both ask on every page)."""
    cached = getattr(user, "_sees_departments", None)
    if cached is None:
        cached = visible_departments(user).exists()
        user._sees_departments = cached
    return cached


def visible_periods(user: Any) -> QuerySet:
    from compensation import lifecycle
    from compensation.models import BonusPeriod

    periods = BonusPeriod.objects.select_related("department")
    if is_director(user) or is_admin(user):
        return periods
    if is_accountant(user):
        return periods.filter(state__in=lifecycle.SETTLED)
    employee = employee_of(user)
    if employee is None:
        return periods.none()
    condition = Q(pk__in=[])
    if has_role(user, Role.HEAD):
        condition |= Q(department__head=employee)
    if has_role(user, Role.STAFF):
        condition |= Q(members__employee=employee)
    return periods.filter(condition).distinct()


def visible_revisions(user: Any) -> QuerySet:
    """Revisions whose payroll the user may look for: an accountant every approved one
    (a superseded revision stays exportable after a reopen), others their periods'."""
    from compensation.models import Revision

    revisions = Revision.objects.select_related("period__department")
    if is_accountant(user):
        return revisions.filter(approved_at__isnull=False)
    return revisions.filter(period__in=visible_periods(user))


def visible_payments(user: Any) -> QuerySet:
    from payments.models import Payment

    payments = Payment.objects.all()
    if is_director(user) or is_admin(user) or is_accountant(user):
        return payments
    return payments.filter(department__in=visible_departments(user))


def visible_import_previews(user: Any) -> QuerySet:
    """Files waiting for their import to be confirmed: only the uploader's own, and only
    while they may manage payments (a preview is that person's dry run, nobody else's)."""
    from payments.models import ImportUpload

    if user is SYSTEM or not can(user, Action.MANAGE_PAYMENTS):
        return ImportUpload.objects.none()
    return ImportUpload.objects.filter(batch=None, created_by=user)


def visible_pay_lines(user: Any) -> QuerySet:
    """Pay lines: one's own always; everyone's where the rules above allow."""
    from compensation.models import PayLine

    lines = PayLine.objects.select_related("revision__period__department", "employee")
    # Not the administrator: they manage people and payments, not everyone's pay
    # (as ``_view_pay_lines`` says).
    if is_director(user):
        return lines
    employee = employee_of(user)
    condition = Q(pk__in=[])
    if is_accountant(user):
        # Pay lines exist only for approved revisions, earlier ones included.
        condition |= Q(revision__approved_at__isnull=False)
    if employee is not None:
        condition |= Q(employee=employee)
        if has_role(user, Role.HEAD):
            condition |= Q(revision__period__department__head=employee)
    return lines.filter(condition)


def visible_proposal_lines(user: Any) -> QuerySet:
    """Proposal lines (awards and deductions with reasons) for the pages that list them
    across periods: those whose every revision the user may see as it stands (the
    director, the head of the department), and approved ones for the accountant.

    A staff member sees a period's approved adjustments on that period's pages, where
    ``Action.VIEW_ADJUSTMENTS`` decides; no list across periods is offered to staff.
    """
    from compensation.models import ProposalLine

    lines = ProposalLine.objects.select_related("revision__period__department", "employee")
    if is_director(user):
        return lines
    employee = employee_of(user)
    condition = Q(pk__in=[])
    if is_accountant(user):
        condition |= Q(revision__approved_at__isnull=False)
    if employee is not None and has_role(user, Role.HEAD):
        condition |= Q(revision__period__department__head=employee)
    return lines.filter(condition)


def bonus_department(user: Any, month: dt.date) -> Department | None:
    """The department whose bonus the user shares in ``month``, as its head or a member.

    A closed period's frozen head and members decide; before that, the head of record and
    the memberships overlapping the month. None for anyone without a bonus of their own.
    """
    employee = employee_of(user)
    if employee is None or not can(user, Action.VIEW_OWN_BONUS):
        return None
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    condition = Q(pk__in=[])
    if has_role(user, Role.HEAD):
        condition |= Q(head=employee) | Q(periods__month=first, periods__head=employee)
    if has_role(user, Role.STAFF):
        condition |= Q(periods__month=first, periods__members__employee=employee)
        condition |= Q(
            Q(memberships__ended_on__isnull=True) | Q(memberships__ended_on__gte=first),
            memberships__employee=employee,
            memberships__started_on__lte=last,
        )
    return Department.objects.filter(condition).distinct().order_by("name").first()


# --- the collections cockpit: whose promise history one sees ---------------------------


def visible_promise_clients(user: Any) -> QuerySet:
    """Clients whose promise history the user may read: the director's and the
    administrator's, all; a head's, their department's; a staff member's, the clients they
    hold or will hold again (their own while away included) and those they cover today."""
    from payments.models import Client

    if is_director(user) or is_admin(user):
        return Client.objects.all()
    employee = employee_of(user)
    if employee is None:
        return Client.objects.none()
    condition = Q(pk__in=[])
    if has_role(user, Role.HEAD):
        condition |= Q(department__head=employee)
    if has_role(user, Role.STAFF):
        today = timezone.localdate()
        holds = Q(assignments__employee=employee) & (
            Q(assignments__ended_on__isnull=True) | Q(assignments__ended_on__gte=today)
        )
        condition |= Q(responsible=employee) | holds
    return Client.objects.filter(condition).distinct()


def has_any_role(user: Any) -> bool:
    """Whether the user holds any role at all (a sign-in without one sees a plain page)."""
    return bool(_roles(user)) or is_admin(user)
