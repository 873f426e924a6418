"""Printable statements, read back as text: the figures of the "my bonus" page.

The paid November of tests/test_corrections.py, corrected in December by the voided
9 M payment: Masha's November statement says it was corrected (27,000 paid, 16,000 as
corrected, a difference of -11,000), her December one that December pays -6,000 of it
and carries 5,000 on to January; in English and in Russian. The accountant downloads
the whole department's December as one PDF or as a ZIP of one PDF per person.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pypdf import PdfReader

from compensation import services
from compensation.statement_pdf import StatementOf, statements_pdf
from tests.factories import PASSWORD, Cast
from tests.test_corrections import DECEMBER, NOVEMBER, NOVEMBER_PAYMENTS, _december
from tests.test_workflow_helpers import pay_in, set_scheme

pytestmark = pytest.mark.usefixtures("after_december")
from tests.test_corrections import after_december  # noqa: E402,F401  (the fixture)


def pdf_text(content: bytes) -> str:
    """The PDF's text with every run of white space (line breaks too) as one space."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _get(user: object, url: str, language: str = "en") -> bytes:
    browser = HttpClient()
    browser.login(username=user.username, password=PASSWORD)
    response = browser.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content


def test_mashas_november_statement_says_it_was_corrected(cast: Cast) -> None:
    _december(cast)
    text = pdf_text(_get(cast.masha.user, reverse("my_statement", args=[NOVEMBER])))
    assert "My bonus for November 2026" in text
    assert "Masha Ivanova" in text
    assert "Corrected after it was paid" in text
    assert "Paid: 27,000.00 ₽; as corrected: 16,000.00 ₽." in text
    assert "a difference of -11,000.00 ₽, paid with the payroll of December 2026" in text
    # The chain of the approved correction, as her page shows it: 46 M collected.
    assert "Revision 2, approved on" in text
    assert "46,000,000.00 ₽ collected − 40,000,000.00 ₽ threshold" in text
    assert "1,000.00 ₽ equal share + 15,000.00 ₽ award − 0.00 ₽ deduction = 16,000.00 ₽" in text


def test_mashas_december_statement_pays_part_and_carries_the_rest(cast: Cast) -> None:
    _december(cast)
    text = pdf_text(_get(cast.masha.user, reverse("my_statement", args=[DECEMBER])))
    assert "Bonus to be paid: 6,000.00 ₽" in text
    assert "Corrections paid this month" in text
    assert "The correction of November 2026: -11,000.00 ₽, of which -6,000.00 ₽" in text
    assert "5,000.00 ₽ carried on to January 2027" in text
    assert "46,000,000.00 ₽ collected" in text


def test_the_statement_is_in_russian_when_asked(cast: Cast) -> None:
    _december(cast)
    november = pdf_text(_get(cast.masha.user, reverse("my_statement", args=[NOVEMBER]), "ru"))
    assert "Моя премия за ноябрь 2026" in november
    assert "27 000,00 ₽" in november
    assert "-11 000,00 ₽" in november
    december = pdf_text(_get(cast.masha.user, reverse("my_statement", args=[DECEMBER]), "ru"))
    assert "Корректировки, выплачиваемые в этом месяце" in december
    assert "5 000,00 ₽ переносится на январь 2027" in december


def test_a_person_gets_only_their_own_statement(cast: Cast) -> None:
    _december(cast)
    text = pdf_text(_get(cast.vasya.user, reverse("my_statement", args=[NOVEMBER])))
    assert "Vasya Sidorov" in text
    assert "Masha Ivanova · Personnel number" not in text
    assert "Paid: 6,000.00 ₽; as corrected: 1,000.00 ₽." in text


def test_the_accountant_downloads_the_departments_month_as_one_pdf(cast: Cast) -> None:
    december = _december(cast)
    content = _get(cast.accountant.user, reverse("period_statements", args=[december.pk, "pdf"]))
    text = pdf_text(content)
    assert len(PdfReader(io.BytesIO(content)).pages) >= 4
    statements = text.split("My bonus for December 2026")[1:]
    by_name = {segment.split(" · ")[0].strip(): segment for segment in statements}
    for name, bonus in (
        ("Ivan Petrov", "12,000.00"),
        ("Masha Ivanova", "6,000.00"),
        ("Olya Smirnova", "6,000.00"),
        ("Vasya Sidorov", "6,000.00"),
    ):
        assert f"Bonus to be paid: {bonus} ₽" in by_name[name]
    assert "6,000.00 ₽ carried on to January 2027" in text  # the head's


def test_the_zip_holds_one_pdf_per_person(cast: Cast) -> None:
    december = _december(cast)
    content = _get(cast.director.user, reverse("period_statements", args=[december.pk, "zip"]))
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = sorted(archive.namelist())
    assert len(names) == 4
    texts = {name: pdf_text(archive.read(name)) for name in names}
    masha = next(t for t in texts.values() if "Masha Ivanova" in t)
    assert "5,000.00 ₽ carried on to January 2027" in masha
    assert all(name.startswith("statement-") and name.endswith(".pdf") for name in names)


def test_each_statement_in_the_zip_is_in_its_persons_language(cast: Cast) -> None:
    december = _december(cast)
    cast.olya.language = "ru"
    cast.olya.save(update_fields=["language"])
    content = _get(cast.director.user, reverse("period_statements", args=[december.pk, "zip"]))
    archive = zipfile.ZipFile(io.BytesIO(content))
    texts = [pdf_text(archive.read(name)) for name in archive.namelist()]
    olya = next(t for t in texts if "Olya Smirnova" in t)
    masha = next(t for t in texts if "Masha Ivanova" in t)
    assert "Моя премия за декабрь 2026" in olya
    assert "My bonus for December 2026" in masha


@pytest.mark.parametrize(("who", "status"), [("masha", 403), ("other_head", 404), ("admin", 403)])
def test_a_departments_statements_are_refused_to_others(cast: Cast, who: str, status: int) -> None:
    december = _december(cast)
    user = cast.admin if who == "admin" else getattr(cast, who).user
    browser = HttpClient()
    browser.force_login(user)
    response = browser.get(reverse("period_statements", args=[december.pk, "pdf"]))
    assert response.status_code == status


def test_a_month_not_approved_has_no_statements_to_download(cast: Cast) -> None:
    set_scheme(cast, NOVEMBER)
    pay_in(cast, NOVEMBER_PAYMENTS)
    period = services.period_close(
        user=cast.head.user,
        period=services.period_or_unsaved(department=cast.dept, month=NOVEMBER),
        expected_version=1,
    )
    browser = HttpClient()
    browser.force_login(cast.director.user)
    for extension in ("pdf", "zip", "tar"):
        url = reverse("period_statements", args=[period.pk, extension])
        assert browser.get(url).status_code == 404


def test_statements_pdf_uses_the_language_given(cast: Cast) -> None:
    _december(cast)
    of = StatementOf(cast.olya, cast.dept, DECEMBER)
    assert "Моя премия за декабрь 2026" in pdf_text(statements_pdf([of], language="ru"))
    assert "My bonus for December 2026" in pdf_text(statements_pdf([of], language="en"))
