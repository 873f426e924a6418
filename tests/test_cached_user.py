"""The signed-in user's row kept in a shared cache, and the settings that turn it on.

The backend's tests run on the test settings' memory cache; the last ones on the Redis
server at ``TEST_REDIS_URL`` (default 127.0.0.1:6379, database 14, under a key prefix
of their own), which CI must have.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import Cast, UserFactory
from tests.test_page_cache import with_same_cookie

BACKEND = "accounts.backends.CachedUserBackend"
ROOT = Path(__file__).resolve().parent.parent
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def user_cache(settings: Any) -> None:
    settings.USER_CACHE_SECONDS = 60
    cache.clear()


def signed_in(user: Any) -> HttpClient:
    client = HttpClient()
    client.force_login(user, backend=BACKEND)
    return client


def user_reads(client: HttpClient, url: str) -> tuple[int, int]:
    """The response's status and how many times the request read the user table."""
    with CaptureQueriesContext(connection) as captured:
        status = client.get(url).status_code
    return status, sum('FROM "auth_user"' in q["sql"] for q in captured.captured_queries)


def test_a_signed_in_request_reads_the_user_from_the_cache(cast: Cast, user_cache: None) -> None:
    masha = signed_in(cast.masha.user)
    url = reverse("my_bonus_month", args=["2026-10"])

    assert user_reads(masha, url) == (200, 1)
    assert user_reads(masha, url) == (200, 0)
    assert user_reads(masha, url) == (200, 0)


def test_without_a_shared_cache_every_request_reads_the_user(cast: Cast, settings: Any) -> None:
    settings.USER_CACHE_SECONDS = 0
    cache.clear()
    masha = signed_in(cast.masha.user)
    url = reverse("my_bonus_month", args=["2026-10"])

    assert user_reads(masha, url) == (200, 1)
    assert user_reads(masha, url) == (200, 1)


def test_a_deactivated_user_is_signed_out_at_the_next_request(cast: Cast, user_cache: None) -> None:
    masha = signed_in(cast.masha.user)
    url = reverse("my_bonus_month", args=["2026-10"])
    assert masha.get(url).status_code == 200

    user = cast.masha.user
    user.is_active = False
    user.save()

    response = masha.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_new_password_ends_the_other_sessions_at_their_next_request(
    cast: Cast, user_cache: None
) -> None:
    masha = signed_in(cast.masha.user)
    url = reverse("my_bonus_month", args=["2026-10"])
    assert masha.get(url).status_code == 200

    user = cast.masha.user
    user.set_password("another-long-passphrase-2026")
    user.save()

    response = masha.get(url)
    assert response.status_code == 302
    assert "_auth_user_id" not in masha.session


def test_a_deleted_user_is_signed_out(db: None, user_cache: None) -> None:
    user = UserFactory(username="temporary")
    client = signed_in(user)
    url = reverse("home")  # a signed-in person without a role gets the start page
    assert client.get(url).status_code == 200
    assert user_reads(client, url) == (200, 0)

    user.delete()

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_cached_copy_keeps_nothing_a_request_attached(cast: Cast, user_cache: None) -> None:
    masha = signed_in(cast.masha.user)
    # the page computes roles and departments and keeps them on request.user
    assert masha.get(reverse("my_bonus_month", args=["2026-10"])).status_code == 200

    _generation, cached = cache.get(f"auth-user:{cast.masha.user.pk}")
    assert cached.pk == cast.masha.user.pk
    own = {field.attname for field in cached._meta.concrete_fields}
    # the model's own fields, and what Django's pickling adds; no related object either
    assert set(vars(cached)) - own == {"_state", "_django_version"}
    assert cached._state.fields_cache == {}


