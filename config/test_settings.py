"""The test overlay: the real settings with a fast password hasher and mail kept in memory."""

from __future__ import annotations

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Sign-in lockout is tested on its own (it needs a request for every authenticate call).
AXES_ENABLED = False

# Background jobs run at once, inside the test, instead of waiting for a worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Assertions on messages read in English; tests of the Russian UI switch language
# explicitly (the browser journeys run in ru-RU).
LANGUAGE_CODE = "en"

# The suite never uses a Redis named in the environment (``REDIS_URL``): each test's
# cache is this process's memory, and sessions live in the test database.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
