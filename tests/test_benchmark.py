"""The benchmark's verdicts: which figures pass which target (no timing is run here).

``make bench`` measures; these tests pin how its table reads what it measured, so a
miss cannot be printed as a pass.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks import load, run
from benchmarks.table import Table

SCALE = run.FULL


def _result(seconds: float, **counts: Any) -> dict[str, Any]:
    return {
        "seconds": seconds, "peak_mib": counts.pop("peak_mib", 80.0), "added": 0, "new": 0,
        "duplicate": 0, "unmatched": 0, "errors": [], **counts,
    }  # fmt: skip


def _verdicts(table: Table) -> list[str]:
    return [row[3] for row in table.rows]


def test_it_names_each_import_anchor_by_its_share_of_t() -> None:
    assert run.t_share(1_000_000, SCALE) == (1.0, "T")
    assert run.t_share(100_000, SCALE) == (0.1, "T/10")


def test_it_fails_an_import_over_2_t_or_over_128_mib() -> None:
    table = Table("t")
    run._import_row(table, "csv", _result(19.9, new=1), 10.0, "T")
    run._import_row(table, "csv", _result(20.1, new=1), 10.0, "T")
    run._import_row(table, "csv", _result(10.0, new=1, peak_mib=129.0), 10.0, "T")
    assert _verdicts(table) == ["pass", "MISS", "MISS"]
    assert table.rows[0][1] == "1.99 T, 80 MiB"
    assert table.rows[0][4].endswith("aim 1.5 not met")


def test_it_fails_a_re_import_that_adds_a_row_however_fast() -> None:
    table = Table("t")
    run._reimport_row(table, "again", _result(0.5, duplicate=10), 10.0, "T/10")
    run._reimport_row(table, "again", _result(0.5, added=1, duplicate=9), 10.0, "T/10")
    run._reimport_row(table, "again", _result(10.5, duplicate=10), 10.0, "T/10")
    assert _verdicts(table) == ["pass", "MISS", "MISS"]
    assert table.rows[1][1] == "0.05 T/10, 1 added"


def _page(seconds: float, sql: float, queries: int) -> dict[str, Any]:
    return {"url": "/x/", "seconds": seconds, "sql_seconds": sql, "queries": queries}


def test_it_reads_pages_against_the_small_set_and_against_floor_plus_own_sql() -> None:
    # given the faster of the two floor candidates is "/dashboard/" at 2 ms
    floors = {"my_bonus": _page(0.004, 0.001, 5), "dashboard": _page(0.002, 0.001, 3)}
    big = {
        **floors,
        "steady": _page(0.015, 0.008, 9),  # 1.5× the small set; 1.5× (2 + 8 ms)
        "grows": _page(0.016, 0.001, 9),  # 1.6× the small set
        "more_queries": _page(0.010, 0.008, 10),  # one query more than at 1,000
    }
    small = {**floors, "steady": _page(0.010, 0.0, 9), "grows": _page(0.010, 0.0, 9),
             "more_queries": _page(0.010, 0.0, 9)}  # fmt: skip
    table = Table("t")
    # when
    run.page_rows(table, SCALE, small, big)
    # then: three rows against the small set, then three against the floor
    assert [row[0].split(" ")[1] for row in table.rows] == ["steady", "grows", "more_queries"] * 2
    assert _verdicts(table) == ["pass", "MISS", "MISS", "pass", "MISS", "pass"]
    assert table.rows[2][1] == "1.00×; 10 vs 9 queries"
    assert table.rows[4][1] == "5.33×"  # 16 ms / (2 + 1 ms)
    assert "floor = 2.0 ms" in table.preamble[0]


def test_it_reports_a_page_that_does_not_resolve_without_a_verdict() -> None:
    floors = {"dashboard": _page(0.002, 0.001, 3)}
    table = Table("t")
    run.page_rows(table, SCALE, floors, {**floors, "later": {"missing": True}})
    assert table.rows[0][1:4] == ("not measurable", "—", "—")
    assert table.misses == 0
    assert table.targets == 0


def _run(users: int, p95: float, failures: int = 0) -> load.Run:
    return load.Run(
        users,
        requests=100,
        failures=failures,
        median_ms=Decimal(10),
        p95_ms=Decimal(p95),
        rps=Decimal(5),
    )


def test_it_holds_a_count_of_users_while_p95_stays_within_3_times_and_nothing_fails() -> None:
    assert _run(20, 30.0).holds(10.0)
    assert not _run(20, 30.1).holds(10.0)
    assert not _run(20, 10.0, failures=1).holds(10.0)


def test_it_reports_the_last_count_that_held_climbing_or_descending() -> None:
    climb = [_run(20, 20), _run(40, 25), _run(60, 31), _run(80, 20)]
    assert load.capacity(climb, 10.0) == 40
    descent = [_run(20, 40), _run(10, 35), _run(5, 29)]
    assert load.capacity(descent, 10.0) == 5
    assert load.capacity([_run(20, 40), _run(10, 35), _run(5, 31), _run(2, 31)], 10.0) == 0


def test_it_reads_locusts_aggregated_row(tmp_path: Path) -> None:
    stats = tmp_path / "x_stats.csv"
    stats.write_text(
        "Type,Name,Request Count,Failure Count,Median Response Time,Requests/s,50%,95%\n"
        "GET,/me/,10,0,40,1.5,40,90\n"
        ",Aggregated,25,2,45,3.25,46,120\n"
    )
    assert load.read_stats(stats, 20) == load.Run(
        users=20,
        requests=25,
        failures=2,
        median_ms=Decimal("46.0"),
        p95_ms=Decimal("120.0"),
        rps=Decimal("3.25"),
    )


def test_it_counts_only_rows_with_a_target() -> None:
    table = Table("t")
    table.add("a", "1", "≤ 1", True)
    table.add("b", "2", "≤ 1", False)
    table.add("c", "3", "reported", None)
    assert table.markdown().endswith("1 of 2 targets pass.")


def test_it_passes_no_cache_to_the_app(monkeypatch: Any) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    environment = run.env_for("somedb")
    assert "REDIS_URL" not in environment
    assert environment["DATABASE_URL"].endswith("/somedb")


def test_the_benchmark_starts_without_django_set_up() -> None:
    # ``make bench`` runs benchmarks/run.py as a plain script: Django is set up only in
    # the steps' own processes, so nothing it imports at the top may need the settings.
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--help"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--quick" in done.stdout
