"""The report's 抽查事项清单, version 1 of each department's list (supervision.seed_lists)."""

from django.db import migrations


def seed(apps, schema_editor):
    from supervision.seed_lists import ensure_checklists

    ensure_checklists(apps.get_model("supervision", "CheckList"), apps.get_model("supervision", "CheckItem"))


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
