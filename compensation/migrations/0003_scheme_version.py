"""Schemes carry a version, so an edit made on an older page is refused, not merged."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("compensation", "0002_immutable_approved_data"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalmonthlyscheme",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
        migrations.AddField(
            model_name="monthlyscheme",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
    ]
