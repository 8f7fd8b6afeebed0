"""A real agnost_django server for the interop tests, and a runner for the Node test files.

:class:`InteropServer` runs the example project (``project/``) the way it runs in
production: ``manage.py migrate``, a client key from ``manage.py agnost_create_client_key``,
then uvicorn serving ``project.asgi:application`` in a subprocess on a free port. Two stacks:

* ``embedded`` — a fresh SQLite file in a temporary directory, the local-memory cache
  (so the cache lives inside the uvicorn process only);
* ``services`` — a fresh PostgreSQL database ``agnost_interop_<pid>_<random>`` (dropped on
  stop) and Redis database 15 under a unique ``CACHE_KEY_PREFIX`` (its keys, ``<prefix>*``, which
  includes the realtime presence keys ``<prefix>agnost:rt:...``, are deleted on stop).
  ``TEST_DATABASE_URL`` / ``TEST_REDIS_URL`` point at the services, as in
  ``tests/settings_services.py``. Files go to S3 (``project/settings.py``'s
  ``AWS_STORAGE_BUCKET_NAME`` & co.): the bucket ``tests.s3.BUCKET`` of the S3 server that
  pass 2's settings started (``settings.S3_ENDPOINT_URL``), else of ``tests.s3.start()``
  (``TEST_S3_ENDPOINT_URL``, or a moto server in this process), under a unique
  ``AWS_LOCATION`` folder whose objects are deleted on stop. These ``AWS_*`` variables are
  the only ones that reach the server: the caller's own are stripped like the others.

The server is reached through ``http://realtime.agnost.app.localhost:<port>``, the envUrl
form that keeps REST and realtime on one origin (spec 1.8); ``localhost-dns.cjs`` makes Node
resolve it to 127.0.0.1.

Auth delivery goes to files in the server's temporary directory, so that Node tests can read
what a user would receive: emails through Django's file backend into ``mail/`` (one ``.log``
file per connection, messages separated by a line of 79 dashes), SMS through
``agnost_django.auth.sms.FileBackend`` into ``sms.jsonl`` (JSON lines ``{"to", "body"}``).
:meth:`InteropServer.run_node` passes both paths as ``AGNOST_MAIL_DIR`` and
``AGNOST_SMS_FILE``. Auth throttles are relaxed, and emailed links redirect to
:data:`REDIRECT_URL`. Extra settings variables go through ``env``, e.g.
``InteropServer("embedded", env={"AGNOST_AUTH_EMAIL_CONFIRMATION": "1"})``.

Two processes on one stack (the realtime tests): :meth:`InteropServer.spawn_peer` starts a
second uvicorn process with the same environment — same database, same ``REDIS_URL`` and
``CACHE_KEY_PREFIX`` (so, on the services stack, the same cache, Channels layer and realtime
presence registry), same client key and temporary directory — on a port of its own, with its
own log (``uvicorn-peer-<n>.log``). On the embedded stack a peer shares the SQLite file only:
the local-memory cache, the in-memory channel layer and the presence registry live in each
process. A peer owns nothing but its process: its :meth:`~InteropServer.stop` ends only that,
and the server that spawned it stops its peers first. :meth:`InteropServer.kill` ends a
server's uvicorn with SIGKILL (a crash: no disconnect handling, no cleanup); :attr:`pid` is
its process id, for a test that kills it from another process.

Standalone use::

    with InteropServer("embedded") as server:
        print(server.run_node("cache.test.mjs").stdout)
        peer = server.spawn_peer()  # stopped with the server
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

INTEROP_DIR = Path(__file__).resolve().parent
REPO_ROOT = INTEROP_DIR.parent.parent
MANAGE_PY = REPO_ROOT / "manage.py"
DNS_PRELOAD = INTEROP_DIR / "localhost-dns.cjs"

STACKS = ("embedded", "services")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379"
# tests/settings_services.py gives xdist workers Redis databases 1-14 and FLUSHes them;
# 15 is left to the interop server, which also uses a unique key prefix.
REDIS_DB = 15

STARTUP_TIMEOUT = 30.0
# Where emailed links (/_auth/verify) send the browser; tests read its query string from the
# Location header and never follow it.
REDIRECT_URL = "http://app.agnost.app.localhost/redirect"
# The auth throttles and the cache's write rate count per client IP, and every test request
# comes from 127.0.0.1.
RELAXED_THROTTLE_RATES = '{"sign_in": "10000/min", "sign_up": "10000/min", "send": "10000/min"}'
# Variables of the host project's settings that must not leak from the caller's shell into
# the server (a developer's DATABASE_URL would point the server at their real database).
_PROJECT_ENV_PREFIXES = ("DJANGO_", "AWS_", "AGNOST_", "EMAIL_")
_PROJECT_ENV_NAMES = {
    "DATABASE_URL", "REDIS_URL", "CACHE_KEY_PREFIX",
    "CORS_ALLOWED_ORIGINS", "Q_WORKERS", "DEFAULT_FROM_EMAIL", "MEDIA_ROOT", "STATIC_ROOT", "TRUSTED_PROXIES",
}


class InteropUnavailable(Exception):
    """Node or the npm packages are missing; the tests skip with this message."""


class ServerStartError(RuntimeError):
    pass


class NodeTimeout(subprocess.TimeoutExpired):
    """``node --test`` did not finish; most likely a client call whose promise never
    settled, i.e. the server sent a non-JSON error body (spec 2.3)."""

    def __str__(self) -> str:
        return f"{super().__str__()}\n--- node output so far ---\n{self.output or ''}{self.stderr or ''}"


def check_node_available() -> str:
    """Path of ``node``; raises :class:`InteropUnavailable` if the harness cannot run."""
    node = shutil.which("node")
    if node is None:
        raise InteropUnavailable("node is not on PATH; install Node 20+ and run `npm ci` in tests/interop")
    if not (INTEROP_DIR / "node_modules" / "altogic" / "package.json").is_file():
        raise InteropUnavailable("the altogic npm client is not installed; run `npm ci` in tests/interop")
    return node


def node_failure(result: subprocess.CompletedProcess, server: InteropServer) -> str:
    """Assertion message for a failed ``run_node``: node's whole output and the tail of the
    server log."""
    return (
        f"node exited with {result.returncode}\n"
        f"--- node stdout ---\n{result.stdout}\n--- node stderr ---\n{result.stderr}\n"
        f"--- server log (tail) ---\n{server.log()[-5000:]}"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_answering(port: int, process: subprocess.Popen, timeout: float = STARTUP_TIMEOUT) -> bool:
    """Poll the API root on ``port`` until anything answers (``True``); ``False`` if
    ``process`` exits first; :class:`TimeoutError` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/_api/rest/v1"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # ignore *_proxy
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with opener.open(url, timeout=2):
                return True
        except urllib.error.HTTPError:
            return True  # e.g. 401 without a client key: the server is up
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise TimeoutError(f"nothing answered on port {port} within {timeout:.0f} s")


