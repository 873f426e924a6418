"""The deployment's security settings: what ``check --deploy``, the headers and sign-in promise.

Production settings are read from the environment when ``config.settings`` is imported, so
the tests that need them run Python in a subprocess with a production environment; the
rest use the test overlay, which keeps every security setting of the real module.
"""

from __future__ import annotations

import importlib
import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import pytest
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import PASSWORD, Cast

BASE_DIR = Path(__file__).resolve().parent.parent
LOGIN_URL = "/accounts/login/"
HOST = "bonus.example.com"

# Environment variables the settings module reads; a subprocess starts without them.
SETTINGS_ENV = (
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "AXES_FAILURE_LIMIT",
    "CONN_MAX_AGE",
    "REDIS_URL",
    "IMPORT_BACKGROUND_BYTES",
    "DEFAULT_FROM_EMAIL",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_TIMEOUT",
    # Set for the browser tests in this process; a deployment never has it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The environment of a production deployment, on the database the tests use."""
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=settings.DATABASE_URL,
    )
    env.update(overrides)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def real_settings() -> ModuleType:
    """``config.settings`` itself: the test overlay replaces some values only in its own copy."""
    return importlib.import_module("config.settings")


# --- production settings ----------------------------------------------------------------


def test_it_passes_check_deploy_with_production_settings(tmp_path: Path) -> None:
    # given a production environment
    env = production_env(tmp_path)

    # when Django's deployment checklist runs, failing on warnings too
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    # then it finds nothing
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    del env["SECRET_KEY"]

    result = run(["-c", "import config.settings"], env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_it_trusts_the_proxy_header_and_sends_hsts_and_secure_cookies(tmp_path: Path) -> None:
    # given the production settings and a request through the TLS-terminating proxy (or not)
    script = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="bonus.example.com")
plain = client.get("/accounts/login/")
proxied = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "proxy_header": settings.SECURE_PROXY_SSL_HEADER,
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_cookie_secure": settings.CSRF_COOKIE_SECURE,
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location"),
    "proxied_status": proxied.status_code,
    "hsts": proxied.get("Strict-Transport-Security"),
    "csrf_cookie_flag": proxied.cookies["csrftoken"]["secure"],
}))
"""

    # when both requests are made
    result = run(["-c", script], production_env(tmp_path))

    # then plain HTTP is redirected to HTTPS, and HTTPS gets HSTS and secure cookies
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert seen["session_cookie_secure"] is True
    assert seen["csrf_cookie_secure"] is True
    assert seen["plain_status"] == 301
    assert seen["plain_location"] == f"https://{HOST}{LOGIN_URL}"
    assert seen["proxied_status"] == 200
    assert "max-age=31536000" in seen["hsts"]
    assert "includeSubDomains" in seen["hsts"]
    assert seen["csrf_cookie_flag"] is True


# --- response headers and templates ---------------------------------------------------------


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def test_it_sends_csp_and_the_other_security_headers_on_the_sign_in_page(client: Client) -> None:
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    csp = csp_directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


class TemplateScanner(HTMLParser):
    """Collects what the CSP would block or what would load code from elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        for name, value in attrs:
            if name.startswith("on") and name[2:].isalpha() and value is not None:
                self.problems.append(f"event handler {name}= on <{tag}>")
        for name in ("src", "href"):
            url = (named.get(name) or "").strip().lower()
            if tag in {"script", "link"} and url.startswith(("http://", "https://", "//")):
                self.problems.append(f"external {name} on <{tag}>: {url}")
            if url.startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:60]!r}")


def template_problems(text: str) -> list[str]:
    scanner = TemplateScanner()
    scanner.feed(text)
    scanner.close()
    return scanner.problems


def project_templates() -> list[Path]:
    folders = [BASE_DIR / "templates"]
    folders += [BASE_DIR / app / "templates" for app in ("accounts", "payments", "compensation")]
    return sorted(path for folder in folders for path in folder.rglob("*.html"))


def test_it_spots_inline_scripts_handlers_and_cdn_links_in_a_sample() -> None:
    # The scanner below is only worth something if it recognises what it looks for.
    sample = """
    <script src="{% static 'js/app.js' %}" defer></script>
    <script>alert(1)</script>
    <button onclick="go()">Go</button>
    <link rel="stylesheet" href="https://cdn.example.com/x.css">
    <script src="//cdn.example.com/x.js"></script>
    <a href="javascript:void(0)">x</a>
    <option value="{{ code }}"{% if only %} selected{% endif %}>x</option>
    """

    problems = template_problems(sample)

    assert len(problems) == 5, problems
    assert any(p.startswith("inline script") for p in problems)
    assert any(p.startswith("event handler onclick") for p in problems)
    assert sum(p.startswith("external") for p in problems) == 2


def test_it_keeps_scripts_out_of_templates_and_loads_nothing_from_a_cdn() -> None:
    templates = project_templates()
    assert BASE_DIR / "templates" / "base.html" in templates

    problems = {
        str(path.relative_to(BASE_DIR)): found
        for path in templates
        if (found := template_problems(path.read_text(encoding="utf-8")))
    }

    assert problems == {}


# --- passwords, sessions, sign-in lockout -----------------------------------------------------


def test_it_hashes_passwords_with_argon2_and_validates_them() -> None:
    real = real_settings()

    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert [v["NAME"].rpartition(".")[2] for v in real.AUTH_PASSWORD_VALIDATORS] == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    assert settings.AUTH_PASSWORD_VALIDATORS == real.AUTH_PASSWORD_VALIDATORS
    with pytest.raises(ValidationError):
        validate_password("12345678")
    validate_password("quiet-otter-measures-ledger")


def test_it_can_hash_with_argon2_in_this_environment() -> None:
    from django.contrib.auth.hashers import check_password, make_password

    with override_settings(PASSWORD_HASHERS=real_settings().PASSWORD_HASHERS):
        encoded = make_password("quiet-otter-measures-ledger")

        assert encoded.startswith("argon2$")
        assert check_password("quiet-otter-measures-ledger", encoded)


def test_it_expires_sessions_within_a_working_day_or_at_browser_close() -> None:
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_it_locks_sign_in_after_five_failures_for_an_hour_in_the_real_settings() -> None:
    real = real_settings()

    assert real.AXES_FAILURE_LIMIT == 5
    assert real.AXES_COOLOFF_TIME == 1
    assert getattr(real, "AXES_ENABLED", True) is True
    assert real.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert real.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    # keyed on the client's address, behind proxies too (tests/test_client_address.py)
    assert real.AXES_CLIENT_IP_CALLABLE == "accounts.client_address.client_address"


def signed_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_it_locks_out_a_guessed_account_until_the_lockout_is_reset(cast: Cast) -> None:
    # given a real user, and three wrong passwords for them
    user = cast.masha.user
    client = Client()
    for attempt in range(3):
        client.post(LOGIN_URL, {"username": user.username, "password": f"guess-{attempt}"})

    # when the correct password comes next
    locked = client.post(LOGIN_URL, {"username": user.username, "password": PASSWORD})

    # then it is refused and nobody is signed in
    assert locked.status_code == 429
    assert signed_in_as(client) is None

    # and once an administrator resets the lockout, the correct password works again
    assert axes_reset(username=user.username) >= 1
    response = client.post(LOGIN_URL, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_as(client) == str(user.pk)
