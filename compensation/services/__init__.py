"""Writes of the bonus workflow. Every service checks the access policy first and runs in
one transaction; every transition locks the period row and checks its expected version.
"""

from __future__ import annotations

from compensation.services.closing import (
    ClosePreview,
    period_close,
    period_close_preview,
    period_open,
    period_or_unsaved,
)
from compensation.services.payroll import PayrollFile, payroll_company_export, payroll_export
from compensation.services.proposals import (
    line_field,
    proposal_edit,
    proposal_preview,
    proposal_save,
    proposal_submit,
)
from compensation.services.review import (
    period_approve,
    period_mark_paid,
    period_reopen,
    period_return,
)
from compensation.services.schemes import scheme_create, scheme_start, scheme_update

__all__ = [
    "ClosePreview",
    "PayrollFile",
    "line_field",
    "payroll_company_export",
    "payroll_export",
    "period_approve",
    "period_close",
    "period_close_preview",
    "period_mark_paid",
    "period_open",
    "period_or_unsaved",
    "period_reopen",
    "period_return",
    "proposal_edit",
    "proposal_preview",
    "proposal_save",
    "proposal_submit",
    "scheme_create",
    "scheme_start",
    "scheme_update",
]