def _s3_endpoint() -> str:
    """The S3 server of the services stack: the one pass 2's settings started
    (``tests/settings_services.py``), else ``tests.s3.start()``."""
    try:
        from django.conf import settings

        endpoint = getattr(settings, "S3_ENDPOINT_URL", None) if settings.configured else None
    except ImportError:
        endpoint = None
    if endpoint:
        return endpoint
    from tests import s3

    return s3.start()


_static_roots: dict[str, str] = {}


def _collected_static(server: InteropServer) -> str:
    """``collectstatic`` output for servers of this process (DEBUG is off, as in production:
    WhiteNoise serves the collected, hashed files); made once per process and stack."""
    if server.stack not in _static_roots:
        root = tempfile.mkdtemp(prefix="agnost-static-")
        atexit.register(shutil.rmtree, root, True)
        server.env["STATIC_ROOT"] = root
        server.manage("collectstatic", "--noinput")
        _static_roots[server.stack] = root
    return _static_roots[server.stack]


def _with_path(url: str, path: str) -> str:
    """``url`` with its path (the database name, or the Redis db number) replaced."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=path))


class InteropServer:
    def __init__(self, stack: str = "embedded", env: dict[str, str] | None = None,
                 serve_args: tuple[str, ...] = ()) -> None:
        """``env``: extra environment variables of the server (``project/settings.py``
        reads them), applied over the defaults set here; ``serve_args``: extra arguments of
        ``manage.py agnost_serve`` (e.g. ``("--workers", "2")``)."""
        if stack not in STACKS:
            raise ValueError(f"stack must be one of {STACKS}, not {stack!r}")
        self.stack = stack
        self.extra_env: dict[str, str] = dict(env or {})
        self.serve_args = tuple(serve_args)
        self.tmpdir: Path | None = None
        self.port: int | None = None
        self.client_key: str | None = None
        self.env: dict[str, str] = {}
        self.process: subprocess.Popen | None = None
        self._db_name: str | None = None
        self._admin_db_url: str | None = None
        self._redis_url: str | None = None
        self._cache_prefix: str | None = None
        self._s3_location: str | None = None
        self._log_path: Path | None = None
        self._peers: list[InteropServer] = []
        self._is_peer = False

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def env_url(self) -> str:
        return f"http://realtime.agnost.app.localhost:{self.port}"

    @property
    def mail_dir(self) -> Path:
        """Where the file email backend writes (one ``.log`` file per connection)."""
        return self.tmpdir / "mail"

    @property
    def sms_file(self) -> Path:
        """Where the SMS file backend appends ``{"to", "body"}`` JSON lines."""
        return self.tmpdir / "sms.jsonl"

    def start(self) -> InteropServer:
        try:
            self.tmpdir = Path(tempfile.mkdtemp(prefix="agnost-interop-"))
            self.mail_dir.mkdir()
            self.sms_file.touch()
            self.env = self._base_env()
            if self.stack == "embedded":
                self.env["DATABASE_URL"] = f"sqlite:///{self.tmpdir / 'interop.sqlite3'}"
                self.env["MEDIA_ROOT"] = str(self.tmpdir / "media")
            else:
                self._setup_services()
            self.manage("migrate", "--noinput")
            self.env["STATIC_ROOT"] = _collected_static(self)
            output = self.manage("agnost_create_client_key", "interop").stdout
            self.client_key = output.strip().splitlines()[-1].strip()
            self._start_uvicorn()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop uvicorn and remove everything :meth:`start` created (a peer: its process
        only). Safe to call twice."""
        for peer in self._peers:
            peer.stop()
        self._peers.clear()
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            self.process = None
        if self._db_name is not None:
            self._drop_database()
            self._db_name = None
        if self._cache_prefix is not None:
            self._delete_redis_keys()
            self._cache_prefix = None
        if self._s3_location is not None:
            self._delete_s3_objects()
            self._s3_location = None
        if self.tmpdir is not None:
            if not self._is_peer:  # a peer's tmpdir is its origin's
                shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def __enter__(self) -> InteropServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def spawn_peer(self, env: dict[str, str] | None = None) -> InteropServer:
        """Another uvicorn process serving this server's stack state (see the module
        docstring), started and ready; it is stopped with this server. ``env`` overrides
        variables of the peer only, e.g. another ``CACHE_KEY_PREFIX`` for a process that
        shares the Redis database but not the app."""
        if self.process is None or self.tmpdir is None:
            raise RuntimeError("start() the server before spawning a peer")
        peer = InteropServer(self.stack, env=self.extra_env, serve_args=self.serve_args)
        peer._is_peer = True
        peer.tmpdir = self.tmpdir
        peer.env = {**self.env, **(env or {})}
        peer.client_key = self.client_key
        self._peers.append(peer)
        peer._start_uvicorn(f"uvicorn-peer-{len(self._peers)}.log")
        return peer

    @property
    def pid(self) -> int | None:
        """The uvicorn process id (``None`` before :meth:`start`)."""
        return self.process.pid if self.process is not None else None

    def kill(self) -> int:
        """End uvicorn with SIGKILL, as a crash would, and wait for it; returns its exit
        code (``-9``, or whatever it exited with if it was gone already)."""
        if self.process is None:
            raise RuntimeError("the server is not running")
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        return self.process.wait(timeout=10)

    def log(self) -> str:
        """Everything uvicorn and Django wrote so far (stdout and stderr)."""
        if self._log_path is None or not self._log_path.exists():
            return ""
        return self._log_path.read_text(errors="replace")

    # -- commands --------------------------------------------------------------------------

    def manage(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run ``manage.py <args>`` against the server's database and cache."""
        result = subprocess.run(
            [sys.executable, str(MANAGE_PY), *args],
            cwd=REPO_ROOT, env=self.env, capture_output=True, text=True, timeout=timeout,
        )
        if check and result.returncode != 0:
            raise ServerStartError(
                f"manage.py {' '.join(args)} exited with {result.returncode}\n"
                f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
            )
        return result

    def run_node(
        self, script_path: str | os.PathLike, extra_env: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess:
        """``node --test <script>`` (relative paths are taken from tests/interop) with
        ``AGNOST_ENV_URL`` and ``AGNOST_CLIENT_KEY`` set, and ``AGNOST_MAIL_DIR``,
        ``AGNOST_SMS_FILE`` and ``AGNOST_REDIRECT_URL`` for auth tests; output is captured
        as text."""
        node = check_node_available()
        script = (INTEROP_DIR / script_path).resolve()
        env = {
            **os.environ,
            "AGNOST_ENV_URL": self.env_url,
            "AGNOST_CLIENT_KEY": self.client_key or "",
            "AGNOST_MAIL_DIR": str(self.mail_dir) if self.tmpdir else "",
            "AGNOST_SMS_FILE": str(self.sms_file) if self.tmpdir else "",
            "AGNOST_REDIRECT_URL": self.env.get("AGNOST_AUTH_REDIRECT_URL", REDIRECT_URL),
            # Quoted because NODE_OPTIONS is split on spaces.
            "NODE_OPTIONS": f'--require "{DNS_PRELOAD}" {os.environ.get("NODE_OPTIONS", "")}'.strip(),
            "NO_COLOR": "1",
            **(extra_env or {}),
        }
        command = [node, "--test", "--test-reporter=spec", str(script)]
        # node --test runs the file in a child process: a new session lets a timeout kill both.
        process = subprocess.Popen(
            command, cwd=INTEROP_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            raise NodeTimeout(command, timeout, output=stdout, stderr=stderr) from None
        return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)

    # -- internals -------------------------------------------------------------------------

    def _base_env(self) -> dict[str, str]:
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in _PROJECT_ENV_NAMES and not name.startswith(_PROJECT_ENV_PREFIXES)
        }
        env.update(
            DJANGO_SETTINGS_MODULE="tests.interop.server_settings",
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY="interop",
            DJANGO_HTTPS="0",  # production settings, served over plain HTTP on loopback
            DJANGO_ENV_FILE="",
            PYTHONUNBUFFERED="1",
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(self.mail_dir),
            AGNOST_AUTH_SMS_BACKEND="agnost_django.auth.sms.FileBackend",
            AGNOST_AUTH_SMS_FILE_PATH=str(self.sms_file),
            AGNOST_AUTH_THROTTLE_RATES=RELAXED_THROTTLE_RATES,
            AGNOST_CACHE_WRITE_RATE="100000/min",
            AGNOST_AUTH_REDIRECT_URL=REDIRECT_URL,
        )
        env.update(self.extra_env)
        return env

    def _setup_services(self) -> None:
        import psycopg
        from psycopg import sql

        base_db_url = os.environ.get("TEST_DATABASE_URL", DEFAULT_DATABASE_URL)
        self._admin_db_url = _with_path(base_db_url, "/postgres")
        name = f"agnost_interop_{os.getpid()}_{secrets.token_hex(4)}"
        with psycopg.connect(self._admin_db_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self._db_name = name
        self.env["DATABASE_URL"] = _with_path(base_db_url, f"/{name}")

        base_redis_url = os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL).rstrip("/")
        self._redis_url = f"{base_redis_url}/{REDIS_DB}"
        self._cache_prefix = f"interop-{secrets.token_hex(6)}"
        self.env["REDIS_URL"] = self._redis_url
        self.env["CACHE_KEY_PREFIX"] = self._cache_prefix

        from tests import s3

        endpoint = _s3_endpoint()
        location = f"interop-{os.getpid()}-{secrets.token_hex(4)}"
        self.env.update(
            AWS_STORAGE_BUCKET_NAME=s3.BUCKET, AWS_S3_ENDPOINT_URL=endpoint,
            AWS_ACCESS_KEY_ID=s3.ACCESS_KEY, AWS_SECRET_ACCESS_KEY=s3.SECRET_KEY,
            AWS_S3_REGION_NAME=s3.REGION, AWS_LOCATION=location,
        )
        self._s3_location = location

    def _drop_database(self) -> None:
        import psycopg
        from psycopg import sql

        # FORCE (PostgreSQL 13+) terminates the connections uvicorn may have left behind.
        with psycopg.connect(self._admin_db_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self._db_name))
            )

    def _delete_redis_keys(self) -> None:
        import redis

        # Courtesy only: the prefix is unique, so leftovers cannot disturb another run. No ":"
        # after the prefix: the realtime presence registry writes "<prefix>agnost:rt:...", and
        # a peer's own prefix (spawn_peer(env=...)) may extend this one.
        client = redis.Redis.from_url(self._redis_url)
        try:
            keys = list(client.scan_iter(match=f"{self._cache_prefix}*", count=1000))
            if keys:
                client.delete(*keys)
        except redis.RedisError:
            pass
        finally:
            client.close()

    def _delete_s3_objects(self) -> None:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError

        # Courtesy only, like the Redis keys: the folder is unique to this server.
        env = self.env
        client = boto3.client(
            "s3", endpoint_url=env["AWS_S3_ENDPOINT_URL"], region_name=env["AWS_S3_REGION_NAME"],
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        )
        try:
            pages = client.get_paginator("list_objects_v2").paginate(
                Bucket=env["AWS_STORAGE_BUCKET_NAME"], Prefix=f"{self._s3_location}/")
            for page in pages:
                keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
                if keys:
                    client.delete_objects(Bucket=env["AWS_STORAGE_BUCKET_NAME"], Delete={"Objects": keys})
        except (BotoCoreError, ClientError):
            pass

    def _start_uvicorn(self, log_name: str = "uvicorn.log") -> None:
        self._log_path = self.tmpdir / log_name
        # free_port() can race with another process grabbing the port; retry on a new one.
        for _attempt in range(3):
            self.port = free_port()
            with open(self._log_path, "w") as log:
                # Output goes to a file, not a pipe: nobody reads a pipe while tests run, and
                # a full pipe would block the server.
                # As `make run` serves it: uvicorn through agnost_serve.
                self.process = subprocess.Popen(
                    [sys.executable, str(MANAGE_PY), "agnost_serve", "--host", "127.0.0.1",
                     "--port", str(self.port), *self.serve_args],
                    cwd=REPO_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                )
            if self._wait_until_ready():
                return
            if "address already in use" not in self.log().lower():
                break
        raise ServerStartError(
            f"uvicorn did not start (exit code {self.process.returncode}):\n{self.log()}"
        )

    def _wait_until_ready(self) -> bool:
        """Poll the API root until the server answers anything; ``False`` if it died."""
        try:
            return wait_until_answering(self.port, self.process)
        except TimeoutError:
            self.process.kill()
            self.process.wait()
            raise ServerStartError(f"uvicorn did not answer within {STARTUP_TIMEOUT:.0f} s:\n{self.log()}") from None
