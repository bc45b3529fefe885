from django.db import migrations, models


class Migration(migrations.Migration):
    """逾期 is read from the deadline when a page is read; the stored flag only records the reminder."""

    dependencies = [("commitments", "0011_opinion_solved")]

    operations = [
        migrations.RenameField("pledgeitem", "is_overdue", "overdue_notified"),
        migrations.RenameField("historicalpledgeitem", "is_overdue", "overdue_notified"),
        migrations.AlterField(
            "pledgeitem", "overdue_notified", models.BooleanField(default=False, verbose_name="已发逾期提醒")
        ),
        migrations.AlterField(
            "historicalpledgeitem", "overdue_notified", models.BooleanField(default=False, verbose_name="已发逾期提醒")
        ),
    ]
