"""The standard payroll CSV opens in columns in the reader's spreadsheet: bytes checked."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.test import Client
from django.urls import reverse

from compensation.models import Revision
from tests.factories import Cast
from tests.test_workflow_helpers import approved_october

BOM = b"\xef\xbb\xbf"
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def _download(cast: Cast, language: str, layout: str = "standard") -> Any:
    period = approved_october(cast)
    http = Client(HTTP_ACCEPT_LANGUAGE=language)
    http.force_login(cast.accountant.user)
    response = http.post(reverse("payroll_export", args=[period.pk, 1, layout, "csv"]))
    assert response.status_code == 200
    return response


def _approved_in_moscow(cast: Cast) -> dt.datetime:
    # Stored in UTC; the file writes the company's time (Moscow, UTC+3), not UTC.
    approved_at = Revision.objects.get(period__department=cast.dept).approved_at
    assert approved_at.astimezone(dt.UTC).hour != approved_at.astimezone(MOSCOW).hour
    return approved_at.astimezone(MOSCOW)


def _masha(content: bytes, cast: Cast, encoding: str = "utf-8") -> str:
    text = content.decode(encoding)
    return next(line for line in text.splitlines() if cast.masha.personnel_number in line)


def test_the_russian_standard_csv_is_semicolons_decimal_commas_and_local_time(
    cast: Cast,
) -> None:
    response = _download(cast, "ru")
    content = response.content
    assert content.startswith(BOM)
    header = content[len(BOM) :].split(b"\r\n")[0].decode("utf-8")
    assert header.startswith("Период;Табельный номер;")
    masha = _masha(content[len(BOM) :], cast)
    assert masha.split(";")[0] == "10.2026"
    assert ";20000,00;27000,00;47000,00;" in masha
    assert f"{_approved_in_moscow(cast):%d.%m.%Y %H:%M}" in masha
    assert "," not in masha.replace("20000,00", "").replace("27000,00", "").replace("47000,00", "")
    # and the file's name says the month in words, never 2026-10
    disposition = response["Content-Disposition"]
    assert "2026-10" not in disposition
    assert "filename*=utf-8''payroll-standard-" in disposition
    assert "%D0%BE%D0%BA%D1%82%D1%8F%D0%B1%D1%80%D1%8C-2026" in disposition  # октябрь


def test_the_english_standard_csv_is_commas_and_decimal_points(cast: Cast) -> None:
    response = _download(cast, "en")
    content = response.content
    assert content.startswith(BOM)
    masha = _masha(content[len(BOM) :], cast)
    assert ",20000.00,27000.00,47000.00," in masha
    assert f"{_approved_in_moscow(cast):%Y-%m-%d %H:%M}" in masha
    assert 'filename="payroll-standard-' in response["Content-Disposition"]
    assert "october-2026" in response["Content-Disposition"].lower()


def test_the_zup_layout_stays_cp1251_with_russian_numbers_in_any_language(cast: Cast) -> None:
    content = _download(cast, "en", layout="zup").content
    assert not content.startswith(BOM)
    masha = _masha(content, cast, "cp1251")
    assert ";27\N{NO-BREAK SPACE}000,00;" in masha
