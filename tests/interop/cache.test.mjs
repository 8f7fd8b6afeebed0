// Every CacheManager method of the unmodified altogic@2.3.9 client against a running
// agnost_django server (spec 3.7). Run by test_cache_interop.py through server.py, which sets
// AGNOST_ENV_URL / AGNOST_CLIENT_KEY and preloads localhost-dns.cjs. By hand:
//   AGNOST_ENV_URL=http://realtime.agnost.app.localhost:8000 AGNOST_CLIENT_KEY=... \
//   NODE_OPTIONS="--require $PWD/localhost-dns.cjs" node --test cache.test.mjs
//
// Keys carry a random per-run prefix, so reruns against the same server never interfere.
// A call whose promise never settles (test timeout) means the server sent a non-JSON error
// body (spec 2.3): that is a server bug, not a flaky test.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "altogic";

const ENV_URL = process.env.AGNOST_ENV_URL;
const CLIENT_KEY = process.env.AGNOST_CLIENT_KEY;
assert.ok(ENV_URL && CLIENT_KEY, "AGNOST_ENV_URL and AGNOST_CLIENT_KEY must be set");

const cache = createClient(ENV_URL, CLIENT_KEY).cache;
const RUN = randomBytes(4).toString("hex");
const TIMEOUT = { timeout: 20_000 }; // per test: a hung call fails its own test only

/** A fresh key prefix for one test. */
function prefix(name) {
  return `it-${RUN}-${name}:`;
}

/** Assert a successful call; show the server's errors if there are any. */
function ok(result, what = "call") {
  assert.equal(result.errors, null, `${what} failed: ${JSON.stringify(result.errors)}`);
  return result;
}

/** Assert an error result with the given status and first error code (spec 2.3). */
function fails(result, status, code) {
  const { errors } = result;
  assert.ok(errors, `expected ${status} ${code}, got success: ${JSON.stringify(result)}`);
  const context = JSON.stringify(errors);
  assert.equal(errors.status, status, context);
  assert.ok(Array.isArray(errors.items) && errors.items.length > 0, context);
  const [item] = errors.items;
  assert.equal(item.code, code, context);
  // Strict clients (Dart) need all three strings and an object `details` if present.
  assert.equal(item.origin, "client_error", context);
  assert.equal(typeof item.message, "string", context);
  if ("details" in item) assert.equal(typeof item.details, "object", context);
  if ("data" in result) assert.equal(result.data, null);
  return item;
}

async function get(key) {
  return ok(await cache.get(key), `get(${key})`).data;
}

async function set(key, value, ttl) {
  ok(await cache.set(key, value, ttl), `set(${key})`);
}

/** Every {key, value} matching `pattern`, following `next`; also the number of pages. */
async function listAll(pattern) {
  const entries = new Map();
  let next;
  let pages = 0;
  do {
    const result = ok(await cache.listKeys(pattern, next), `listKeys(${pattern})`);
    assert.ok(Array.isArray(result.data), JSON.stringify(result));
    assert.ok(result.next === null || typeof result.next === "string", JSON.stringify(result.next));
    for (const entry of result.data) {
      assert.deepEqual(Object.keys(entry).sort(), ["key", "value"]);
      entries.set(entry.key, entry.value); // a Redis SCAN may return a key twice
    }
    next = result.next ?? undefined;
    pages += 1;
    assert.ok(pages < 1000, "listKeys never returned next: null");
  } while (next !== undefined);
  return { entries, pages };
}

