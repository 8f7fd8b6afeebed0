"""agnost-django as a user gets it: the wheel and sdist built from this checkout (metadata
checked by twine), the wheel installed into a fresh virtualenv outside the checkout, and the
README's install section followed word for word — its shell commands (``install-shell``
blocks) and its files (the ``install`` block) — in a project made by ``django-admin
startproject``. The host passes ``check``, migrates, serves with ``agnost_serve`` and answers
the real altogic client (cache, sign-up, a data model, an upload, a realtime message), on this
pass's stack: the embedded default, or PostgreSQL + Redis from ``DATABASE_URL`` / ``REDIS_URL``.

The virtualenv installs from the package index with the development lock as constraints, so
the versions are the tested ones and pip's cache serves them after the first run.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from tests.interop.server import (
    DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, DNS_PRELOAD, INTEROP_DIR, REDIS_DB, _with_path, check_node_available,
    free_port, wait_until_answering,
)
from tests.readme import readme

REPO_ROOT = Path(__file__).resolve().parents[2]
EXTRAS = {"redis", "s3", "oauth", "phone", "server", "docs", "all"}
pytestmark = [pytest.mark.package, pytest.mark.xdist_group("package"), pytest.mark.timeout(1800)]


def run(args, *, cwd=None, env=None, timeout=600) -> subprocess.CompletedProcess:
    result = subprocess.run([str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout, check=False)
    assert result.returncode == 0, f"{shlex.join(map(str, args))} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    # The sdist first, the wheel from it (python -m build's default): the sdist must be complete.
    run([sys.executable, "-m", "build", "--outdir", out, REPO_ROOT], timeout=600)
    [wheel] = out.glob("agnost_django-*.whl")
    [sdist] = out.glob("agnost_django-*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh virtualenv outside the checkout (its own tmp directory)."""
    path = tmp_path_factory.mktemp("host-venv")
    run([sys.executable, "-m", "venv", path])
    return path


def pip(venv: Path, *args, timeout=600) -> subprocess.CompletedProcess:
    return run([venv / "bin" / "python", "-m", "pip", "--disable-pip-version-check", *args], timeout=timeout)


def test_distributions_hold_the_package_and_nothing_else(dist):
    run([sys.executable, "-m", "twine", "check", "--strict", dist["wheel"], dist["sdist"]])
    names = zipfile.ZipFile(dist["wheel"]).namelist()
    assert "agnost_django/auth/migrations/0001_initial.py" in names
    assert any(name.startswith("agnost_django/auth/templates/agnost_auth/email/") for name in names)
    assert any(name.startswith("agnost_django/realtime/templates/admin/") for name in names)
    assert not [name for name in names if name.startswith(("tests/", "project/", "bench/"))]
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    metadata = next(zipfile.ZipFile(dist["wheel"]).read(name).decode() for name in names if name.endswith("METADATA"))
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    pinned = [requirement for requirement in requires if "==" in requirement.split(";")[0]]
    assert requires and not pinned, pinned  # ranges, not pins
    assert {line.split(":", 1)[1].strip() for line in metadata.splitlines()
            if line.startswith("Provides-Extra:")} == EXTRAS
    assert "License-Expression: MIT" in metadata
    with tarfile.open(dist["sdist"]) as sdist:
        members = [member.name.split("/", 1)[1] for member in sdist.getmembers() if "/" in member.name]
    assert {"pyproject.toml", "README.md", "LICENSE", "agnost_django/__init__.py"} <= set(members)
    assert not [name for name in members if name.startswith(("tests/", "project/", "bench/", "node_modules"))]


def test_each_extra_installs_alone(dist, tmp_path):
    """pip resolves the wheel with each extra alone (a dry run, against the lock's versions)."""
    venv = tmp_path / "resolve"
    run([sys.executable, "-m", "venv", venv])
    for extra in sorted(EXTRAS - {"all"}):
        report = tmp_path / f"{extra}.json"
        pip(venv, "install", "--quiet", "--dry-run", "--report", report, f"{dist['wheel']}[{extra}]",
            "-c", REPO_ROOT / "requirements-dev.txt")
        installed = {re.sub(r"[-_.]+", "-", item["metadata"]["name"]).lower()
                     for item in json.loads(report.read_text())["install"]}
        assert {"agnost-django", "django", "djangorestframework", "channels", "django-q2"} <= installed, extra
        expected = {"redis": "channels-redis", "s3": "django-storages", "oauth": "authlib",
                    "phone": "phonenumberslite", "server": "uvicorn", "docs": "drf-spectacular-sidecar"}[extra]
        assert expected in installed, (extra, sorted(installed))
        others = {"channels-redis", "django-storages", "authlib", "phonenumberslite", "uvicorn",
                  "drf-spectacular-sidecar"} - {expected}
        assert not installed & others, (extra, sorted(installed & others))


def _services_env() -> dict[str, str]:
    """A fresh PostgreSQL database, and Redis database 15 under a unique key prefix."""
    database = f"agnost_host_{os.getpid()}_{secrets.token_hex(3)}"
    run(["psql", _admin_database_url(), "-qAtc", f'create database "{database}"'])
    return {
        "DATABASE_URL": _with_path(os.environ.get("TEST_DATABASE_URL", DEFAULT_DATABASE_URL), f"/{database}"),
        "REDIS_URL": _with_path(os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL), f"/{REDIS_DB}"),
        "CACHE_KEY_PREFIX": f"host{secrets.token_hex(4)}",
    }


