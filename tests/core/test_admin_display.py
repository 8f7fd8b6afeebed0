"""The shared readable displays of the agnost admins (agnost_django.core.admin_display and
admin_forms) and the registrations the apps contribute to admin.site (admin_site)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django_q.models import Schedule

from agnost_django.core import admin_site
from agnost_django.core.admin_display import errors_html, format_duration, json_html
from agnost_django.core.admin_forms import LinesField, PrettyJSONField
from tests.interop.server import REPO_ROOT


@pytest.mark.parametrize(("seconds", "text"), [
    (56.938253999987865 / 1000, "57 ms"), (0.0042, "4.2 ms"), (1.234, "1.2 s"), (42.4, "42 s"),
    (185, "3 min 5 s"), (3600 * 2 + 60 * 5, "2 h 5 min"), (0, "0 s"), (None, "-"),
])
def test_durations_have_units(seconds, text):
    assert format_duration(seconds) == text


def test_errors_show_code_message_details_and_a_real_traceback():
    traceback = 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: <bad>'
    html = errors_html([{"origin": "server_error", "code": "task_execution_error", "message": "it <failed>",
                         "details": {"exception": "ValueError", "traceback": traceback}}])
    assert '<strong class="agnost-error-code">task_execution_error</strong> it &lt;failed&gt;' in html
    assert "<dt>exception</dt><dd>ValueError</dd>" in html
    assert '<pre class="agnost-traceback">Traceback (most recent call last):\n  File &quot;x.py&quot;' in html
    assert "\\n" not in html and "ValueError: &lt;bad&gt;</pre>" in html
    assert errors_html([]) == "-"


def test_json_is_indented_and_escaped():
    assert json_html({"a": ["<b>"]}) == '<pre class="agnost-json">{\n  &quot;a&quot;: [\n    &quot;&lt;b&gt;&quot;\n  ]\n}</pre>'
    assert json_html({}) == "-"


def test_form_fields():
    lines = LinesField(required=False)
    assert lines.prepare_value(["a", "b"]) == "a\nb"
    assert lines.clean(" a \n\n b\n") == ["a", "b"]
    assert lines.clean('["a", " b "]') == ["a", "b"]  # a JSON list is read as such
    assert lines.clean("[not json") == ["[not json"]
    pretty = PrettyJSONField(shape=dict)
    assert pretty.prepare_value({"k": 1}) == '{\n  "k": 1\n}'
    assert pretty.clean('{"k": 1}') == {"k": 1}
    with pytest.raises(Exception, match="JSON object"):
        pretty.clean("[1]")


def _user_site(settings, enabled: bool):
    settings.AGNOST_CORE_ADMIN_USER_INLINES = enabled
    site = admin.AdminSite(name="probe")
    site.register(get_user_model(), UserAdmin)
    site.register(Schedule)
    admin_site.apply(site)
    return site


def test_user_inlines_are_added_to_the_registered_user_admin(settings):
    site = _user_site(settings, True)
    user_admin = site.get_model_admin(get_user_model())
    assert isinstance(user_admin, UserAdmin)  # the host's class, subclassed
    names = [inline.__name__ for inline in user_admin.inlines]
    assert names == ["AuthProfileInline", "SessionInline", "StoredFileInline"]
    admin_site.apply(site)  # idempotent
    assert site.get_model_admin(get_user_model()).inlines == user_admin.inlines
    assert not site.is_registered(Schedule)  # django-q2's page is hidden by default


def test_user_inlines_and_the_q2_page_can_be_kept_off(settings):
    settings.AGNOST_SCHEDULES_DJANGO_Q_ADMIN = True
    site = _user_site(settings, False)
    assert type(site.get_model_admin(get_user_model())) is UserAdmin
    assert site.is_registered(Schedule)


def test_the_default_site_has_them(admin_client, django_user_model):
    assert not admin.site.is_registered(Schedule)
    page = admin_client.get("/admin/").content.decode()
    assert "/admin/django_q/schedule/" not in page and "/admin/agnost_schedules/scheduledtask/" in page


def test_whatever_the_order_of_installed_apps():
    code = ("import django, json; django.setup(); from django.contrib import admin; "
            "from django.contrib.auth import get_user_model; from django_q.models import Schedule; "
            "print(json.dumps([i.__name__ for i in admin.site.get_model_admin(get_user_model()).inlines] "
            "+ [admin.site.is_registered(Schedule)]))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
                            env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "tests.settings_apps_reordered"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "AuthProfileInline", "SessionInline", "StoredFileInline", False]
