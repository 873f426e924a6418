"""The date index gains the id, so the payments list (newest first) needs no sort.

An index operation only: SQLite does not rebuild the table, so the daily-collection
triggers of 0005 stay.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("payments", "0005_daily_collection"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="payment",
            name="payment_date_idx",
        ),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(fields=["received_on", "id"], name="payment_date_id_idx"),
        ),
    ]
