"""The sign-in lockout keys on the client's address, also behind the deployment's proxy."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory, override_settings

from accounts.client_address import client_address
from tests.factories import PASSWORD, Cast

LOGIN_URL = "/accounts/login/"
PROXY = "172.18.0.5"  # the nginx of docker-compose.yml, as the application sees it


def address(remote: str, forwarded: str | None = None) -> str | None:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_without_trusted_proxies_the_header_is_never_believed() -> None:
    assert address("203.0.113.7", "198.51.100.1") == "203.0.113.7"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_it_saw_counts() -> None:
    assert address(PROXY, "203.0.113.7") == "203.0.113.7"
    # what the client wrote itself stands further left, and is ignored
    assert address(PROXY, "198.51.100.1, 203.0.113.7") == "203.0.113.7"
    # a request that reached the application without the proxy has no header
    assert address("203.0.113.9") == "203.0.113.9"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_behind_two_proxies_the_outer_ones_entry_counts() -> None:
    assert address(PROXY, "198.51.100.1, 203.0.113.7, 10.0.0.2") == "203.0.113.7"
    assert address(PROXY, "2001:db8::7, 10.0.0.2") == "2001:db8::7"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_garbled_entry_falls_back_to_the_direct_address() -> None:
    assert address(PROXY, "not-an-address") == PROXY


def sign_in(client: Client, username: str, password: str, forwarded: str) -> int:
    response = client.post(
        LOGIN_URL,
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    return response.status_code


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, TRUSTED_PROXY_COUNT=1)
def test_a_guesser_behind_the_proxy_does_not_lock_the_real_user_out(cast: Cast) -> None:
    user = cast.masha.user
    guesser, owner = Client(), Client()
    # given three wrong passwords for Masha from one address, through the proxy
    for attempt in range(3):
        sign_in(guesser, user.username, f"guess-{attempt}", "198.51.100.66")
    # then that address is locked out for her, even with the right password
    assert sign_in(guesser, user.username, PASSWORD, "198.51.100.66") == 429
    # and Masha, from her own address through the same proxy, still signs in
    assert sign_in(owner, user.username, PASSWORD, "203.0.113.7") == 302
    assert owner.session.get("_auth_user_id") == str(user.pk)


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, TRUSTED_PROXY_COUNT=1)
def test_a_guesser_cannot_escape_the_lockout_by_writing_the_header(cast: Cast) -> None:
    user = cast.masha.user
    guesser = Client()
    # each guess claims another address, but the proxy appends the one it saw
    for attempt in range(3):
        sign_in(guesser, user.username, f"guess-{attempt}", f"10.9.9.{attempt}, 198.51.100.66")

    assert sign_in(guesser, user.username, PASSWORD, "10.9.9.9, 198.51.100.66") == 429
