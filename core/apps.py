from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Company calendar")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Before any URLconf is read: every app's patterns use ``<id:…>`` and ``<month:…>``.
        from django.urls import register_converter

        from core.converters import IdConverter, MonthConverter

        register_converter(IdConverter, "id")
        register_converter(MonthConverter, "month")
