from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("People")

    def ready(self) -> None:
        # Connects the receivers that make a cached user out of date on save or delete,
        # in every process (a worker or a command may change a user before any sign-in).
        from accounts import backends  # noqa: F401
