"""Hostile ids and lookups in the admin's third-party screens: a 404 or a 400, never a 500.

Django's own admin views check an id's form (``get_object``) and turn unknown lookups
into a message; django-simple-history's history screens and django-import-export's export
screen pass them straight to a query; and the add form's initial values from the query
string (``?department=x``) reach a related field's lookup unchecked.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import BadRequest, FieldDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse

from core.numbers import MAX_ID


class AdminInputGuardMixin:
    """For a ``ModelAdmin`` (harmless on an inline): checks what the admin apps don't."""

    model: Any

    def _require_pk(self, *values: str) -> None:
        pk = self.model._meta.pk
        if not all(_valid(pk, unquote(value)) for value in values):
            raise Http404

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)  # type: ignore[misc]
        return {name: value for name, value in initial.items() if self._fits(name, value)}

    def _fits(self, name: str, value: Any) -> bool:
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return True
        target = field.target_field if field.is_relation else field
        values = value if isinstance(value, list) else [value]
        return all(_valid(target, item) for item in values)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        self._require_pk(object_id)
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        self._require_pk(object_id)
        try:
            version = int(version_id) if version_id.isascii() else 0
        except ValueError:
            version = 0
        if not 0 < version <= MAX_ID:
            raise Http404
        return super().history_form_view(  # type: ignore[misc]
            request, object_id, version_id, extra_context
        )

    def get_export_queryset(self, request: HttpRequest) -> Any:
        # The change list's filters come from the query string: an unknown one is the
        # request's fault, as on the change list itself.
        try:
            return super().get_export_queryset(request)  # type: ignore[misc]
        except IncorrectLookupParameters as error:
            raise BadRequest(str(error)) from error


def _valid(field: Any, value: Any) -> bool:
    """The value is of the field's form (an id: a number within a database id's range)."""
    try:
        python = field.to_python(value)
    except ValidationError:
        return False
    return not (field.primary_key and isinstance(python, int)) or 0 < python <= MAX_ID
