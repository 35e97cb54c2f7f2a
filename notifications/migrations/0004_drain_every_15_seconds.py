"""The outbox drain every 15 seconds instead of 60.

With a 30-second claim lease, a message a dead worker held (or whose task was lost with the broker)
is sent again within about 45 seconds instead of up to 90. The query is one indexed look-up.
A schedule an administrator has already changed from 60 seconds is left alone.
"""

from django.db import migrations

NAME = "Send waiting email (outbox drain)"


def every(seconds_from: int, seconds_to: int):  # type: ignore[no-untyped-def]
    def change(apps, schema_editor):  # type: ignore[no-untyped-def]
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
        task = PeriodicTask.objects.filter(
            name=NAME, interval__every=seconds_from, interval__period="seconds"
        ).first()
        if task is None:
            return
        task.interval, _ = IntervalSchedule.objects.get_or_create(every=seconds_to, period="seconds")
        task.save(update_fields=["interval"])

    return change


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_outbox_claim_token")]

    operations = [migrations.RunPython(every(60, 15), every(15, 60))]
