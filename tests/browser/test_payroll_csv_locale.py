"""The standard payroll CSV, downloaded in a Russian browser, opens as columns in
Russian Excel: semicolons, decimal commas, a byte-order mark (the bytes of every layout
are pinned in tests/test_export_locale.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from compensation.models import PayLine
from tests.browser.test_journeys import sign_in
from tests.factories import Cast, build_cast
from tests.test_workflow_helpers import approved_october

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "ru-RU", "accept_downloads": True}


@pytest.fixture
def people(transactional_db: None) -> Cast:
    return build_cast()


def test_the_russian_standard_csv_has_semicolons_and_decimal_commas(
    page: Any, live_server: Any, people: Cast, tmp_path: Path
) -> None:
    # given October approved, and the accountant's payroll page in Russian
    approved_october(people)
    masha = PayLine.objects.get(employee=people.masha)
    sign_in(page, live_server, "anna")
    page.goto(f"{live_server.url}{reverse('payroll')}")

    # when she downloads the standard CSV
    with page.expect_download() as download:
        page.locator("#payroll button", has_text="CSV").first.click()
    path = tmp_path / "payroll.csv"
    download.value.save_as(path)

    # then Russian Excel reads it as columns: semicolons, decimal commas, a BOM
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    header, *rows = text.splitlines()
    assert header.count(";") >= 4
    assert "," not in header
    masha_row = next(row for row in rows if "Masha Ivanova" in row)
    bonus = f"{masha.bonus:.2f}".replace(".", ",")
    assert bonus in masha_row.split(";")
    # and the file's name has the month in words, not 2026-10
    assert "2026-10" not in download.value.suggested_filename
