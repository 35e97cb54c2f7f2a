"""Give every agency a shared MAPPA inbox so invitations and reminders reach them.

The addresses are synthetic (the reserved .invalid domain): no email leaves a demo. An area's
administrator replaces them with real inboxes in the admin.
"""

from django.db import migrations
from django.utils.text import slugify


def fill(apps, schema_editor):
    Agency = apps.get_model("mappa_workflow", "Agency")
    for agency in Agency.objects.filter(email="").select_related("area"):
        agency.email = f"mappa.{slugify(agency.short_name or agency.name)}@{agency.area.slug}.example.invalid"
        agency.save(update_fields=["email"])


class Migration(migrations.Migration):
    dependencies = [("mappa_workflow", "0003_audit_append_only")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
