"""Changing a password: the old one is guessed no more often than a sign-in allows."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import PASSWORD, Cast

NEW_PASSWORD = "a-Much-longer-passphrase-2026"


def change(http: Client, old: str) -> int:
    response = http.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    return response.status_code


def test_the_right_old_password_changes_it(cast: Cast) -> None:
    http = Client()
    http.force_login(cast.masha.user)
    assert change(http, PASSWORD) == 302
    cast.masha.user.refresh_from_db()
    assert cast.masha.user.check_password(NEW_PASSWORD)


def test_a_wrong_old_password_is_refused_at_the_field(cast: Cast) -> None:
    http = Client()
    http.force_login(cast.masha.user)
    response = http.post(
        reverse("password_change"),
        {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    cast.masha.user.refresh_from_db()
    assert cast.masha.user.check_password(PASSWORD)


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_guessing_the_old_password_locks_it_as_sign_in_does(cast: Cast) -> None:
    # given someone at Masha's unlocked screen guesses her old password three times:
    # the third failure reaches the limit and locks at once, as on the sign-in page
    user = cast.masha.user
    http = Client()
    http.force_login(user)
    assert [change(http, f"guess-{n}") for n in range(3)] == [200, 200, 429]

    # when the right old password comes next, it is refused: the same lockout as sign-in
    assert change(http, PASSWORD) == 429
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not user.check_password(NEW_PASSWORD)

    # and signing in with that name from this address is locked too
    stranger = Client()
    login = stranger.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert login.status_code == 429
