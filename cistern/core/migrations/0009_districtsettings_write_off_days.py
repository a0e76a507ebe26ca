from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0008_district_collections_and_suspensions")]

    operations = [
        migrations.AddField(
            model_name="districtsettings",
            name="write_off_days",
            field=models.PositiveSmallIntegerField(
                default=90,
                help_text="A final account still owing this many days after its final bill's due date may be "
                "written off to bad debt (and referred to a collection agency).",
            ),
        ),
    ]