describe("get and set", () => {
  test("an object round-trips as is", TIMEOUT, async () => {
    const key = `${prefix("object")}k`;
    const value = { name: "Ada", tags: ["a", "b"], nested: { n: 1.5, ok: true, none: null } };
    await set(key, value);
    assert.deepEqual(await get(key), value);
    await set(key, { replaced: 1 }); // set overwrites
    assert.deepEqual(await get(key), { replaced: 1 });
  });

  test("an array round-trips as is", TIMEOUT, async () => {
    const key = `${prefix("array")}k`;
    const value = [1, "two", { three: 3 }, [4], null, false];
    await set(key, value);
    assert.deepEqual(await get(key), value);
  });

  test("primitives come back as {value}", TIMEOUT, async () => {
    const p = prefix("primitive");
    // 0, false and "" are falsy: the client still sends them (only ttl is dropped when falsy).
    const values = ["hello", "", 42, 0, -7, 3.25, true, false];
    for (const [i, value] of values.entries()) {
      await set(`${p}${i}`, value);
      assert.deepEqual(await get(`${p}${i}`), { value }, `value ${JSON.stringify(value)}`);
    }
  });

  test("a missing key gives data null and errors null", TIMEOUT, async () => {
    const result = await cache.get(`${prefix("missing")}nothing-here`);
    assert.deepEqual(result, { data: null, errors: null });
  });

  // The client splices the key into the URL unencoded (spec 1.5): `+` must stay a plus, and
  // other characters a URL tolerates in a query value must survive too.
  for (const [name, suffix] of [
    ["plus", "a+b"],
    ["plus and colon", "+1:+2"],
    ["equals sign", "a=b"],
    ["slash and question mark", "a/b?c"],
    ["at sign and brackets", "u@x[0]"],
    ["non-ASCII", "héllo-✓"],
    ["spaces", "a b  c"],
    ["ampersand", "a&b=c"],
    ["percent sign", "100% sure"],
    ["quotes and angle brackets", `"<x>'`],
  ]) {
    test(`a key with ${name} (${suffix}) round-trips`, TIMEOUT, async () => {
      const key = `${prefix("chars")}${suffix}`;
      await set(key, { suffix });
      assert.deepEqual(await get(key), { suffix });
      const { entries } = await listAll(key.replace(/[?*[\]\\]/g, "\\$&"));
      assert.deepEqual([...entries.keys()], [key]);
      ok(await cache.delete(key), "delete");
      assert.equal(await get(key), null);
    });
  }

  test("a key at the server's length limit is accepted, one more is not", TIMEOUT, async () => {
    // The limit is the server's choice (at most 250, Altogic's documented maximum); it is
    // read from the error details so that a host setting does not break this test.
    const p = prefix("key-limit");
    const tooLong = fails(await cache.set(p + "k".repeat(251 - p.length), 1), 400, "cache_key_size_exceeded");
    const limit = tooLong.details?.limit;
    assert.ok(Number.isInteger(limit) && limit > p.length && limit <= 250, JSON.stringify(tooLong));
    const key = p + "k".repeat(limit - p.length);
    await set(key, 1);
    assert.deepEqual(await get(key), { value: 1 });
    fails(await cache.set(`${key}k`, 1), 400, "cache_key_size_exceeded");
  });
});

describe("delete", () => {
  test("several keys, one of them missing", TIMEOUT, async () => {
    const p = prefix("delete");
    await set(`${p}a`, 1);
    await set(`${p}b`, { b: 2 });
    await set(`${p}keep`, 3);
    const result = await cache.delete([`${p}a`, `${p}b`, `${p}never-set`]);
    assert.deepEqual(result, { errors: null });
    assert.equal(await get(`${p}a`), null);
    assert.equal(await get(`${p}b`), null);
    assert.deepEqual(await get(`${p}keep`), { value: 3 });
  });

  test("a single key given as a string", TIMEOUT, async () => {
    const key = `${prefix("delete-one")}k`;
    await set(key, "x");
    ok(await cache.delete(key), "delete");
    assert.equal(await get(key), null);
  });
});

describe("increment and decrement", () => {
  test("a missing key starts at 0; results are {value: n}", TIMEOUT, async () => {
    const p = prefix("counter");
    assert.deepEqual(ok(await cache.increment(`${p}up`)).data, { value: 1 });
    assert.deepEqual(ok(await cache.increment(`${p}up`, 5)).data, { value: 6 });
    assert.deepEqual(ok(await cache.decrement(`${p}up`)).data, { value: 5 });
    assert.deepEqual(ok(await cache.decrement(`${p}up`, 10)).data, { value: -5 });
    assert.deepEqual(await get(`${p}up`), { value: -5 }); // stored as a plain integer
    assert.deepEqual(ok(await cache.decrement(`${p}down`)).data, { value: -1 });
  });

  test("increments a value stored by set", TIMEOUT, async () => {
    const key = `${prefix("counter-set")}k`;
    await set(key, 41);
    assert.deepEqual(ok(await cache.increment(key)).data, { value: 42 });
  });

  test("50 concurrent increments end at exactly 50", TIMEOUT, async () => {
    const key = `${prefix("concurrent")}k`;
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.increment(key)));
    results.forEach((result) => ok(result, "increment"));
    // Atomic increments hand out every value from 1 to 50 exactly once.
    const seen = results.map((result) => result.data.value).sort((a, b) => a - b);
    assert.deepEqual(seen, Array.from({ length: 50 }, (_, i) => i + 1));
    assert.deepEqual(await get(key), { value: 50 });
  });
});

