"""Bandit finds nothing in the project's code: a finding is fixed or justified where it is."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# Every Python package of the project, plus manage.py; pyproject.toml excludes migrations.
TARGETS = ["accounts", "payments", "compensation", "config", "manage.py"]


def test_it_finds_no_security_issues_with_bandit(tmp_path: Path) -> None:
    # given the configuration in pyproject.toml
    report = tmp_path / "bandit.json"

    # when bandit scans the project
    command = ["-m", "bandit", "-c", "pyproject.toml", "-f", "json", "-o", str(report)]
    result = subprocess.run(
        [sys.executable, *command, "-r", *TARGETS],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    # then it read the code and reports no issue of any severity
    # (a justified one carries "# nosec BXXX" with the reason in a comment above it)
    found = json.loads(report.read_text(encoding="utf-8"))
    issues = [
        f"{i['filename']}:{i['line_number']} {i['test_id']} {i['issue_text']}"
        for i in found["results"]
    ]
    assert issues == []
    assert found["errors"] == []
    assert result.returncode == 0, result.stderr
    scanned = [name for name in found["metrics"] if name != "_totals"]
    assert any(name.endswith("config/settings.py") for name in scanned)
    assert not any("/migrations/" in name for name in scanned)
