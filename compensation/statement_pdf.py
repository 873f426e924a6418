"""Printable statements: a person's month as a PDF, in the language asked for.

The figures are the "my bonus" page's own (``explain.my_bonus_figures`` builds the
chain, ``statements.month_corrections`` the corrections): nothing is recomputed here.
A template written for fpdf2's HTML subset lays them out; the DejaVu Sans font
committed beside this module (``fonts/``, with its licence) has Cyrillic. Reads only.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from accounts.models import Department, Employee
from compensation.explain import my_bonus_figures
from compensation.statements import month_corrections
from core.months import month_label

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
# fpdf2 embeds only the glyphs used; fontTools reports each subset at INFO level.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)


@dataclass(frozen=True)
class StatementOf:
    """Whose statement, of which department's month."""

    employee: Employee
    department: Department | None
    month: dt.date


def _pdf() -> FPDF:
    pdf = FPDF(format="A4")
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_font(FONT, size=9)
    pdf.set_auto_page_break(auto=True, margin=15)
    return pdf


def _statement_html(of: StatementOf) -> str:
    """The statement as the person's own page shows it: their figures, as they may see."""
    employee = of.employee
    bonus = (
        None
        if of.department is None
        else my_bonus_figures(employee.user, employee, of.department, of.month)
    )
    return render_to_string(
        "compensation/pdf/statement.html",
        {
            "employee": employee,
            "department": of.department,
            "month": of.month,
            "bonus": bonus,
            "corrections": month_corrections(employee, of.month),
        },
    )


def statements_pdf(statements: Iterable[StatementOf], *, language: str) -> bytes:
    """One PDF holding each statement from a new page, in ``language`` ("ru", "en")."""
    pdf = _pdf()
    with translation.override(language):
        pdf.set_title(_("Bonus statement"))
        for of in statements:
            pdf.add_page()
            pdf.write_html(_statement_html(of))
    return bytes(pdf.output())


def statement_file_name(of: StatementOf, *, language: str) -> str:
    with translation.override(language):
        month = month_label(of.month).replace(" ", "-")
    return f"statement-{of.employee.personnel_number}-{month}.pdf"


def statements_zip(statements: Iterable[StatementOf], *, language: str) -> bytes:
    """A ZIP of one PDF per person, to hand out: each in its person's language (their
    stored choice, ``Employee.language``), else in ``language``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for of in statements:
            theirs = of.employee.language or language
            name = statement_file_name(of, language=theirs)
            archive.writestr(name, statements_pdf([of], language=theirs))
    return buffer.getvalue()
