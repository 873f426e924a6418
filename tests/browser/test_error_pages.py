"""Error pages in a real browser: the user's language, the site's layout, a way back."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.browser.test_journeys import sign_in
from tests.factories import Cast, build_cast

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "ru-RU"}


@pytest.fixture
def people(transactional_db: None) -> Cast:
    return build_cast()


def test_a_refused_and_a_missing_page_speak_russian_and_lead_back(
    page: Any, live_server: Any, people: Cast, screenshot: Any
) -> None:
    # given Masha, a staff member, on her start page
    sign_in(page, live_server, "masha")
    start = page.url

    # when she follows a link to the payroll, which her role does not open
    page.evaluate(f"window.location.href = '{live_server.url}{reverse('payroll')}'")
    page.wait_for_load_state()

    # then the page says so in Russian, inside the site's layout, never "403 Forbidden"
    assert page.locator("h1").inner_text() == "Доступ закрыт"
    assert "Forbidden" not in page.content()
    assert page.locator("nav.navbar").is_visible()
    assert page.locator("html").get_attribute("lang") == "ru"
    screenshot("error-403-ru")

    # and "back" returns to where she came from
    page.get_by_role("link", name="Назад").click()
    page.wait_for_load_state()
    assert page.url == start

    # when she opens an address that does not exist, the same
    page.goto(f"{live_server.url}/no-such-page/")
    assert page.locator("h1").inner_text() == "Страница не найдена"
    page.get_by_role("link", name="На главную").click()
    page.wait_for_load_state()
    assert page.url.rstrip("/") == live_server.url.rstrip("/")
