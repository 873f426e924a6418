from __future__ import annotations

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ["day", "is_working", "name", "edited_by"]
    list_filter = ["is_working"]
    date_hierarchy = "day"
    search_fields = ["name"]
    readonly_fields = ["edited_by"]

    def save_model(self, request: Any, obj: CalendarDay, form: Any, change: bool) -> None:
        obj.edited_by = request.user
        super().save_model(request, obj, form, change)