// The expiring keys share one wait: these tests run concurrently.
describe("expiry", { concurrency: true }, () => {
  const p = prefix("expiry");
  const WAIT = 2200; // ttl 1 s plus margin

  test("set with ttl: the key expires", TIMEOUT, async () => {
    await set(`${p}ttl`, { v: 1 }, 1);
    assert.deepEqual(await get(`${p}ttl`), { v: 1 });
    await sleep(WAIT);
    assert.equal(await get(`${p}ttl`), null);
  });

  test("set without ttl drops a previous expiry", TIMEOUT, async () => {
    await set(`${p}persist`, "first", 1);
    await set(`${p}persist`, "second");
    await sleep(WAIT);
    assert.deepEqual(await get(`${p}persist`), { value: "second" });
  });

  test("increment with ttl: the counter expires", TIMEOUT, async () => {
    assert.deepEqual(ok(await cache.increment(`${p}incr`, 3, 1)).data, { value: 3 });
    assert.deepEqual(ok(await cache.decrement(`${p}decr`, 3, 1)).data, { value: -3 });
    await sleep(WAIT);
    assert.equal(await get(`${p}incr`), null);
    assert.equal(await get(`${p}decr`), null);
  });

  test("expire makes an existing key expire; a missing key stays missing", TIMEOUT, async () => {
    await set(`${p}expire`, [1, 2]);
    assert.deepEqual(await cache.expire(`${p}expire`, 1), { errors: null });
    ok(await cache.expire(`${p}expire-missing`, 1), "expire of a missing key");
    assert.deepEqual(await get(`${p}expire`), [1, 2]);
    await sleep(WAIT);
    assert.equal(await get(`${p}expire`), null);
    assert.equal(await get(`${p}expire-missing`), null);
  });
});

describe("getStats", () => {
  test("numeric totalKeys and totalSize that grow with new keys", TIMEOUT, async () => {
    const before = ok(await cache.getStats(), "getStats").data;
    assert.equal(typeof before, "object");
    assert.equal(typeof before.totalKeys, "number");
    assert.equal(typeof before.totalSize, "number");
    const p = prefix("stats");
    for (const i of [1, 2, 3]) await set(`${p}${i}`, { payload: "x".repeat(100) });
    const after = ok(await cache.getStats(), "getStats").data;
    assert.ok(after.totalKeys >= before.totalKeys + 3, JSON.stringify({ before, after }));
    assert.ok(after.totalSize > before.totalSize, JSON.stringify({ before, after }));
  });
});

describe("listKeys", () => {
  const p = prefix("list");
  const keys = {
    "user:1": { id: 1 },
    "user:2": { id: 2 },
    "user:abc": "str",
    hello: 1,
    hallo: 2,
    hbllo: 3,
    hxllo: 4,
    hllo: 5,
    heello: 6,
    "other:1": [1],
  };
  const seed = Promise.all(Object.entries(keys).map(([k, v]) => set(p + k, v)));

  for (const [pattern, expected] of [
    ["user:*", ["user:1", "user:2", "user:abc"]],
    ["h?llo", ["hallo", "hbllo", "hello", "hxllo"]],
    ["h*llo", ["hallo", "hbllo", "heello", "hello", "hllo", "hxllo"]],
    ["h[ae]llo", ["hallo", "hello"]],
    ["h[^e]llo", ["hallo", "hbllo", "hxllo"]],
    ["h[a-b]llo", ["hallo", "hbllo"]],
    ["*", Object.keys(keys).sort()],
  ]) {
    test(`pattern ${pattern}`, TIMEOUT, async () => {
      await seed;
      const { entries } = await listAll(p + pattern);
      assert.deepEqual([...entries.keys()].sort(), expected.map((k) => p + k));
      // Primitives are listed as stored, not wrapped as in get (spec 3.7: {key, value}).
      for (const k of expected) assert.deepEqual(entries.get(p + k), keys[k], k);
    });
  }

  test("a pattern matching nothing gives data [] and next null", TIMEOUT, async () => {
    const result = ok(await cache.listKeys(`${prefix("list-empty")}*`));
    assert.deepEqual(result, { data: [], next: null, errors: null });
  });

  test("without arguments it lists the namespace (body {})", TIMEOUT, async () => {
    await seed;
    const result = ok(await cache.listKeys());
    assert.ok(Array.isArray(result.data));
    assert.ok(result.next === null || typeof result.next === "string");
  });

  test("paging through more than one page visits every key", TIMEOUT, async () => {
    const pp = prefix("paging");
    const count = 230; // the default page size is 100
    const expected = new Map(Array.from({ length: count }, (_, i) => [`${pp}${String(i).padStart(3, "0")}`, { i }]));
    const entries = [...expected];
    for (let i = 0; i < entries.length; i += 50) {
      await Promise.all(entries.slice(i, i + 50).map(([k, v]) => set(k, v)));
    }
    const first = ok(await cache.listKeys(`${pp}*`));
    assert.equal(typeof first.next, "string", "more than 100 keys must give a next cursor");
    assert.ok(first.data.length > 0 && first.data.length < count, `first page: ${first.data.length}`);
    const { entries: listed, pages } = await listAll(`${pp}*`);
    assert.ok(pages > 1, `pages: ${pages}`);
    assert.deepEqual(new Map([...listed].sort()), expected);
  });
});

