"""The altogic npm client's CacheManager against the real server (see cache.test.mjs)."""

from __future__ import annotations

import json
import secrets
import textwrap

import pytest
from django.conf import settings

from tests.interop.server import node_failure


def test_cache_manager(interop_server):
    result = interop_server.run_node("cache.test.mjs")
    assert result.returncode == 0, node_failure(result, interop_server)


# A skipif mark, not pytest.skip() in the body: the server fixture is not even started.
@pytest.mark.skipif(
    settings.INTEROP_STACK != "services",
    reason="the embedded stack's LocMemCache lives inside the uvicorn process; "
    "manage.py shell cannot see it",
)
def test_cache_namespace_isolation(interop_server):
    """A client key lands under ``agnost.client:`` in the host's Django cache, and the host's
    own keys are out of the client's reach. Needs a cache shared between processes."""
    suffix = secrets.token_hex(4)
    client_key, host_key = f"ns-client-{suffix}", f"ns-host-{suffix}"

    def shell(code: str) -> str:
        """The last line ``manage.py shell`` prints (Django 5.2 may announce auto-imports)."""
        output = interop_server.manage("shell", "-c", textwrap.dedent(code)).stdout.strip()
        return output.splitlines()[-1] if output else ""

    shell(f"""
        from django.core.cache import cache
        cache.set({host_key!r}, "host secret", 60)
    """)
    result = interop_server.run_node(
        "namespace.test.mjs", extra_env={"CLIENT_KEY_NAME": client_key, "HOST_KEY_NAME": host_key}
    )
    assert result.returncode == 0, node_failure(result, interop_server)

    seen = json.loads(shell(f"""
        import json
        from django.core.cache import cache
        print(json.dumps({{
            "namespaced": cache.get("agnost.client:" + {client_key!r}),
            "bare": cache.get({client_key!r}),
            "host": cache.get({host_key!r}),
        }}))
    """))
    assert seen == {"namespaced": {"from": "client"}, "bare": None, "host": "host secret"}
