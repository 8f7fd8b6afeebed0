"""Fuzzy search uses PostgreSQL's pg_trgm extension; other databases need nothing."""

from django.db import migrations


def create_extension(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies: list = []
    operations = [migrations.RunPython(create_extension, migrations.RunPython.noop)]
