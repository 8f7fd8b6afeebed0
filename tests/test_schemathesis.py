"""schemathesis over the OpenAPI schema, against the real ASGI server of this run's stack.

:class:`~tests.interop.server.InteropServer` serves the example project with uvicorn
(pass 1: SQLite, LocMem, files on disk; pass 2, ``--ds=tests.settings_services``:
PostgreSQL, Redis, S3). schemathesis reads the schema the server publishes at
``/_api/schema`` and sends, for every operation, generated requests that fit it (positive)
and some that do not (negative), with the server's client key and the ``Session`` token of
a user signed up through the API. Every response must be no 5xx and conform to the schema
(a declared status, content type, headers and body); each operation's first 2xx is sent
again without credentials and with invalid ones, which must be refused. Generation is
derandomized (a fixed seed) and bounded by ``MAX_EXAMPLES`` per operation and mode.

Generated identifiers would almost never name an existing bucket or file, nor the user's
credentials: :meth:`Fuzzer.steer` points every second storage request at the ``root`` bucket
and a file that exists, and every second auth request at the user's email and password, as a
schemathesis ``map_body`` hook would. The user is made staff, whom every storage rule
allows. The session is renewed after a sign-out.

The figures (operations, how many reached a 2xx, server errors, schema violations) are
recorded as the test's ``schemathesis`` property, which ``tests/conftest.py`` shows at the end
of the run.
"""

from __future__ import annotations

import os
import time
from collections import Counter, defaultdict
from http.cookiejar import DefaultCookiePolicy

import pytest
import requests
import schemathesis
from django.conf import settings
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.interop.server import InteropServer

pytestmark = [pytest.mark.xdist_group("schemathesis")]

