"""The accountant's payroll and the director's review on a phone: the lines open before
any download, the download is logged on the page, wide tables scroll in their own box."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from compensation.models import PayLine
from tests.browser.test_journeys import sign_in
from tests.browser.test_role_journeys import serious_violations, sideways_overflow
from tests.factories import Cast, build_cast
from tests.test_review_context import _proposed_november
from tests.test_workflow_helpers import approved_october

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_context_args,
        "locale": "en-US",
        "viewport": {"width": 390, "height": 844},
        "bypass_csp": True,  # axe-core goes in as an inline script
    }


@pytest.fixture
def people(transactional_db: None) -> Cast:
    return build_cast()


def test_the_accountant_reads_the_lines_then_downloads_and_sees_it_logged(
    page: Any, live_server: Any, people: Cast, screenshot: Any
) -> None:
    october = approved_october(people)
    masha = PayLine.objects.get(employee=people.masha)
    sign_in(page, live_server, "anna")
    page.goto(f"{live_server.url}{reverse('payroll')}")

    lines = page.locator(f"#lines-{october.pk}-1")
    lines.locator("summary").click()
    assert lines.locator("tr", has_text="Masha Ivanova").is_visible()
    assert f"{masha.bonus:,.2f}" in lines.inner_text()
    assert "No file has been downloaded yet." in page.content()
    assert not sideways_overflow(page)
    assert not serious_violations(page)
    # every wide table's box can be reached with the keyboard
    assert page.locator(".table-responsive:not([tabindex='0'])").count() == 0

    with page.expect_download():
        page.locator("#payroll button", has_text="CSV").first.click()
    page.goto(f"{live_server.url}{reverse('payroll')}")
    assert page.locator("#export-log tbody tr").count() == 1
    assert "CSV" in page.locator("#export-log tbody tr").inner_text()
    screenshot("payroll-phone")


def test_the_director_sees_last_month_and_collections_beside_each_line(
    page: Any, live_server: Any, people: Cast, screenshot: Any
) -> None:
    approved_october(people)
    november = _proposed_november(people, people.dept, people.head.user)
    sign_in(page, live_server, "dina")

    page.goto(f"{live_server.url}{reverse('review', args=[november.pk])}")

    masha = page.locator("#review-lines tbody tr", has_text="Masha Ivanova").first
    october = PayLine.objects.get(employee=people.masha, revision__period__month__month=10)
    assert masha.locator("td.last-bonus").inner_text() == f"{october.bonus:,.2f}"
    assert masha.locator("td.collected").inner_text() == "0.00"
    assert not sideways_overflow(page)
    assert not serious_violations(page)
    screenshot("review-phone")
