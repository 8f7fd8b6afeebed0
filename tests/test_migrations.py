from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    call_command("makemigrations", "agnost_core", "agnost_auth", "agnost_data", "agnost_cache", "todos", "dataapp", "--check", "--dry-run", stdout=out)
