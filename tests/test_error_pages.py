"""Error pages speak the user's language, keep the site's layout and offer a way back."""

from __future__ import annotations

import pytest
from django.db import DatabaseError
from django.test import Client, override_settings
from django.urls import path
from django.utils import translation

from config import urls as site_urls
from config.errors import server_error
from tests.factories import Cast


def _boom(request: object) -> None:
    raise RuntimeError("broken on purpose")


def _database_away(request: object) -> None:
    raise DatabaseError("the server closed the connection")


# The site's URLs and one that fails (``ROOT_URLCONF`` of the 500 test).
urlpatterns = [path("boom/", _boom), *site_urls.urlpatterns]
handler500 = site_urls.handler500


def signed_in(cast: Cast, language: str) -> Client:
    http = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
    http.force_login(cast.masha.user)
    return http


@pytest.mark.parametrize(
    ("language", "title", "home"),
    [("en", "Page not found", "To the start page"), ("ru", "Страница не найдена", "На главную")],
)
def test_a_missing_page_is_in_the_users_language_with_the_layout(
    cast: Cast, language: str, title: str, home: str
) -> None:
    http = signed_in(cast, language)
    response = http.get("/no-such-page/", HTTP_REFERER="http://testserver/dashboard/")
    html = response.content.decode()
    assert response.status_code == 404
    assert title in html
    assert home in html
    assert 'href="http://testserver/dashboard/"' in html  # the way back
    assert 'class="navbar' in html  # the site's layout, navigation included
    assert "My bonus" in html or "Моя премия" in html


def test_a_foreign_referer_is_not_offered_as_the_way_back(cast: Cast) -> None:
    response = signed_in(cast, "en").get("/no-such-page/", HTTP_REFERER="https://evil.example/")
    assert response.status_code == 404
    assert "evil.example" not in response.content.decode()


def test_a_refused_page_says_so_in_russian(cast: Cast) -> None:
    # given a staff member, who may not see the payroll
    response = signed_in(cast, "ru").get("/payroll/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "Доступ закрыт" in html
    assert "403 Forbidden" not in html


@override_settings(ROOT_URLCONF="tests.test_error_pages", DEBUG=False)
def test_a_server_error_keeps_the_layout(cast: Cast) -> None:
    response = signed_in(cast, "ru").get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Что-то пошло не так" in html
    assert 'class="navbar' in html


def test_a_server_error_without_a_database_still_answers(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, rf: pytest.FixtureRequest
) -> None:
    # given rendering the layout fails too (the database is away)
    monkeypatch.setattr("config.errors.render", lambda *a, **k: _database_away(None))
    request = rf.get("/anything/")  # type: ignore[attr-defined]
    with translation.override("en"):
        response = server_error(request)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
