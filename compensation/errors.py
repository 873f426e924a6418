"""Errors the workflow services raise, each with a message meant for the user.

They are :class:`~django.core.exceptions.ValidationError` subclasses, so a view can
put them on its form (``form.add_error(None, error)``) like any other validation error.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class WorkflowError(ValidationError):
    """A step that the period's workflow does not allow now (wrong state, missing data)."""

    def __init__(self, message: Any, code: str = "workflow", params: Any = None) -> None:
        super().__init__(message, code=code, params=params)


class PeriodChanged(WorkflowError):
    """Someone else changed the period after the user loaded it; they must reload."""

    def __init__(self) -> None:
        super().__init__(
            _("This period has changed since you opened it; reload the page."),
            code="period_changed",
        )


class SchemeChanged(WorkflowError):
    """Someone changed the scheme after the user loaded it; theirs stands, not merged."""

    def __init__(self, who: str, reason: str) -> None:
        super().__init__(
            _(
                "%(who)s changed the scheme while you were editing it (“%(reason)s”). "
                "Your change is not saved: check the scheme as it is now and change it again."
            ),
            code="scheme_changed",
            params={"who": who, "reason": reason},
        )


class SchemeMissing(WorkflowError):
    """No scheme to copy: a department's first month needs the director to set one."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "This department has no bonus scheme yet; "
                "the commercial director must set the first one."
            ),
            code="scheme_missing",
        )


class ImmutableRecord(WorkflowError):
    """A write to approved or paid data, which never changes in place (SPEC section 6).

    Raised by the models' own ``save``/``delete`` whatever calls them (a service, the
    admin, a shell); a correction reopens the period as a new revision instead.
    """

    def __init__(self, message: Any) -> None:
        super().__init__(message, code="immutable")
