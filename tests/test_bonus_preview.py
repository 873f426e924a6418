"""The ``bonus_preview`` command of SPEC section 4, in process and as a real process."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = Path(__file__).parent / "examples"
SEED_55M = EXAMPLES / "seed-55m.json"
INVALID = EXAMPLES / "invalid-deduction-too-large.json"
TWO_DECIMALS = re.compile(r"-?\d+\.\d{2}")


# --- helpers -------------------------------------------------------------------------


def preview(source: str) -> dict[str, Any]:
    """Run the command in process and decode what it printed."""
    out = io.StringIO()
    call_command("bonus_preview", source, stdout=out)
    return json.loads(out.getvalue())


def run_preview(source: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py bonus_preview`` as a separate process from the repository root."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    return subprocess.run(
        [sys.executable, "manage.py", "bonus_preview", source],
        cwd=REPO_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assert_book_split(output: dict[str, Any]) -> None:
    assert output["head"] == "30000.00"
    assert {name: line["bonus"] for name, line in output["staff"].items()} == {
        "Masha": "27000.00",
        "Vasya": "6000.00",
        "Olya": "12000.00",
    }


def assert_one_line_failure(process: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert process.returncode != 0
    assert process.stdout == ""
    assert len(process.stderr.splitlines()) == 1, process.stderr
    assert "Traceback" not in process.stderr
    for needle in needles:
        assert needle in process.stderr


# --- in process ----------------------------------------------------------------------


def test_it_previews_the_book_example_from_a_file() -> None:
    output = preview(str(SEED_55M))

    assert_book_split(output)
    assert output["earned"] == "75000.00"
    assert output["staff"]["Masha"]["award"] == "15000.00"
    assert output["staff"]["Vasya"]["deduction"] == "6000.00"


def test_it_prints_every_required_key_with_two_decimal_amounts() -> None:
    output = preview(str(SEED_55M))

    for key in ("collected", "pool", "final_tranche", "earned", "head", "staff_pool"):
        assert TWO_DECIMALS.fullmatch(output[key]), f"{key}: {output[key]!r}"
    assert len(output["milestones"]) == 2
    for milestone in output["milestones"]:
        assert set(milestone) >= {"day", "required", "collected", "met", "amount", "earned"}
        assert isinstance(milestone["met"], bool)
    for line in output["staff"].values():
        for key in ("equal_share", "award", "deduction", "bonus"):
            assert TWO_DECIMALS.fullmatch(line[key]), f"{key}: {line[key]!r}"


def test_it_reads_the_scenario_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    # given the scenario on standard input
    monkeypatch.setattr(sys, "stdin", io.StringIO(SEED_55M.read_text("utf-8")))

    # when the file argument is "-"
    output = preview("-")

    # then it is calculated just like the file
    assert_book_split(output)


def test_it_raises_a_command_error_naming_the_field() -> None:
    with pytest.raises(CommandError, match=r"deductions\.Vasya"):
        preview(str(INVALID))


def test_it_raises_a_command_error_for_garbage_on_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("this is not json"))

    with pytest.raises(CommandError, match="scenario"):
        preview("-")


def test_it_raises_a_command_error_for_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        preview(str(tmp_path / "missing.json"))


# --- as a real process ---------------------------------------------------------------


def test_it_exits_zero_with_json_on_stdout_for_a_valid_file() -> None:
    process = run_preview(str(SEED_55M))

    assert process.returncode == 0, process.stderr
    assert_book_split(json.loads(process.stdout))


def test_it_exits_zero_for_a_valid_scenario_on_stdin() -> None:
    process = run_preview("-", stdin=SEED_55M.read_text("utf-8"))

    assert process.returncode == 0, process.stderr
    assert_book_split(json.loads(process.stdout))


def test_it_fails_in_one_line_for_the_invalid_example() -> None:
    assert_one_line_failure(run_preview(str(INVALID)), "deductions.Vasya")


def test_it_fails_in_one_line_for_a_file_that_is_not_json(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json at all", encoding="utf-8")

    assert_one_line_failure(run_preview(str(garbage)), "scenario")


def test_it_fails_in_one_line_for_a_missing_file(tmp_path: Path) -> None:
    assert_one_line_failure(run_preview(str(tmp_path / "missing.json")), "missing.json")


def test_it_fails_in_one_line_for_garbage_on_stdin() -> None:
    assert_one_line_failure(run_preview("-", stdin="garbage\nmore garbage\n"), "scenario")


def test_it_fails_in_one_line_for_an_unreachable_milestone_requirement(tmp_path: Path) -> None:
    # given a share of plan so large the required amount is no longer money
    scenario = json.loads(SEED_55M.read_text("utf-8"))
    scenario["scheme"]["milestones"][0]["share_of_plan"] = "1e30"
    path = tmp_path / "huge-share.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")

    assert_one_line_failure(run_preview(str(path)), "scheme.milestones[0].share_of_plan")


def test_it_refuses_an_absurd_exponent_quickly() -> None:
    # given a rate whose exact value would take minutes to compute with
    scenario = json.loads((EXAMPLES / "seed-55m.json").read_text("utf-8"))
    scenario["scheme"]["rate"] = "1e-99999999"
    # when / then
    process = run_preview("-", stdin=json.dumps(scenario))
    assert_one_line_failure(process, "scheme.rate", "out of range")


def test_it_keeps_the_message_on_one_line_when_a_name_has_a_newline() -> None:
    scenario = json.loads((EXAMPLES / "seed-55m.json").read_text("utf-8"))
    scenario["awards"] = {"Nobody\nHere": "100.00"}
    process = run_preview("-", stdin=json.dumps(scenario))
    assert_one_line_failure(process, "awards.Nobody Here", "not one of the staff")
