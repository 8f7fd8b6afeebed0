"""README.md's examples, run as written, so that they cannot drift.

How each ```python and ```js block is tested is said by the marker above it
(``<!-- readme-test: KIND [ID] -->``, see :mod:`tests.readme.readme`):

* The examples (``js`` and ``python`` blocks) run in README order against one server for the
  whole session: the example project as ``make run`` serves it (``project.settings`` from the
  environment, uvicorn, a fresh SQLite file in pass 1; PostgreSQL, Redis and S3 in pass 2;
  :class:`tests.interop.server.InteropServer`), plus ``myapp``, whose ``agnost_hooks.py`` is the
  README's ``hooks`` blocks, concatenated. Each example may therefore use what the ones above it
  did (the user Ada signed up by the Auth example, the bucket made by the storage one). A test
  runs the examples above its own first, once per session, whatever the order tests run in.
* A ``python`` block runs in ``manage.py shell`` (:mod:`tests.readme.harness`).
* A ``js`` block runs in Node as an ES module, with the altogic client of ``tests/interop``.
  A block that does not declare ``const client`` is preceded by the import and
  ``createClient(...)`` lines of the Client side example; a block whose first line starts with ``// signed in`` also by the
  ``client.auth.signInWithEmail(...)`` call of the Auth example. The envUrl
  ``"http://realtime.agnost.app.localhost:8000"`` and the key ``"agk_...client key..."`` are
  replaced by the test server's; nothing else in the README's code is changed.
* An example fails when it raises, or when a call fails (a server-library ``Result`` with
  errors, a client call resolving ``{errors}``) with an error code that the block does not show
  in its text (an example may demonstrate an error by naming its code). A few examples also
  have checks of what their comments promise (:data:`PYTHON_CHECKS`, :data:`JS_CHECKS`), run
  after the block in the same namespace.
* The ``install`` block is applied to a fresh ``django-admin startproject mysite``
  (:func:`test_install_in_host_project`).

Tests that run Node skip when Node or the npm packages (``npm ci`` in ``tests/interop``) are
missing, except with ``CI=true``, where they fail instead.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from tests.interop.server import (
    DNS_PRELOAD,
    INTEROP_DIR,
    REPO_ROOT,
    InteropServer,
    InteropUnavailable,
    check_node_available,
)
from tests.readme import readme
from tests.readme.harness import RESULT_PREFIX

pytestmark = pytest.mark.xdist_group("readme")

# Every tested block, in README order. A block that disappears (or a new one) fails
# test_markers until this list says so.
EXAMPLES = [
    "client-side", "request-log", "server-library", "auth-client", "auth-server", "data-client", "data-server",
    "storage-server", "storage-client", "realtime-client", "realtime-server", "realtime-resume",
    "endpoints-hooks", "endpoints-client", "queues-hooks", "queues-server", "queues-client",
    "tasks-hooks", "tasks-server", "tasks-client", "cache-server", "module-contract", "caller-contract",
]

ENV_URL_LITERAL = '"http://realtime.agnost.app.localhost:8000"'
CLIENT_KEY_LITERAL = '"agk_...client key..."'
SIGNED_IN = "// signed in"
DECLARES_CLIENT = re.compile(r"^\s*(?:const|let|var)\s+client\s*=", re.MULTILINE)
NODE_TIMEOUT = 60

# Checks of what the examples' comments promise, run after the block in its namespace.
PYTHON_CHECKS = {
    "data-server": 'assert todos.count("done == false").data == 1, todos.count("done == false")',
    "storage-server": 'assert info["fileName"] == "logo.png", info\nassert "?token=" in url, url',
    "queues-server": (
        'status = agnost.queue("send-welcome-email").get_message_status(r.data["messageId"]).data["status"]\n'
        'assert status == "pending", status'
    ),
    "cache-server": (
        'keys = cache.list_keys("user:*").data\n'
        'assert keys == [{"key": "user:42", "value": {"name": "Ada"}}], keys'
    ),
    "module-contract": 'assert {"auth", "db", "storage", "endpoint", "queue", "task", "realtime", "cache"} <= '
                       'set(names), names',
    "caller-contract": 'assert code == "invalid_session_token", code',
}
JS_CHECKS = {
    "client-side": "__assert.deepEqual(data, { text: 'hello' });",
    "auth-client": "__assert.equal(me.email, 'ada@example.com'); __assert.ok(sessions.length > 0);",
    "data-client": (
        "__assert.ok(data.some((t) => t._id === todo._id), 'the new todo is listed');\n"
        "__assert.deepEqual(Object.keys(page).sort(), ['data', 'info']);\n"
        "__assert.ok(stats.length > 0, 'compute found the todos');"
    ),
    "storage-client": "__assert.equal(file.fileName, 'me.png'); __assert.equal(blob.size, png.length);",
    "realtime-client": (
        "await __until(() => __readme.logged.includes('Ada joined room1'), 'the join notification');\n"
        "await __until(() => __readme.logged.includes(\"room1 { text: 'hi' }\"), 'the chat echo');\n"
        "await __until(() => __readme.calls.includes('/_api/rest/v1/realtime/get-members'), 'getMembers');"
    ),
    "realtime-resume": (
        "await __until(() => client.realtime.isConnected(), 'the connection');\n"
        "client.realtime.send('chat-lobby', 'said', 'hello');  // echoed: a member since the resume\n"
        "await __until(() => last >= 1 && __readme.logged.includes('hello'), 'the numbered echo');\n"
        "client.realtime.close();\n"
        "const __other = createClient(" + ENV_URL_LITERAL + ", " + CLIENT_KEY_LITERAL + ");\n"
        "await __until(() => __other.realtime.isConnected(), 'the other connection');\n"
        "__other.realtime.send('chat-lobby', 'said', 'while you were away');\n"
        "await new Promise((resolve) => setTimeout(resolve, 500));\n"
        "__assert.ok(!__readme.logged.includes('while you were away'), 'heard while closed');\n"
        "client.realtime.open();  // onConnect resumes after `last`\n"
        "await __until(() => __readme.logged.includes('while you were away'), 'the missed message');\n"
        "__assert.equal(__readme.logged.filter((line) => line === 'hello').length, 1, 'no duplicate');\n"
        "__other.realtime.close(); client.realtime.close();"
    ),
    "endpoints-client": "__assert.equal(data._id, todo._id); __assert.equal(csv, 'year,todos\\n2026,0\\n');",
    "queues-client": "__assert.equal(status.messageId, info.messageId);",
    "tasks-client": "__assert.equal(run.taskId, info.taskId);",
}

JS_HARNESS = """\
// Generated by tests/readme/test_readme.py from {where}: a harness, then the README's code.
import __assert from "node:assert/strict";
import {{ format as __format }} from "node:util";
import {{ Fetcher as __Fetcher }} from "altogic";

