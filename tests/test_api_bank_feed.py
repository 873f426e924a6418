"""The documented bank-feed script, run against a live server: a day's payments posted,
the same file again adding nothing, and the dashboard's figures read back."""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from api.tokens import api_token_create
from payments.models import Payment
from tests.factories import Cast, ClientFactory

SCRIPT = Path(__file__).resolve().parent.parent / "docs" / "api-bank-feed.py"


def bank_feed() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bank_feed", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def day_file(cast: Cast, tmp_path: Path) -> Path:
    one, two = ClientFactory(department=cast.dept), ClientFactory(department=cast.dept)
    path = tmp_path / "payments-2026-11-20.csv"
    path.write_text(
        "date;amount;inn;reference;purpose\n"
        f"2026-11-20;1500.50;{one.inn};101;Invoice 7\n"
        f"2026-11-20;2000.00;{two.inn};102;Invoice 8\n",
        encoding="utf-8",
    )
    return path


def test_the_script_posts_a_days_payments_and_reads_the_figures(
    cast: Cast, day_file: Path, live_server: Any, capsys: Any
) -> None:
    # given a write token of the department
    _token, secret = api_token_create(
        user=cast.admin, name="bank", scope="write", departments=[cast.dept]
    )
    script = bank_feed()
    arguments = ["--url", live_server.url, "--token", secret, "--department", str(cast.dept.pk)]
    # when the day's file is posted, twice
    assert script.main([*arguments, "--month", "2026-11", str(day_file)]) == 0
    first = capsys.readouterr().out
    assert script.main([*arguments, "--month", "2026-11", str(day_file)]) == 0
    second = capsys.readouterr().out
    # then the payments are recorded once, and the figures read back
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [
        Decimal("1500.50"),
        Decimal("2000.00"),
    ]
    assert "2 new payment(s) for 3500.50, 0 already recorded" in first
    assert "Client department, 2026-11: collected 3500.50" in first
    # the same file is the same idempotency key: the first answer again
    assert second == first


def test_the_script_prints_the_rows_in_error(
    cast: Cast, day_file: Path, live_server: Any, capsys: Any
) -> None:
    _token, secret = api_token_create(
        user=cast.admin, name="bank", scope="write", departments=[cast.dept]
    )
    day_file.write_text("date;amount;inn\n2026-11-20;abc;7700000000\n", encoding="utf-8")
    script = bank_feed()
    status = script.main(
        ["--url", live_server.url, "--token", secret, "--department", str(cast.dept.pk),
         "--month", "2026-11", str(day_file)]
    )  # fmt: skip
    assert status == 1
    out = capsys.readouterr().out
    assert out.startswith("422 ")
    assert "row 1, amount:" in out
    assert not Payment.objects.exists()
