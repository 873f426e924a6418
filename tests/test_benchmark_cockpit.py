"""The benchmark's cockpit data: 120,000 invoices a year at 1,000,000 payments, each
client billed once a month, and the dashboard month's promises (no timing here)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from benchmarks import data, run
from benchmarks.table import Table

CLIENTS = [(1000 + n, 10 + n % data.DEPARTMENTS, None) for n in range(data.CLIENTS)]


def test_a_year_at_a_million_payments_holds_120000_invoices() -> None:
    assert data.invoice_count(1_000_000) == 120_000
    assert data.invoice_count(1_000) == 120


def test_each_client_is_billed_once_a_month_for_twelve_months() -> None:
    rows = [line.rstrip("\n").split("\t") for line in data.invoice_copy_lines(
        120_000, CLIENTS, recorded_by=7)]  # fmt: skip

    per_client_month = Counter((row[0], row[1]) for row in rows)
    assert set(per_client_month.values()) == {1}
    assert len({row[1] for row in rows}) == 12
    assert len({row[2] for row in rows}) == 120_000  # every number its own
    for _client, month, _number, issued, due, amount, *_rest in rows[:500]:
        assert dt.date.fromisoformat(month).day == 1
        assert dt.date.fromisoformat(issued).replace(day=1) == dt.date.fromisoformat(month)
        assert dt.date.fromisoformat(due) - dt.date.fromisoformat(issued) == dt.timedelta(10)
        assert Decimal(amount) > 0


def test_one_client_in_twenty_of_the_month_has_promised() -> None:
    october = dt.date(2026, 10, 1)
    rows = [line.split("\t") for line in data.promise_copy_lines(
        120_000, CLIENTS, month=october, recorded_by=7)]  # fmt: skip

    assert len(rows) == 10_000 // 20
    assert {row[2] for row in rows} == {"2026-10-12"}
    assert all(15 <= dt.date.fromisoformat(row[3]).day <= 28 for row in rows)


def test_the_dry_run_row_fails_a_slower_or_chattier_run(monkeypatch: pytest.MonkeyPatch) -> None:
    results = iter(
        [
            {"seconds": 0.3, "queries": 12, "peak_mib": 90.0, "new": 10, "errors": []},
            {"seconds": 0.2, "queries": 11, "peak_mib": 90.0, "new": 10, "errors": []},
        ]
    )
    monkeypatch.setattr(run, "step", lambda *args: next(results))
    monkeypatch.setattr(run.data, "write_invoices_csv", lambda *args: None)
    table = Table("t")

    run.measure_invoice_dry_run(table, run.QUICK)

    assert table.rows[0][3] == "MISS"
    assert table.rows[0][1] == "1.50×; 12 vs 11 queries"