const __readme = {{ codes: [], calls: [], logged: [] }};
for (const method of ["get", "post", "put", "delete", "upload"]) {{
  const original = __Fetcher.prototype[method];
  __Fetcher.prototype[method] = async function (path, ...rest) {{
    const result = await original.call(this, path, ...rest);
    __readme.calls.push(path);
    if (result && result.errors) {{
      const items = result.errors.items?.length ? result.errors.items : [{{ code: `HTTP ${{result.errors.status}}` }}];
      for (const item of items) __readme.codes.push(String(item.code));
    }}
    return result;
  }};
}}
const __log = console.log;
console.log = (...args) => {{ __readme.logged.push(__format(...args)); __log(...args); }};
async function __until(condition, what, ms = 10000) {{
  const deadline = Date.now() + ms;
  while (!condition()) {{
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${{what}}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }}
}}
"""
JS_FOOTER = """\
process.stdout.write(`\\n{prefix}${{JSON.stringify({{ codes: __readme.codes }})}}\\n`, () => process.exit(0));
"""


def require_node() -> str:
    """``node``; skips the test without Node or the npm client, unless ``CI=true``."""
    try:
        return check_node_available()
    except InteropUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true, and the README's client examples need Node: {exc}")
        pytest.skip(f"the README's client examples need Node and the npm client: {exc}")


def _unexpected(codes: list[str], block: readme.Block) -> list[str]:
    return [code for code in codes if code not in block.code]


@dataclass
class Outcome:
    ok: bool
    report: str


class ReadmeExamples:
    """The README's examples against one server; each runs once, after the ones above it."""

    def __init__(self, all_blocks: list[readme.Block], workdir: Path) -> None:
        self.blocks = {block.id: block for block in readme.tested(all_blocks)}
        self.order = [block.id for block in readme.tested(all_blocks) if block.kind in ("js", "python")]
        self.workdir = workdir
        self.outcomes: dict[str, Outcome] = {}
        self.server: InteropServer | None = None
        self.js_dir = workdir / "js"

    # -- set-up ----------------------------------------------------------------------------

    def start(self, stack: str) -> None:
        hooks = self.workdir / "hooks" / "myapp"
        hooks.mkdir(parents=True)
        (hooks / "__init__.py").write_text("")
        (hooks / "agnost_hooks.py").write_text(
            "\n\n".join(block.code for block in self.blocks.values() if block.kind == "hooks"))
        self.js_dir.mkdir()
        if (INTEROP_DIR / "node_modules").is_dir():
            # ES modules find packages from their own directory upwards only.
            (self.js_dir / "node_modules").symlink_to(INTEROP_DIR / "node_modules")
        python_path = os.pathsep.join(filter(None, [str(hooks.parent), os.environ.get("PYTHONPATH")]))
        self.server = InteropServer(stack, env={
            "DJANGO_SETTINGS_MODULE": "tests.readme.server_settings", "PYTHONPATH": python_path})
        self.server.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()

    # -- running ---------------------------------------------------------------------------

    def ensure_before(self, example_id: str) -> None:
        """Run every example above ``example_id`` that has not run yet."""
        for earlier in self.order[:self.order.index(example_id)]:
            if earlier not in self.outcomes:
                if self.blocks[earlier].kind == "js":
                    require_node()
                self.outcomes[earlier] = self.run(earlier)

    def outcome(self, example_id: str) -> Outcome:
        self.ensure_before(example_id)
        if example_id not in self.outcomes:
            self.outcomes[example_id] = self.run(example_id)
        return self.outcomes[example_id]

    def earlier_failures(self, example_id: str) -> list[str]:
        return [earlier for earlier in self.order[:self.order.index(example_id)]
                if earlier in self.outcomes and not self.outcomes[earlier].ok]

    def run(self, example_id: str) -> Outcome:
        block = self.blocks[example_id]
        if block.kind == "js":
            return self._run_js(block)
        return self._run_python(block)

    def _run_python(self, block: readme.Block) -> Outcome:
        path = self.workdir / f"{block.id}.py"
        checks = PYTHON_CHECKS.get(block.id)
        path.write_text(block.code + (f"\n# -- checks (tests/readme/test_readme.py)\n{checks}\n" if checks else ""))
        result = self.server.manage(
            "shell", "-c", f"from tests.readme.harness import run_block; run_block({str(path)!r})", check=False)
        return self._outcome(block, result)

    def js_source(self, block: readme.Block) -> str:
        parts = [JS_HARNESS.format(where=str(block))]
        if not DECLARES_CLIENT.search(block.code):
            parts.append(client_preamble(self.blocks["client-side"]))
        if block.code.lstrip().startswith(SIGNED_IN):
            call = sign_in_call(self.blocks["auth-client"])
            parts.append(f"__assert.equal((await {call}).errors, null, 'signing in as in Auth');\n")
        parts.append(f"// -- {block}\n{block.code}")
        if block.id in JS_CHECKS:
            parts.append(f"// -- checks (tests/readme/test_readme.py)\n{JS_CHECKS[block.id]}\n")
        parts.append(JS_FOOTER.format(prefix=RESULT_PREFIX))
        source = "".join(parts)
        return source.replace(ENV_URL_LITERAL, json.dumps(self.server.env_url)).replace(
            CLIENT_KEY_LITERAL, json.dumps(self.server.client_key))

    def _run_js(self, block: readme.Block) -> Outcome:
        node = require_node()
        path = self.js_dir / f"{block.id}.mjs"
        path.write_text(self.js_source(block))
        try:
            result = subprocess.run(
                [node, str(path)], cwd=self.js_dir, env=node_env(), capture_output=True, text=True,
                timeout=NODE_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            return Outcome(False, f"{block}: node did not finish in {NODE_TIMEOUT} s\n"
                                  f"{exc.stdout or ''}{exc.stderr or ''}{self._server_log()}")
        return self._outcome(block, result)

    def _outcome(self, block: readme.Block, result: subprocess.CompletedProcess) -> Outcome:
        output = f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        lines = [line for line in result.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
        if result.returncode != 0 or not lines:
            return Outcome(False, f"{block} failed (exit code {result.returncode})\n{output}{self._server_log()}")
        codes = json.loads(lines[-1].removeprefix(RESULT_PREFIX))["codes"]
        unexpected = _unexpected(codes, block)
        if unexpected:
            return Outcome(False, f"{block}: calls failed with {unexpected}, codes the example does not show\n"
                                  f"{output}{self._server_log()}")
        return Outcome(True, output)

    def _server_log(self) -> str:
        return f"\n--- server log (tail) ---\n{self.server.log()[-4000:]}" if self.server else ""


def client_preamble(client_side: readme.Block) -> str:
    """The Client side example's lines up to its ``createClient(...)`` statement."""
    lines = client_side.code.splitlines()
    end = next(index for index, line in enumerate(lines) if DECLARES_CLIENT.match(line))
    return "\n".join(lines[:end + 1]) + "\n"


def sign_in_call(auth_client: readme.Block) -> str:
    """The Auth example's ``client.auth.signInWithEmail(...)`` call."""
    match = re.search(r"client\.auth\.signInWithEmail\([^)]*\)", auth_client.code)
    assert match, f"{auth_client} no longer signs in with client.auth.signInWithEmail(...)"
    return match.group(0)


def node_env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        # Quoted because NODE_OPTIONS is split on spaces.
        "NODE_OPTIONS": f'--require "{DNS_PRELOAD}" {os.environ.get("NODE_OPTIONS", "")}'.strip(),
        "NO_COLOR": "1",
        **extra,
    }


@pytest.fixture(scope="session")
def readme_examples(tmp_path_factory):
    examples = ReadmeExamples(readme.blocks(), tmp_path_factory.mktemp("readme"))
    try:
        examples.start(settings.INTEROP_STACK)
        yield examples
    finally:
        examples.stop()


# -- tests ---------------------------------------------------------------------------------


def test_markers():
    """Every python/js block is classified, and the tested ones are those of EXAMPLES."""
    all_blocks = readme.blocks()
    assert readme.problems(all_blocks) == []
    assert [block.id for block in readme.tested(all_blocks)] == EXAMPLES
    assert len(readme.by_kind(all_blocks, "install")) == 1
    assert set(PYTHON_CHECKS) | set(JS_CHECKS) <= set(EXAMPLES)


@pytest.mark.interop
@pytest.mark.parametrize("example_id", [
    example_id for example_id in EXAMPLES if not example_id.endswith("-hooks")])
def test_example(readme_examples, example_id):
    if readme_examples.blocks[example_id].kind == "js":
        require_node()
    outcome = readme_examples.outcome(example_id)
    if not outcome.ok:
        earlier = readme_examples.earlier_failures(example_id)
        note = f"\n(earlier examples failed too, and this one may depend on them: {earlier})" if earlier else ""
        pytest.fail(outcome.report + note, pytrace=False)


@pytest.mark.interop
def test_realtime_send_from_server_reaches_client(readme_examples):
    """The Realtime server example, run in ``manage.py shell`` (another process than the
    server's, as the django-q2 worker is) while a Node client is a member of the channels it
    sends to: the client hears the send, the broadcast and the message announcing the new todo,
    on the embedded default (``LocalChannelLayer``) as on Redis."""
    node = require_node()
    readme_examples.ensure_before("realtime-server")
    listener_path = readme_examples.js_dir / "listener.mjs"
    listener_path.write_text((Path(__file__).parent / "listener.mjs").read_text())
    server = readme_examples.server
    listener = subprocess.Popen(
        [node, str(listener_path)], cwd=readme_examples.js_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=node_env(AGNOST_ENV_URL=server.env_url, AGNOST_CLIENT_KEY=server.client_key))
    try:
        wait_for_line(listener, "READY", timeout=30)
        outcome = readme_examples.run("realtime-server")
        assert outcome.ok, outcome.report
        stdout, stderr = listener.communicate(timeout=30)
    finally:
        if listener.poll() is None:
            listener.kill()
            listener.communicate()
    heard_lines = [line for line in stdout.splitlines() if line.startswith("HEARD ")]
    assert heard_lines, f"the listener printed no HEARD line\n{stdout}\n{stderr}"
    heard = {entry["event"]: entry["payload"] for entry in json.loads(heard_lines[-1].removeprefix("HEARD "))}
    assert heard.get("chat") == {"channel": "room1", "message": {"text": "from the server"}}, heard
    assert heard.get("notice") == {"channel": None, "message": "maintenance at 6"}, heard
    assert heard.get("created", {}).get("message", {}).get("title") == "call Bob", heard


def wait_for_line(process: subprocess.Popen, expected: str, timeout: float) -> None:
    """Read ``process``'s stdout until a line equal to ``expected``; fail on exit or timeout."""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=0.2):
                line = process.stdout.readline()
                if line.strip() == expected:
                    return
                if not line and process.poll() is not None:
                    break
    process.kill()
    stdout, stderr = process.communicate()
    pytest.fail(f"the listener never printed {expected}:\n{stdout}\n{stderr}")


