"""Seed the calendar with Russia's holidays and transfers for the years the product starts in.

Later years: ``manage.py seed_calendar 2031``. Days already present are kept.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

YEARS = range(2020, 2031)


def seed(apps: Any, schema_editor: Any) -> None:
    from core.calendar import library_days

    calendar_day = apps.get_model("core", "CalendarDay")
    known = set(calendar_day.objects.values_list("day", flat=True))
    calendar_day.objects.bulk_create(
        calendar_day(day=day, is_working=working, name=name[:200])
        for day, (working, name) in sorted(library_days(YEARS).items())
        if day not in known
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