# Requests per operation and mode; SCHEMATHESIS_EXAMPLES=N runs N positive and N/3 negative
# ones, for a longer hunt by hand.
_EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "10"))
MAX_EXAMPLES = {schemathesis.GenerationMode.POSITIVE: _EXAMPLES,
                schemathesis.GenerationMode.NEGATIVE: max(1, _EXAMPLES // 3)}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
API = "/_api/rest/v1"
EMAIL, PASSWORD = "fuzz@example.com", "fuzz-Password-1234"
FILE_NAME = "fuzz.txt"


class Fuzzer:
    def __init__(self, server: InteropServer) -> None:
        self.base_url = f"http://127.0.0.1:{server.port}"
        self.http = requests.Session()
        self.http.trust_env = False  # no *_proxy
        self.http.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # the Session header only
        self.http.headers["X-Client-Key"] = server.client_key
        self.session_token = self.post("/auth/signup-email", json={"email": EMAIL, "password": PASSWORD})[
            "session"]["token"]
        # Staff, so that every storage operation can succeed (creating buckets, statistics, root).
        server.manage("shell", "-c", "from django.contrib.auth import get_user_model; "
                      f"get_user_model().objects.filter(email={EMAIL!r}).update(is_staff=True)")
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.failures: dict[tuple, str] = {}  # (operation, status, first line) -> the last one
        self.steered: Counter = Counter()
        self.auth_checked: set[str] = set()
        self.timings: Counter = Counter()

    def post(self, path: str, session: str | None = None, **kwargs):
        headers = {"Session": session} if session else {}
        response = self.http.post(self.base_url + API + path, headers=headers, timeout=30, **kwargs)
        assert response.status_code == 200, (path, response.status_code, response.text)
        return response.json()

    def fresh_session(self) -> str:
        return self.post("/auth/signin-email", json={"email": EMAIL, "password": PASSWORD})["session"]["token"]

    def ensure_file(self) -> None:
        session = self.session_token
        if not self.post("/storage/bucket/file/exists", json={"bucket": "root", "file": FILE_NAME}, session=session):
            self.post("/storage/bucket/upload-object", params={"bucket": "root", "fileName": FILE_NAME},
                      json="fuzz", session=session)

    def steer(self, case) -> None:
        """Every second storage case names the root bucket and an existing file, every second
        auth case the fuzz user's email and password."""
        path = case.operation.path
        if not path.startswith((API + "/storage/", API + "/auth/")):
            return
        self.steered[path] += 1
        if not self.steered[path] % 2:  # the 1st, 3rd, 5th... case of each operation
            return
        for container in (case.body, case.query):
            if not isinstance(container, dict):
                continue
            if path.startswith(API + "/auth/"):
                # A sign-up needs a new address and a password the validators accept.
                email = f"fuzz{self.steered[path]}@example.com" if "/signup" in path else EMAIL
                container.update({name: value for name, value in (("email", email), ("password", PASSWORD))
                                  if name in container})
                continue
            if "bucket" in container:
                container["bucket"] = "root"
            if "file" in container:
                container["file"] = FILE_NAME
                self.ensure_file()

    def run(self, operation, mode) -> None:
        label = operation.label

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(max_examples=MAX_EXAMPLES[mode], derandomize=True, database=None, deadline=None,
                             phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def check(case):
            self.steer(case)
            headers = {"Session": self.session_token}
            response = case.call(base_url=self.base_url, session=self.http, headers=headers, timeout=30)
            self.statuses[label][response.status_code] += 1
            if "/auth/signout" in label and response.status_code == 200:  # it may have ended the shared session
                self.session_token = self.fresh_session()
            checks = CHECKS
            if 200 <= response.status_code < 300 and label not in self.auth_checked:
                # Once per operation: the same request without the key and session, and with
                # invalid ones, must be refused (401/403), as the declared security says.
                self.auth_checked.add(label)
                checks = [*CHECKS, ignored_auth]
            try:
                case.validate_response(response, checks=checks, headers=headers)
            except (AssertionError, FailureGroup) as exc:
                # One entry per operation, status and kind of failure ("- ST103 Undocumented status code").
                kinds = tuple(line for line in str(exc).splitlines() if line.startswith("- "))
                self.failures[label, response.status_code, kinds] = (
                    f"{exc}\n    {case.as_curl_command()}\n    {response.text[:300]}")

        started = time.monotonic()
        try:
            check()
        except Unsatisfiable:  # e.g. no negative case exists for this operation
            self.statuses.setdefault(label, Counter())
        self.timings[label] += time.monotonic() - started

    def summary(self) -> tuple[int, int, int, int, str]:
        operations = len(self.statuses)
        reached = sorted(label for label, counts in self.statuses.items() if any(200 <= s < 300 for s in counts))
        server_errors = sum(count for counts in self.statuses.values() for s, count in counts.items() if s >= 500)
        lines = [
            f"schemathesis on the {settings.INTEROP_STACK} stack: {operations} operations, "
            f"{len(reached)} reached a 2xx ({len(reached) / max(operations, 1):.0%}), "
            f"{sum(sum(c.values()) for c in self.statuses.values())} requests, "
            f"{server_errors} server errors, {len(self.failures)} schema violations or failed checks",
            "no 2xx: " + ", ".join(f"{label} {dict(self.statuses[label])}"
                                   for label in sorted(set(self.statuses) - set(reached))),
            "slowest: " + ", ".join(f"{label} {seconds:.1f} s" for label, seconds in self.timings.most_common(5)),
        ]
        return operations, len(reached), server_errors, len(self.failures), "\n".join(lines)


def test_api_conforms_to_its_schema(record_property):
    started = time.monotonic()
    with InteropServer(settings.INTEROP_STACK) as server:
        fuzzer = Fuzzer(server)
        schema = schemathesis.openapi.from_url(f"{fuzzer.base_url}/_api/schema", timeout=30)
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in MAX_EXAMPLES:
                fuzzer.run(operation, mode)
        log = server.log()
    operations, reached, server_errors, violations, summary = fuzzer.summary()
    summary += f"\n{time.monotonic() - started:.0f} s in all, {sum(fuzzer.timings.values()):.0f} s fuzzing"
    record_property("schemathesis", summary)  # shown at the end of the run (tests/conftest.py)
    assert not fuzzer.failures, "\n\n".join(f"{label} -> {status}: {text}" for (label, status, _), text
                                            in list(fuzzer.failures.items())[:30]) + f"\n--- server log ---\n{log[-4000:]}"
    assert server_errors == 0
    assert operations >= 90
    assert reached > operations / 2, summary