# -- the install section -------------------------------------------------------------------

def test_install_in_host_project(tmp_path):
    """A project from ``django-admin startproject mysite`` and ``startapp notes``, with the
    README's install section applied as written (``# <file>.py, at the end`` appends, ``#
    <file>.py`` replaces the file) and this checkout on ``PYTHONPATH``, passes ``check``,
    ``makemigrations``, ``migrate`` and imports its ASGI application; ``check`` reports
    nothing, not even a warning. (tests/package/ does the same from the built wheel, with
    the README's shell commands, and serves it to the real client.)"""
    [block] = readme.by_kind(readme.blocks(), "install")
    edits = readme.install_edits(block)
    assert [edit.path for edit in edits] == [
        "mysite/settings.py", "mysite/urls.py", "mysite/asgi.py", "notes/models.py", "notes/agnost_hooks.py"]
    env = {name: value for name, value in os.environ.items()
           if name not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL")}
    env["PYTHONPATH"] = str(REPO_ROOT)

    def run(*args: str) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                                timeout=120, check=False)
        assert result.returncode == 0, f"{' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result

    run("-m", "django", "startproject", "mysite", str(tmp_path))
    run("manage.py", "startapp", "notes")
    for edit in edits:
        target = tmp_path / edit.path
        if not edit.append and not target.exists():
            target.write_text("")
        assert target.is_file(), f"startproject made no {edit.path}"
        target.write_text((target.read_text() + "\n\n" if edit.append else "") + edit.code)

    check = run("manage.py", "check")
    assert "no issues" in check.stdout, f"manage.py check:\n{check.stdout}\n{check.stderr}"
    run("manage.py", "makemigrations", "notes")
    run("manage.py", "migrate", "--noinput")
    run("-c", "import mysite.asgi, channels.routing; "
              "assert isinstance(mysite.asgi.application, channels.routing.ProtocolTypeRouter)")
