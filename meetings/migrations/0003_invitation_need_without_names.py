"""Invitations stop storing the names of the people whose needs called for them.

A reason such as "In custody: SHAW, Diane Heather; GLOVER, Bernard" was written once and shown to every
reader, even after a case left the agenda or became Category 4. The need is kept in ``need`` and the
reason becomes the need alone; the names are composed when the invitation is read.
"""

from django.db import migrations, models

# As meetings.selectors.CASE_NEED_REASONS when this migration was written.
NEEDS = {"Under 18": "under_18", "In custody": "in_custody", "Children linked": "children_linked"}


def forget_names(apps, schema_editor):
    Invitation = apps.get_model("meetings", "Invitation")
    for label, need in NEEDS.items():
        Invitation.objects.filter(reason__startswith=f"{label}:").update(reason=label, need=need)


def no_names_to_restore(apps, schema_editor):
    """Going back leaves the reasons without names: the names were the leak, and are composed at read time."""


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_panels_and_attendance_rules")]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="need",
            field=models.CharField(
                blank=True,
                choices=[
                    ("always", "Every meeting (core panel)"),
                    ("under_18", "When a person on the agenda is under 18"),
                    ("in_custody", "When a person on the agenda is in custody"),
                    ("children_linked", "When children are linked to a person on the agenda"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(forget_names, no_names_to_restore),
    ]
