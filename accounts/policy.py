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
  what that work needs;
- an integration (``Integration``): another program calling the HTTP API with a token,
  scoped to reading or writing and to a set of departments (see its rules below).

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
    """The user a history row or an event records for ``actor``: none for the system or an
    integration (neither is a user; an import's batch names the integration instead)."""
    return None if actor is SYSTEM or isinstance(actor, Integration) else actor


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
    # Questions on a statement (a department's month, or one question)
    ASK_QUESTION = "ask_question"  # about one's own statement of that month
    VIEW_QUESTION = "view_question"  # the asker, the department's head, the director
    ANSWER_QUESTION = "answer_question"
    FORWARD_QUESTION = "forward_question"  # the head hands a question to the director
    CLOSE_QUESTION = "close_question"  # the asker closes it, or asks again
    # One payroll file of a month for every department (its approved periods only).
    EXPORT_COMPANY_PAYROLL = "export_company_payroll"
    # The year's plans grid and the replay of a draft scheme on past months: reading
    # them; saving or adopting is EDIT_SCHEME's, through the scheme services.
    PLAN_SCHEMES = "plan_schemes"
    # The director's company views: the cash gap, every department's month.
    VIEW_COMPANY = "view_company"
    VIEW_DEPARTMENT_YEAR = "view_department_year"  # a department's twelve months
    MANAGE_OBLIGATIONS = "manage_obligations"  # the company's obligations and their schedule
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
    if isinstance(user, Integration):
        return _integration_can(user, action, obj)
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


def _plan_schemes(user: Any, obj: Any) -> bool:
    return is_director(user) or is_admin(user)


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
    # Questions' rules are defined below, with the questions' querysets.
    Action.ASK_QUESTION: lambda user, obj: _ask_question(user, obj),
    Action.VIEW_QUESTION: lambda user, obj: _view_question(user, obj),
    Action.ANSWER_QUESTION: lambda user, obj: _answer_question(user, obj),
    Action.FORWARD_QUESTION: lambda user, obj: _pass_question(user, obj),
    Action.CLOSE_QUESTION: lambda user, obj: _asked(user, obj),
    Action.PLAN_SCHEMES: _plan_schemes,
    Action.VIEW_PROMISES: _view_promises,
}


# --- the company's payroll file ---------------------------------------------------------


def _export_company_payroll(user: Any, obj: Any) -> bool:
    # The accountant pays every department; the file holds approved periods only.
    return is_accountant(user)


_RULES[Action.EXPORT_COMPANY_PAYROLL] = _export_company_payroll


# --- scoped querysets ------------------------------------------------------------------


def visible_departments(user: Any) -> QuerySet[Department]:
    """Departments whose collections and team figures the user may see."""
    if isinstance(user, Integration):
        return Department.objects.filter(pk__in=user.department_ids)
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
    if isinstance(user, Integration):
        return periods.filter(department_id__in=user.department_ids)
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
    if isinstance(user, Integration):
        return payments.filter(department_id__in=user.department_ids)
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

    if isinstance(user, Integration):
        # A payroll system reads approved pay (as the accountant does), its departments'.
        return PayLine.objects.select_related("revision__period__department", "employee").filter(
            revision__approved_at__isnull=False,
            revision__period__department_id__in=user.department_ids,
        )
    return _revision_lines(user, PayLine.objects, own=True)


def visible_proposal_lines(user: Any) -> QuerySet:
    """Proposal lines (awards and deductions with reasons) for the pages that list them
    across periods: those whose every revision the user may see as it stands (the
    director, the head of the department), and approved ones for the accountant.

    A staff member sees a period's approved adjustments on that period's pages, where
    ``Action.VIEW_ADJUSTMENTS`` decides; no list across periods is offered to staff.
    """
    from compensation.models import ProposalLine

    if isinstance(user, Integration):
        # Proposals decide pay: never an integration's to read.
        return ProposalLine.objects.none()
    return _revision_lines(user, ProposalLine.objects, own=False)


def _revision_lines(user: Any, manager: Any, *, own: bool) -> QuerySet:
    """A revision's per-person lines the user may list: all for the director (not the
    administrator: they manage people and payments, not everyone's pay, as
    ``_view_pay_lines`` says), approved ones for the accountant (lines of approved
    revisions, earlier ones included), the department's for its head, and with ``own``
    the user's own."""
    lines = manager.select_related("revision__period__department", "employee")
    if is_director(user):
        return lines
    employee = employee_of(user)
    condition = Q(pk__in=[])
    if is_accountant(user):
        condition |= Q(revision__approved_at__isnull=False)
    if employee is not None:
        if own:
            condition |= Q(employee=employee)
        if has_role(user, Role.HEAD):
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
    """Whether the user holds any role at all (a sign-in without one sees a plain page);
    an integration's scope counts as one."""
    return isinstance(user, Integration) or bool(_roles(user)) or is_admin(user)


# --- questions on a statement and notices ------------------------------------------------
# A question is about the asker's own pay: only the asker, the head of the department and
# the commercial director see it (not the administrator, who sees nobody's pay); staff
# never see each other's.


def _asked(user: Any, obj: Any) -> bool:
    employee = employee_of(user)
    return employee is not None and getattr(obj, "asker_id", None) == employee.pk