describe("errors", () => {
  test("a wrong client key gives 401 invalid_client_key on every method", TIMEOUT, async () => {
    const key = `${prefix("wrong-key")}k`;
    await set(key, 7);
    const bad = createClient(ENV_URL, `wrong-${RUN}`).cache;
    fails(await bad.get(key), 401, "invalid_client_key");
    fails(await bad.set(key, 8), 401, "invalid_client_key");
    fails(await bad.delete([key]), 401, "invalid_client_key");
    fails(await bad.increment(key), 401, "invalid_client_key");
    fails(await bad.decrement(key), 401, "invalid_client_key");
    fails(await bad.expire(key, 1), 401, "invalid_client_key");
    fails(await bad.getStats(), 401, "invalid_client_key");
    const listed = await bad.listKeys(`${prefix("wrong-key")}*`);
    fails(listed, 401, "invalid_client_key");
    assert.equal(listed.next, null);
    await sleep(1200); // long enough for the refused expire to have taken effect
    assert.deepEqual(await get(key), { value: 7 });
  });

  test("a key longer than 250 characters: 400 cache_key_size_exceeded", TIMEOUT, async () => {
    const p = prefix("long-key");
    const key = p + "k".repeat(251 - p.length);
    fails(await cache.set(key, 1), 400, "cache_key_size_exceeded");
    fails(await cache.get(key), 400, "cache_key_size_exceeded");
    fails(await cache.increment(key), 400, "cache_key_size_exceeded");
    assert.equal((await listAll(`${p}*`)).entries.size, 0);
  });

  test("a key the client could not read back: 400 invalid_cache_key, nothing stored", TIMEOUT, async () => {
    const p = prefix("unreadable");
    for (const bad of [`${p}a#b`, `${p}trailing `, `${p}escape%41`, `${p}tab\tkey`]) {
      fails(await cache.set(bad, 1), 400, "invalid_cache_key");
      fails(await cache.increment(bad), 400, "invalid_cache_key");
    }
    assert.equal((await listAll(`${p}*`)).entries.size, 0);
  });

  test("a value over 1 MiB of JSON: 413 cache_value_size_exceeded", TIMEOUT, async () => {
    const key = `${prefix("big-value")}k`;
    await set(key, "original");
    fails(await cache.set(key, "x".repeat(1_200_000)), 413, "cache_value_size_exceeded");
    assert.deepEqual(await get(key), { value: "original" });
  });

  test("a request body of ~3 MB: 413 request_body_size_too_large", TIMEOUT, async () => {
    const key = `${prefix("huge-body")}k`;
    await set(key, "original");
    fails(await cache.set(key, "x".repeat(3_000_000)), 413, "request_body_size_too_large");
    assert.deepEqual(await get(key), { value: "original" });
  });

  test("increment of a non-integer value: 400 cache_value_not_integer", TIMEOUT, async () => {
    const p = prefix("not-integer");
    await set(`${p}string`, "abc");
    fails(await cache.increment(`${p}string`), 400, "cache_value_not_integer");
    fails(await cache.decrement(`${p}string`), 400, "cache_value_not_integer");
    assert.deepEqual(await get(`${p}string`), { value: "abc" });
    await set(`${p}float`, 1.5);
    fails(await cache.increment(`${p}float`), 400, "cache_value_not_integer");
    assert.deepEqual(await get(`${p}float`), { value: 1.5 });
    await set(`${p}object`, { n: 1 });
    fails(await cache.increment(`${p}object`), 400, "cache_value_not_integer");
    assert.deepEqual(await get(`${p}object`), { n: 1 });
  });

  test("set with a negative ttl: 400 validation_error on field ttl", TIMEOUT, async () => {
    const key = `${prefix("bad-ttl")}k`;
    await set(key, "original");
    const item = fails(await cache.set(key, "changed", -5), 400, "validation_error");
    assert.equal(item.details?.field, "ttl", JSON.stringify(item));
    fails(await cache.expire(key, -5), 400, "validation_error");
    await sleep(1200); // a ttl taken as "expire now" or as 1 s would show by now
    assert.deepEqual(await get(key), { value: "original" });
  });
});
