from django.db import migrations


def load(apps, schema_editor):
    from mappa_workflow import reference_data as ref

    Area = apps.get_model("mappa_workflow", "Area")
    Agency = apps.get_model("mappa_workflow", "Agency")
    AreaPopulation = apps.get_model("mappa_workflow", "AreaPopulation")
    AreaSettings = apps.get_model("mappa_workflow", "AreaSettings")
    for country, names in (("england", ref.AREAS_ENGLAND), ("wales", ref.AREAS_WALES)):
        for name in names:
            area, _ = Area.objects.get_or_create(slug=ref.slugify_area(name), defaults={"name": name, "country": country})
            AreaSettings.objects.get_or_create(area=area)
            agencies = (
                ref.NORTHAMPTONSHIRE_AGENCIES
                if area.slug == "northamptonshire"
                else [(n.format(area=name), s, t) for n, s, t in ref.GENERIC_AGENCIES]
            )
            for agency_name, short, agency_type in agencies:
                Agency.objects.get_or_create(
                    area=area, name=agency_name, defaults={"short_name": short, "agency_type": agency_type}
                )
    northants = Area.objects.get(slug="northamptonshire")
    for year, population, source in ref.NORTHAMPTONSHIRE_POPULATIONS:
        AreaPopulation.objects.get_or_create(
            area=northants, year=year, defaults={"population_aged_10_and_over": population, "source": source}
        )


class Migration(migrations.Migration):
    dependencies = [("mappa_workflow", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
