"""Payment imports: format readers feeding one pipeline (see ``pipeline``)."""

from __future__ import annotations

from payments.importing.pipeline import ImportResult, format_report, payments_import

__all__ = ["ImportResult", "format_report", "payments_import"]