def _admin_database_url() -> str:
    return _with_path(os.environ.get("TEST_DATABASE_URL", DEFAULT_DATABASE_URL), "/postgres")


def _clean_services(env: dict[str, str]) -> None:
    name = env["DATABASE_URL"].rsplit("/", 1)[1]
    subprocess.run(["psql", _admin_database_url(), "-qAtc", f'drop database if exists "{name}" with (force)'],
                   capture_output=True, check=False)
    import redis

    client = redis.Redis.from_url(env["REDIS_URL"])
    for key in client.scan_iter(f"{env['CACHE_KEY_PREFIX']}*"):
        client.delete(key)


def test_host_project_from_the_readme(dist, venv, tmp_path):
    node = check_node_available()
    shell = readme.by_kind(readme.blocks(), "install-shell")
    [files] = readme.by_kind(readme.blocks(), "install")
    commands = [command for block in shell for command in readme.shell_commands(block)]
    home = tmp_path / "work"
    home.mkdir()
    python = venv / "bin" / "python"
    env = {"PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "HOME": os.environ.get("HOME", str(tmp_path)),
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", "LANG": "C.UTF-8"}
    services = settings.INTEROP_STACK == "services"
    if services:
        env.update(_services_env())
    port = free_port()
    project = home
    server = None
    try:
        for command in commands:
            words = shlex.split(command)
            if command.startswith("pip install"):
                # The README installs from the index; here the wheel just built, same extras.
                [requirement] = re.findall(r'"agnost-django(\[[\w,]+\])?"', command) or [""]
                pip(venv, "install", "--quiet", f"{dist['wheel']}{requirement}",
                    *(["psycopg[binary]"] if services else []), "-c", REPO_ROOT / "requirements-dev.txt")
            elif command.startswith("django-admin startproject"):
                assert command == "django-admin startproject mysite && cd mysite", command
                run([venv / "bin" / "django-admin", "startproject", "mysite"], cwd=home, env=env)
                project = home / "mysite"
            elif words[:3] == ["python", "manage.py", "startapp"]:
                run([python, "manage.py", *words[2:]], cwd=project, env=env)
                for edit in readme.install_edits(files):  # the README's files, as written
                    target = project / edit.path
                    old = target.read_text() if target.exists() else ""
                    target.write_text((old + "\n\n" if edit.append else "") + edit.code)
                check = run([python, "manage.py", "check"], cwd=project, env=env)
                assert "no issues" in check.stdout, check.stdout + check.stderr
            elif words[:3] == ["python", "manage.py", "agnost_create_client_key"]:
                output = run([python, "manage.py", *words[2:]], cwd=project, env=env).stdout
                key = output.strip().splitlines()[-1].strip()
                assert key.startswith("agk_"), output
            elif words[:3] == ["python", "manage.py", "agnost_serve"]:
                log = open(tmp_path / "server.log", "w")
                server = subprocess.Popen([python, "manage.py", *words[2:], "--port", str(port)],
                                          cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT)
                assert wait_until_answering(port, server), f"agnost_serve exited:\n{(tmp_path / 'server.log').read_text()}"
            elif words[:3] == ["python", "manage.py", "qcluster"]:
                continue  # a worker: nothing here submits queue messages or runs tasks
            elif words[:2] == ["python", "manage.py"]:
                run([python, "manage.py", *words[2:]], cwd=project, env=env)
            else:
                pytest.fail(f"the test does not know how to run the README's command {command!r}")
        assert server is not None, "the README never starts the server"
        assert not (home / "agnost_django").exists() and "agnost_django" not in os.listdir(project)
        where = run([python, "-c", "import agnost_django; print(agnost_django.__file__)"], cwd=project, env=env)
        assert str(venv) in where.stdout, where.stdout  # the installed wheel, not this checkout
        stack = run([python, "manage.py", "shell", "-c",
                     "from django.db import connection; from django.core.cache import caches; "
                     "from channels.layers import get_channel_layer; "
                     "print(connection.vendor, type(caches[\"default\"]).__name__, type(get_channel_layer()).__name__)"],
                    cwd=project, env=env).stdout.split()[-3:]  # after shell's "N objects imported" line
        assert stack == (["postgresql", "RedisCache", "RedisPubSubChannelLayer"] if services
                         else ["sqlite", "LocMemCache", "LocalChannelLayer"]), stack

        result = subprocess.run(
            [node, "--test", "--test-reporter=spec", INTEROP_DIR / "host.test.mjs"], cwd=INTEROP_DIR,
            env={**os.environ, "AGNOST_ENV_URL": f"http://realtime.agnost.app.localhost:{port}",
                 "AGNOST_CLIENT_KEY": key, "NODE_OPTIONS": f"--require {DNS_PRELOAD}"},
            capture_output=True, text=True, timeout=180, check=False)
        assert result.returncode == 0, (
            f"{result.stdout}\n{result.stderr}\n--- server log ---\n{(tmp_path / 'server.log').read_text()[-4000:]}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=15)
        if services:
            _clean_services(env)
