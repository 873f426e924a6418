"""What a running import last reported: rows read, share of the file, stage."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0006_payment_list_order_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="progress",
            field=models.JSONField(blank=True, default=dict, verbose_name="progress"),
        ),
    ]
