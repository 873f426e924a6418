"""What every spreadsheet export of the admin shares: no cell a spreadsheet would run.

django-import-export's own ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` strips a leading
``=`` only (``+``, ``-``, ``@``, tab and CR still start a formula) and turns every cell,
amounts included, into text. The payroll files' rule is used instead: a would-be formula
gets an apostrophe, which spreadsheets show as text; numbers and dates stay typed.
"""

from __future__ import annotations

from typing import Any

from import_export import resources

from compensation.exports import neutralise


class InertModelResource(resources.ModelResource):
    """A ``ModelResource`` whose exported text cells are never formulas."""

    def export_field(self, field: Any, instance: Any, **kwargs: Any) -> Any:
        value = super().export_field(field, instance, **kwargs)
        return neutralise(value) if isinstance(value, str) else value