def _ask_question(user: Any, obj: Any) -> bool:
    # A staff member of the department in that month: the statement is theirs.
    department = _department_of(obj)
    return department is not None and belongs_to(user, department, getattr(obj, "month", None))


def _view_question(user: Any, obj: Any) -> bool:
    department = _department_of(obj)
    if department is None:
        return False
    return is_director(user) or heads(user, department) or _asked(user, obj)


def _answer_question(user: Any, obj: Any) -> bool:
    department = _department_of(obj)
    return department is not None and (is_director(user) or heads(user, department))


def _pass_question(user: Any, obj: Any) -> bool:
    department = _department_of(obj)
    return department is not None and heads(user, department)


def visible_questions(user: Any) -> QuerySet:
    """Questions the user may read: their own, their department's as its head, all for
    the director."""
    from compensation.models import Question

    questions = Question.objects.select_related("asker", "department")
    if is_director(user):
        return questions
    employee = employee_of(user)
    if employee is None or not _roles(user):
        return questions.none()
    condition = Q(asker=employee)
    if has_role(user, Role.HEAD):
        condition |= Q(department__head=employee)
    return questions.filter(condition)


def visible_notices(user: Any) -> QuerySet:
    """A person's notices are theirs alone."""
    from compensation.models import Notice

    if user is SYSTEM or isinstance(user, Integration):
        return Notice.objects.none()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Notice.objects.none()
    return Notice.objects.filter(recipient=user)


# --- integrations (the HTTP API's tokens) ---------------------------------------------


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"


class Integration:
    """Another program calling the HTTP API with a token (``api.models.ApiToken``).

    Like ``SYSTEM``, signed in and active so the policy looks at it, a member of no group
    and not a user. Its token's scope and departments bound everything it does: it reads
    the team figures of its departments, their periods' states and, once approved, their
    pay lines (as the accountant does, for a payroll system); with the write scope it
    also brings payments, invoices and absences in, for its departments only.
    """

    is_authenticated = True
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None
    id = None
    employee = None
    _role_cache: frozenset[str] = frozenset()

    def __init__(self, *, token_id: int, name: str, scope: str, department_ids: Any) -> None:
        self.token_id = token_id
        self.name = name
        self.scope = Scope(scope)
        self.department_ids = frozenset(department_ids)

    def get_username(self) -> str:
        return f"integration:{self.name}"

    def get_full_name(self) -> str:
        return self.get_username()

    def __str__(self) -> str:
        return self.get_username()

    def __repr__(self) -> str:
        return f"Integration({self.token_id}, {self.name!r}, {self.scope})"


_INTEGRATION_READS = frozenset(
    {
        Action.VIEW_DEPARTMENT,
        Action.VIEW_PAYMENTS,
        Action.VIEW_OUTSTANDING,
        Action.VIEW_PERIOD,
        Action.VIEW_PAY_LINES,
    }
)
# Bringing records in, nothing that decides anyone's pay.
_INTEGRATION_WRITES = frozenset({Action.MANAGE_PAYMENTS, Action.MANAGE_ABSENCES})


def _integration_can(integration: Integration, action: Action, obj: Any) -> bool:
    from compensation import lifecycle

    allowed = _INTEGRATION_READS
    if integration.scope == Scope.WRITE:
        allowed = allowed | _INTEGRATION_WRITES
    if action not in allowed:
        return False
    if action == Action.VIEW_PAY_LINES and not lifecycle.is_settled(getattr(obj, "state", None)):
        return False
    if obj is None:
        # No department named: the caller limits each row to ``writable_departments``.
        return True
    department = _department_of(_period_of(obj))
    return department is not None and department.pk in integration.department_ids


def writable_departments(user: Any) -> frozenset[int] | None:
    """The departments whose payments, invoices and absences ``user`` may bring in: None
    for no limit beyond the action itself (a person or the system), else the token's."""
    if isinstance(user, Integration):
        return user.department_ids
    return None


# --- the director's company views ----------------------------------------------------------
# The company's cash and every department are the director's (and the administrator's:
# team figures only); a department's year, which names the head's bonus, is the
# director's and its own head's, not the administrator's (who sees nobody's pay). A
# person's own year is "my bonus" (VIEW_OWN_BONUS).


def _view_company(user: Any, obj: Any) -> bool:
    return is_director(user) or is_admin(user)


def _view_department_year(user: Any, obj: Any) -> bool:
    if is_director(user):
        return True
    if obj is None:
        # No department named: any of them (the navigation's question).
        return has_role(user, Role.HEAD) and employee_of(user) is not None
    department = _department_of(obj)
    return department is not None and heads(user, department)


_RULES.update(
    {
        Action.VIEW_COMPANY: _view_company,
        Action.VIEW_DEPARTMENT_YEAR: _view_department_year,
        Action.MANAGE_OBLIGATIONS: _view_company,
    }
)


def year_departments(user: Any) -> QuerySet[Department]:
    """The departments whose year the user may see."""
    if is_director(user):
        return Department.objects.all()
    employee = employee_of(user)
    if employee is None or not has_role(user, Role.HEAD):
        return Department.objects.none()
    return Department.objects.filter(head=employee)
