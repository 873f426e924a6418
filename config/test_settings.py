"""The test overlay: the real settings with a fast password hasher and mail kept in memory."""

from __future__ import annotations

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Sign-in lockout is tested on its own (it needs a request for every authenticate call).
AXES_ENABLED = False
