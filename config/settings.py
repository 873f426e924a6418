"""Settings for the team bonus app, read from the environment.

Defaults suit development: an embedded PostgreSQL under ``var/`` (``config/embedded_db``),
DEBUG on, a throwaway secret key.
Production sets ``DEBUG=0``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DATABASE_URL``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config import embedded_db

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no flag; refuse anything that is not clearly one or the other."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """Read a whole number of at least ``minimum``; refuse anything else, naming the variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number, {minimum} or more, got {raw!r}")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # A fixed key for development only: the branch above refuses it whenever DEBUG is off.
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105  # nosec B105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")


def _site_url() -> str:
    """The address people reach the app at, for the links in e-mails (no request there).

    ``SITE_URL`` when set; else, in development, the development server; in production
    the first trusted origin, else HTTPS on the first allowed host; nothing to derive it
    from stops the app rather than mailing links to nowhere.
    """
    explicit = os.environ.get("SITE_URL", "").strip()
    if explicit:
        return explicit.rstrip("/")
    if DEBUG:
        return "http://127.0.0.1:8000"
    if CSRF_TRUSTED_ORIGINS:
        return CSRF_TRUSTED_ORIGINS[0].rstrip("/")
    hosts = [host.lstrip(".") for host in ALLOWED_HOSTS if host not in ("*", "")]
    if hosts:
        return f"https://{hosts[0]}"
    raise ImproperlyConfigured("SITE_URL must be set when DEBUG is off (links in e-mails)")


SITE_URL = _site_url()

INSTALLED_APPS = [
    "config.apps.PolicyAdminConfig",  # django.contrib.admin, entered through the policy
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "simple_history",
    "django_filters",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "core",
    "accounts",
    "payments",
    "compensation",
    "ninja",  # the API documentation's own templates and static files, served locally
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns locked-out sign-ins into a clear page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# PostgreSQL only. Without DATABASE_URL, development runs on a server from a pip wheel
# under var/postgres, started by the first process that needs it (config/embedded_db).
if os.environ.get("DATABASE_URL"):
    DATABASE_URL = os.environ["DATABASE_URL"]
elif DEBUG:
    DATABASE_URL = embedded_db.database_url(VAR_DIR / "postgres")
    # The processes this one starts (the development server's reloaded child, a test's
    # subprocess) use the same server, which lives as long as this process.
    os.environ["DATABASE_URL"] = DATABASE_URL
else:
    raise ImproperlyConfigured("DATABASE_URL must be set when DEBUG is off")
if not DATABASE_URL.startswith(("postgres://", "postgresql://", "pgsql://")):
    raise ImproperlyConfigured(f"DATABASE_URL must point at PostgreSQL, got {DATABASE_URL!r}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        # A connection the server or the network dropped is found before a request uses it.
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# In development whitenoise serves straight from the app folders (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# The months the product deals in (core/months.py): a URL naming a month outside them is
# a 404, a query string naming one is ignored.
MONTHS_FROM_YEAR = env_int("MONTHS_FROM_YEAR", 2000, minimum=1900)
MONTHS_TO_YEAR = env_int("MONTHS_TO_YEAR", 2100, minimum=MONTHS_FROM_YEAR)

# Files larger than this are imported by a background worker (``manage.py db_worker``),
# not in the web request; smaller ones keep the dry run → confirm flow.
IMPORT_BACKGROUND_BYTES = env_int("IMPORT_BACKGROUND_BYTES", 5 * 1024 * 1024)

# Background jobs: Django's tasks API (the django-tasks backport) with its database
# backend, so workers need no broker and run on any machine that reaches the database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# A cache every web process shares (Redis, ``REDIS_URL``) also keeps the sessions: a
# signed-in request then reads its session from Redis, not PostgreSQL (``cached_db``
# still writes every session to the database, so a Redis restart signs nobody out).
# Without it each process has its own memory cache, and sessions stay in the database
# only: a per-process copy would let a session ended in one process live on in another.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "default",
    },
}
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "teambonus",
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    # The admin's spreadsheet import keeps a file between its preview and its
    # confirmation: in the shared cache, which every web process reads, rather than in
    # the temporary folder of the process that took the upload. Without Redis the
    # library's folder stays (one machine's processes share it; a per-process cache
    # would lose the file between two gunicorn workers).
    IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"

# Writes to the HTTP API per caller (token or person): "<count>/<s|min|hour|day>".
API_WRITE_RATE = os.environ.get("API_WRITE_RATE", "").strip() or "120/min"
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|m|min|h|hour|d|day)", API_WRITE_RATE):
    raise ImproperlyConfigured(
        f"API_WRITE_RATE must read like 120/min (a count per s, min, hour or day), "
        f"got {API_WRITE_RATE!r}"
    )

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "bonus@localhost")
# The mail server the worker sends the workflow's notices through (the SMTP backend).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS (STARTTLS, usually port 587) and EMAIL_USE_SSL (TLS from the start, "
        "usually port 465) exclude each other: set one of them"
    )
# A mail server that stops answering is given up (and logged) after this long instead of
# holding the worker for ever (Django's own default is no timeout).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)

# --- security -------------------------------------------------------------------------
# Sign-in brute force: five failures lock the username from that address for an hour.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The proxies in front of the application that append to X-Forwarded-For (docker-compose:
# its nginx, plus any TLS terminator in front of it that appends too); 0 trusts none.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.client_address"

SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Production sits behind a TLS-terminating proxy that sets X-Forwarded-Proto.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Scripts only from our own static files: no inline scripts, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# The call list (the collections cockpit): calls start on this day of the month, to every
# client invoiced at least this much (roubles) whose money has not come.
CALL_LIST_FROM_DAY = env_int("CALL_LIST_FROM_DAY", 7, minimum=1)
CALL_LIST_MIN_AMOUNT = env_int("CALL_LIST_MIN_AMOUNT", 100_000)
