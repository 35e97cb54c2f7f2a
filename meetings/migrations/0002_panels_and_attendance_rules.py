from django.db import migrations


def load(apps, schema_editor):
    from meetings import reference_data as ref

    Area = apps.get_model("mappa_workflow", "Area")
    Agency = apps.get_model("mappa_workflow", "Agency")
    PanelMembership = apps.get_model("meetings", "PanelMembership")
    AttendanceRequirement = apps.get_model("meetings", "AttendanceRequirement")
    for meeting_type, agency_type, seniority in ref.DEFAULT_ATTENDANCE_REQUIREMENTS:
        AttendanceRequirement.objects.get_or_create(
            area=None, meeting_type=meeting_type, agency_type=agency_type, defaults={"minimum_seniority": seniority}
        )
    area = Area.objects.filter(slug="northamptonshire").first()
    if area is None:
        return
    for short_name, meeting_type, condition in ref.NORTHAMPTONSHIRE_PANEL:
        agency = Agency.objects.get(area=area, short_name=short_name)
        PanelMembership.objects.get_or_create(area=area, meeting_type=meeting_type, agency=agency, condition=condition)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_meetings"), ("mappa_workflow", "0002_reference_data")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
