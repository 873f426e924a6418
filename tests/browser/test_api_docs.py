"""The API's documentation page in a real browser, in Russian and English: Swagger UI
renders from this server's own files (nothing fetched elsewhere, nothing the CSP
refuses), and a call made from the page with the session answers in the page's language."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from django.urls import reverse

from tests.browser.test_journeys import sign_in
from tests.factories import build_cast

pytestmark = pytest.mark.django_db(transaction=True)
REFUSED = {"ru": "Нет доступа.", "en": "Not allowed."}


@pytest.fixture(params=["ru", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any], language: str) -> dict[str, Any]:
    return {**browser_context_args, "locale": "ru-RU" if language == "ru" else "en-US"}


def test_the_documentation_renders_from_local_files(
    page: Any, live_server: Any, language: str
) -> None:
    build_cast()
    hosts: set[str] = set()
    refused: list[str] = []
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    sign_in(page, live_server, "dina")
    page.goto(f"{live_server.url}{reverse('api:openapi-view')}")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Team bonus API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector('[data-path="/api/v1/payments/bulk"]')
    assert page.locator(".opblock").count() >= 9
    assert hosts == {urlparse(live_server.url).netloc}
    assert not refused
    # the director has no bonus of their own: refused, in the page's language
    problem = page.evaluate(
        "fetch('/api/v1/me/statement/2026-10').then(r => r.json().then(b => [r.status, b]))"
    )
    assert problem[0] == 403
    assert problem[1]["title"] == REFUSED[language]
