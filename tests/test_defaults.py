"""``apply_defaults``: what it fills into a host's settings, and what it leaves alone."""

from __future__ import annotations

from agnost_django.defaults import apply_defaults


def settings_of(databases: dict) -> dict:
    settings = {"DATABASES": databases, "INSTALLED_APPS": [], "MIDDLEWARE": [], "ROOT_URLCONF": "mysite.urls"}
    apply_defaults(settings)
    return settings


def test_sqlite_transactions_take_the_write_lock_when_they_begin(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = settings_of({
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"},
        "mine": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x", "OPTIONS": {"timeout": 3}},
        "other": {"ENGINE": "django.db.backends.postgresql", "NAME": "app"},
    })
    databases = settings["DATABASES"]
    assert databases["default"]["OPTIONS"] == {"transaction_mode": "IMMEDIATE", "timeout": 20}
    assert databases["mine"]["OPTIONS"] == {"timeout": 3, "transaction_mode": "IMMEDIATE"}  # the host's kept
    assert "OPTIONS" not in databases["other"]
