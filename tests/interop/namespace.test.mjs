// Helper of test_cache_interop.py::test_cache_namespace_isolation (not standalone): sets
// CLIENT_KEY_NAME through the client, and checks that HOST_KEY_NAME, which the host put into
// its own Django cache, is invisible to the client although the names match exactly.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "altogic";

const { AGNOST_ENV_URL, AGNOST_CLIENT_KEY, CLIENT_KEY_NAME, HOST_KEY_NAME } = process.env;
assert.ok(CLIENT_KEY_NAME && HOST_KEY_NAME, "CLIENT_KEY_NAME and HOST_KEY_NAME must be set");
const cache = createClient(AGNOST_ENV_URL, AGNOST_CLIENT_KEY).cache;

test("client keys and host keys do not meet", { timeout: 20_000 }, async () => {
  assert.deepEqual(await cache.set(CLIENT_KEY_NAME, { from: "client" }), { errors: null });
  assert.deepEqual(await cache.get(CLIENT_KEY_NAME), { data: { from: "client" }, errors: null });
  assert.deepEqual(await cache.get(HOST_KEY_NAME), { data: null, errors: null });
});
