"""The per-user page cache: fast repeats, and never one person's page for another."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client as HttpClient
from django.urls import reverse

from tests.factories import Cast
from tests.test_workflow_helpers import approved_october


@pytest.fixture
def page_cache(settings: Any) -> None:
    settings.PAGE_CACHE_SECONDS = 30
    caches["pages"].clear()


def signed_in(user: Any) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def with_same_cookie(client: HttpClient) -> HttpClient:
    """Another browser holding the same session cookie (or a stolen copy of it)."""
    copy = HttpClient()
    copy.cookies["sessionid"] = client.cookies["sessionid"].value
    return copy


def test_a_repeated_page_comes_from_the_cache(
    cast: Cast, page_cache: None, django_assert_max_num_queries: Any
) -> None:
    approved_october(cast)
    masha = signed_in(cast.masha.user)
    url = reverse("my_bonus_month", args=["2026-10"])
    first = masha.get(url)
    # the repeat costs only the session and the user, whatever the page computes
    with django_assert_max_num_queries(3):
        second = masha.get(url)
    assert second.content == first.content


def test_a_cached_page_is_never_served_to_someone_else(cast: Cast, page_cache: None) -> None:
    approved_october(cast)
    url = reverse("my_bonus_month", args=["2026-10"])
    masha_page = signed_in(cast.masha.user).get(url).content.decode()
    vasya_page = signed_in(cast.vasya.user).get(url).content.decode()
    assert "Masha Ivanova" in masha_page
    assert "Vasya Sidorov" in vasya_page
    assert "Masha Ivanova ·" not in vasya_page
    assert masha_page != vasya_page


def test_a_refused_page_is_not_cached(cast: Cast, page_cache: None) -> None:
    url = reverse("department_dashboard", args=[cast.dept.pk, "2026-10"])
    assert signed_in(cast.sergey.user).get(url).status_code == 404
    assert signed_in(cast.masha.user).get(url).status_code == 200
    assert signed_in(cast.sergey.user).get(url).status_code == 404


def test_a_signed_out_session_gets_no_cached_page(cast: Cast, page_cache: None) -> None:
    approved_october(cast)
    masha = signed_in(cast.masha.user)
    url = reverse("my_bonus_month", args=["2026-10"])
    assert masha.get(url).status_code == 200
    copy = with_same_cookie(masha)
    assert copy.get(url).status_code == 200  # a copy of the cookie reads the cached page ...

    masha.post(reverse("logout"))

    # ... until the session ends: the page is still cached, but nobody is signed in
    response = copy.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
