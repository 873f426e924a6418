"""Every role's pages in a real browser, in Russian and English, at 1280 px and 390 px.

Each page must not scroll sideways, must keep its chart labels readable on a phone, and
must pass axe-core's checks with no "serious" or "critical" violation. Screenshots go to
test-artifacts/screenshots/roles/.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from compensation import services
from compensation.models import BonusPeriod
from tests.browser.conftest import SCREENSHOTS
from tests.factories import PASSWORD, Cast, ClientFactory, PaymentFactory, build_cast
from tests.test_workflow_helpers import OCTOBER, SPEC_MILESTONES, approved_october

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"
NOVEMBER = dt.date(2026, 11, 1)
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
# Rendered size of the smallest chart label, in CSS pixels, that still reads on a phone.
SMALLEST_LABEL_PX = 11


@dataclass
class World:
    """October paid in the client department; November proposed in Key accounts and
    still to close in the client department."""

    cast: Cast
    october: BonusPeriod
    proposed: BonusPeriod


def _november_scheme(cast: Cast, department: Any) -> None:
    services.scheme_create(
        user=cast.director.user,
        department=department,
        month=NOVEMBER,
        plan="50000000.00",
        threshold="40000000.00",
        rate="0.005",
        head_share="0.40",
        milestones=SPEC_MILESTONES,
        reason="November",
    )


def build_world() -> World:
    cast = build_cast()
    october = approved_october(cast)
    october = services.period_mark_paid(
        user=cast.accountant.user, period=october, expected_version=october.version
    )
    for department in (cast.dept, cast.other):
        _november_scheme(cast, department)
        client = ClientFactory(department=department, responsible=None)
        for day, amount in ((3, "30000000.00"), (20, "18000000.00")):
            PaymentFactory(
                client=client, received_on=NOVEMBER.replace(day=day), amount=Decimal(amount)
            )
    period = services.period_open(department=cast.other, month=NOVEMBER)
    period = services.period_close(
        user=cast.other_head.user, period=period, expected_version=period.version
    )
    period = services.proposal_save(
        user=cast.other_head.user,
        period=period,
        expected_version=period.version,
        lines={cast.sergey.pk: ("1000.00", "0", "Brought in the late payment")},
    )
    proposed = services.proposal_submit(
        user=cast.other_head.user, period=period, expected_version=period.version
    )
    return World(cast=cast, october=october, proposed=proposed)


@pytest.fixture
def world(transactional_db: None) -> World:
    return build_world()


def _pages(world: World) -> dict[str, list[tuple[str, str]]]:
    """(screenshot name, URL) of every page each role works with."""
    cast, october, proposed = world.cast, world.october, world.proposed
    dept, month = cast.dept.pk, OCTOBER
    common = [
        ("start", reverse("home")),
        ("dashboard-october", reverse("department_dashboard", args=[dept, month])),
        ("periods", reverse("period_list")),
        ("payments", reverse("payment_list")),
    ]
    october_pages = [
        ("period-october", reverse("period_detail", args=[october.pk])),
        ("history-october", reverse("period_history", args=[october.pk])),
    ]
    return {
        "masha": [
            *common,
            ("my-bonus-october", reverse("my_bonus_month", args=[month])),
            ("my-bonus-now", reverse("my_bonus_month", args=[NOVEMBER])),
            *october_pages,
        ],
        "ivan": [
            *common,
            ("dashboard-november", reverse("department_dashboard", args=[dept, NOVEMBER])),
            ("close-november", reverse("period_for_month", args=[dept, NOVEMBER])),
            ("my-bonus-october", reverse("my_bonus_month", args=[month])),
            *october_pages,
        ],
        "dina": [
            *common,
            ("review-november", reverse("review", args=[proposed.pk])),
            ("scheme-november", reverse("scheme_edit", args=[dept, NOVEMBER])),
            *october_pages,
        ],
        "anna": [*common, ("payroll", reverse("payroll")), *october_pages],
        "root": [("start", reverse("home")), ("payments", reverse("payment_list"))],
    }


def _sign_in(context: Any, live_server: Any, username: str) -> Any:
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('login')}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"
    return page


def sideways_overflow(page: Any) -> list[str]:
    """What sticks out to the right of the window: empty when the page does not scroll."""
    return page.evaluate(
        """() => {
          if (document.documentElement.scrollWidth <= window.innerWidth) return [];
          const wide = [];
          const clipped = (el) => {
            for (let up = el.parentElement; up; up = up.parentElement) {
              if (getComputedStyle(up).overflowX !== 'visible') return true;
            }
            return false;
          };
          for (const el of document.querySelectorAll('body *')) {
            if (clipped(el)) continue;
            const box = el.getBoundingClientRect();
            if (box.right > window.innerWidth + 1) {
              wide.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} ${box.right}`);
            }
          }
          return wide.slice(0, 8).concat([`scrollWidth ${document.documentElement.scrollWidth}`]);
        }"""
    )


def smallest_chart_label(page: Any) -> float | None:
    """The smallest chart label's font size as drawn on screen, in CSS pixels."""
    return page.evaluate(
        """() => {
          const sizes = [];
          for (const svg of document.querySelectorAll('svg.chart')) {
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            for (const text of svg.querySelectorAll('text')) {
              sizes.push(parseFloat(getComputedStyle(text).fontSize) * scale);
            }
          }
          return sizes.length ? Math.min(...sizes) : null;
        }"""
    )


def serious_violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("username", ["masha", "ivan", "dina", "anna", "root"])
def test_every_page_of_every_role_fits_a_phone_and_passes_axe(
    browser: Any, live_server: Any, world: World, username: str, language: str
) -> None:
    problems: list[str] = []
    folder = SCREENSHOTS / "roles"
    folder.mkdir(parents=True, exist_ok=True)
    for width_name, (width, height) in WIDTHS.items():
        context = browser.new_context(
            locale="ru-RU" if language == "ru" else "en-US",
            viewport={"width": width, "height": height},
            # axe-core goes in as an inline script, which the app's CSP rightly refuses.
            bypass_csp=True,
        )
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page = _sign_in(context, live_server, username)
        for name, url in _pages(world)[username]:
            response = page.goto(f"{live_server.url}{url}")
            where = f"{username} {language} {width_name} {name}"
            assert response.status == 200, f"{where}: {response.status}"
            assert page.locator("html").get_attribute("lang") == language, where
            page.screenshot(
                path=str(folder / f"{username}-{language}-{width_name}-{name}.png"), full_page=True
            )
            wide = sideways_overflow(page)
            if wide:
                problems.append(f"{where} scrolls sideways: {wide}")
            label = smallest_chart_label(page)
            if label is not None and label < SMALLEST_LABEL_PX:
                problems.append(f"{where}: a chart label is drawn at {label:.1f}px")
            problems += [f"{where}: {v}" for v in serious_violations(page)]
        context.close()
    assert not problems, "\n".join(problems)