def test_an_old_row_read_before_the_commit_is_not_used_after_it(
    cast: Cast, user_cache: None, django_capture_on_commit_callbacks: Any
) -> None:
    masha = signed_in(cast.masha.user)
    url = reverse("my_bonus_month", args=["2026-10"])
    assert masha.get(url).status_code == 200
    user = cast.masha.user
    still_active = type(user).objects.get(pk=user.pk)

    with django_capture_on_commit_callbacks(execute=True):
        user.is_active = False
        user.save()
        # another request, before the commit, misses the cache and reads the row the
        # database still shows it (active), under the generation the save just set
        generation = cache.get(f"auth-user-generation:{user.pk}")
        cache.set(f"auth-user:{user.pk}", (generation, still_active), 60)
        assert masha.get(url).status_code == 200  # before the commit: still signed in

    # the commit moved the generation on: that copy is never used
    response = masha.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- the real settings, and the real Redis -----------------------------------------------


def settings_with(**env: str) -> list[str]:
    """The cache, session engine and user-cache seconds ``config.settings`` picks."""
    environment = {**os.environ, "SECRET_KEY": "test-" + "k" * 50, **env}
    for name in ("REDIS_URL", "USER_CACHE_SECONDS"):
        if name not in env:
            environment.pop(name, None)
    script = (
        "import config.settings as s; "
        "print(s.CACHES['default']['BACKEND'] if hasattr(s, 'CACHES') else 'default'); "
        "print(s.SESSION_ENGINE if hasattr(s, 'SESSION_ENGINE') else 'default'); "
        "print(s.USER_CACHE_SECONDS)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=environment, cwd=ROOT, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_without_redis_sessions_stay_in_the_database_and_users_are_read_each_time() -> None:
    # a memory cache per process, and Django's database sessions
    assert settings_with() == ["django.core.cache.backends.locmem.LocMemCache", "default", "0"]


def test_with_redis_the_cache_keeps_sessions_and_users() -> None:
    assert settings_with(REDIS_URL="redis://cache.internal:6379/0") == [
        "django_redis.cache.RedisCache",
        "django.contrib.sessions.backends.cached_db",
        "60",
    ]


@pytest.fixture
def redis_cache(settings: Any) -> Iterator[None]:
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError as error:
        # CI always has Redis (.ci/run starts one), so there a missing server fails the
        # run. `make test` on a developer's machine without Redis reports these few
        # tests as skipped, by name and with this reason, as the browser tests do
        # without Chromium: the rest of the suite does not need Redis.
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is not answering at {TEST_REDIS_URL} ({error}): CI needs it")
        pytest.skip(f"no Redis at {TEST_REDIS_URL} ({error}); set TEST_REDIS_URL")
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": TEST_REDIS_URL,
            # this run's keys only, so a shared server loses nothing of its own
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        },
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.USER_CACHE_SECONDS = 60
    yield
    cache.delete_pattern("*")


def test_on_redis_a_repeated_request_reads_neither_session_nor_user(
    cast: Cast, redis_cache: None
) -> None:
    masha = signed_in(cast.masha.user)
    url = reverse("my_bonus_month", args=["2026-10"])
    masha.get(url)

    with CaptureQueriesContext(connection) as captured:
        assert masha.get(url).status_code == 200
    tables = " ".join(q["sql"] for q in captured.captured_queries)
    assert "django_session" not in tables
    assert "auth_user" not in tables.replace("auth_user_groups", "")


def test_on_redis_a_signed_out_session_is_gone_for_every_copy_of_its_cookie(
    cast: Cast, redis_cache: None
) -> None:
    masha = signed_in(cast.masha.user)
    url = reverse("my_bonus_month", args=["2026-10"])
    assert masha.get(url).status_code == 200
    other = with_same_cookie(masha)  # and served by another process
    assert other.get(url).status_code == 200

    masha.post(reverse("logout"))

    assert other.get(url).status_code == 302


def test_on_redis_a_deactivated_user_is_signed_out_at_the_next_request(
    cast: Cast, redis_cache: None
) -> None:
    vasya = signed_in(cast.vasya.user)
    url = reverse("my_bonus_month", args=["2026-10"])
    assert vasya.get(url).status_code == 200
    _generation, cached = cache.get(f"auth-user:{cast.vasya.user.pk}")
    assert cached.username == cast.vasya.user.username

    user = cast.vasya.user
    user.is_active = False
    user.save()

    assert vasya.get(url).status_code == 302
