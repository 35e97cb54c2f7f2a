"""The beat schedules, as rows an administrator can change in the admin (django-celery-beat).

Times are Europe/London. Re-running leaves edited schedules alone: a row is only created if
no periodic task of that name exists.
"""

from django.db import migrations

SCHEDULES = [
    # name, task, crontab (minute, hour, day_of_week) or interval seconds, description
    ("Send waiting email (outbox drain)", "notifications.drain_outbox", 60,
     "Sends outbox messages whose task was lost or could not be published (broker down), and retries after backoff."),
    ("Daily action reminders", "notifications.send_action_reminders", ("0", "7", "*"),
     "One email per officer per day: actions overdue and due within the area's 'due soon' days."),
    ("Daily co-ordinator alerts", "notifications.send_coordinator_alerts", ("15", "7", "*"),
     "First meetings and reviews due or overdue and not booked, minutes overdue."),
    ("Weekly co-ordinator digest", "notifications.send_weekly_digest", ("30", "7", "1"),
     "Monday morning: actions due and overdue by agency, meetings and minutes due."),
]


def create_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    for name, task, when, description in SCHEDULES:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        if isinstance(when, int):
            interval, _ = IntervalSchedule.objects.get_or_create(every=when, period="seconds")
            PeriodicTask.objects.create(name=name, task=task, interval=interval, description=description)
        else:
            minute, hour, day_of_week = when
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=minute, hour=hour, day_of_week=day_of_week, day_of_month="*", month_of_year="*",
                timezone="Europe/London",
            )
            PeriodicTask.objects.create(name=name, task=task, crontab=crontab, description=description)


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
