"""Every money input takes the digits 0-9 and the locale's separators, nothing else."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from compensation.engine import BonusInputError
from compensation.forms import SchemeForm
from compensation.scenario import parse_decimal, parse_ratio
from compensation.workflow_forms import money_field
from core.fields import MoneyField
from core.numbers import has_foreign_digits
from payments.forms import PaymentForm
from payments.models import Client

FOREIGN = ["١٢٣", "۱۲۳", "１２３", "१२३", "12³", "1٢3,50"]


@pytest.mark.parametrize("text", FOREIGN)
def test_other_scripts_digits_are_found(text: str) -> None:
    assert has_foreign_digits(text)


def test_ascii_figures_have_no_foreign_digits() -> None:
    assert not has_foreign_digits("1 234,50")


@pytest.mark.parametrize("text", FOREIGN)
def test_the_money_field_refuses_other_scripts_digits(text: str) -> None:
    field = MoneyField(max_digits=14, decimal_places=2, localize=True)
    with pytest.raises(Exception, match="digits"):
        field.clean(text)


@pytest.mark.parametrize(("language", "text"), [("en", "1,234.50"), ("ru", "1 234,50")])
def test_the_money_field_reads_the_locales_separators(language: str, text: str) -> None:
    field = MoneyField(max_digits=14, decimal_places=2, localize=True)
    with translation.override(language):
        assert field.clean(text) == Decimal("1234.50")


@pytest.mark.parametrize("text", FOREIGN)
def test_the_payment_form_refuses_other_scripts_digits(db: None, text: str) -> None:
    form = PaymentForm(
        data={"amount": text, "received_on": "2026-11-02"}, clients=Client.objects.none()
    )
    form.is_valid()
    assert "amount" in form.errors


@pytest.mark.parametrize("field", ["plan", "threshold"])
def test_the_scheme_form_refuses_other_scripts_digits(field: str) -> None:
    data = {"plan": "1000000", "threshold": "500000", "rate": "0.01", "head_share": "0.4"}
    data[field] = "١٠٠٠٠٠٠"
    form = SchemeForm(data={**data, "reason": "x"})
    form.is_valid()
    assert field in form.errors


@pytest.mark.parametrize("label", ["Award, ₽", "Deduction, ₽"])
def test_the_proposals_award_and_deduction_refuse_other_scripts_digits(label: str) -> None:
    field = money_field(label)
    with pytest.raises(Exception, match="digits"):
        field.clean("٥٠٠٠")
    assert field.clean("5000") == Decimal("5000")


@pytest.mark.parametrize("text", ["١٢٣", "0.٥", "１/３"])
def test_the_scenario_refuses_other_scripts_digits(text: str) -> None:
    with pytest.raises(BonusInputError, match="decimal"):
        parse_ratio(text, "rate")
    with pytest.raises(BonusInputError):
        parse_decimal(text, "plan")


def test_the_scenario_still_reads_ascii_figures() -> None:
    assert parse_decimal("1000000.00", "plan") == Decimal("1000000.00")


def test_the_scenario_month_takes_ascii_digits_only() -> None:
    import json

    from compensation.scenario import parse_scenario

    scenario = json.loads(
        (Path(__file__).parent / "examples" / "seed-55m.json").read_text(encoding="utf-8")
    )
    parse_scenario(scenario)  # the month as written: read
    scenario["month"] = "٢٠٢٦-١٠"  # 2026-10 in Arabic-Indic digits
    with pytest.raises(BonusInputError, match="month"):
        parse_scenario(scenario)
