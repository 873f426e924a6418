"""The HTTP API's own records: integration tokens and the answers kept for idempotency."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from accounts.policy import Scope


class ApiToken(models.Model):
    """A token another program calls the API with.

    Only a hash of the secret is stored: the secret is shown once, when the token is
    created, and cannot be read again. A revoked token is kept, so the record of who
    could do what stays.
    """

    class ScopeChoice(models.TextChoices):
        READ = Scope.READ.value, _("read")
        WRITE = Scope.WRITE.value, _("read and write")

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(_("secret hash"), max_length=64, editable=False)
    scope = models.CharField(
        _("scope"), max_length=10, choices=ScopeChoice.choices, default=ScopeChoice.READ
    )
    departments = models.ManyToManyField(
        Department, verbose_name=_("departments"), related_name="api_tokens"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last write"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotentRequest(models.Model):
    """A bulk write's answer, kept under the caller's ``Idempotency-Key``: the same key
    with the same body gets this answer again and writes nothing."""

    principal = models.CharField(_("caller"), max_length=64)
    key = models.CharField(_("idempotency key"), max_length=200)
    endpoint = models.CharField(_("endpoint"), max_length=100)
    request_hash = models.CharField(_("request hash"), max_length=64)
    status = models.PositiveSmallIntegerField(_("status"))
    body = models.JSONField(_("body"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [
            models.UniqueConstraint(
                fields=["principal", "key"], name="idempotent_request_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"
