"""Browser tests: pytest-playwright driving Debian's Chromium against the live server.

Where Chromium is missing the tests skip with a message saying so, except in CI
(``CI=true``), where a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# Playwright's sync API runs an event loop in this thread; the tests still touch the
# database synchronously, which is safe here because nothing else shares the loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _chromium_available():
        return
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError(
            f"Chromium was not found at {CHROMIUM}: CI needs it for the browser tests "
            "(apt-get install chromium)."
        )
    marker = pytest.mark.skip(
        reason=f"Chromium not found at {CHROMIUM}; install it (apt-get install chromium) "
        "to run the browser tests."
    )
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(marker)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def screenshot(page: Any) -> Any:
    """Save a full-page screenshot under the git-ignored test-artifacts/ folder."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
