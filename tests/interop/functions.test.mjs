// EndpointManager, QueueManager and TaskManager of the unmodified altogic@2.3.9 client against
// a running agnost_django server (spec 3.5 and 3.6). Run by test_functions_interop.py through
// server.py, which sets AGNOST_ENV_URL / AGNOST_CLIENT_KEY and preloads localhost-dns.cjs. By hand:
//   AGNOST_ENV_URL=http://realtime.agnost.app.localhost:8000 AGNOST_CLIENT_KEY=... \
//   AGNOST_FUNCTIONS_PART=endpoints NODE_OPTIONS="--require $PWD/localhost-dns.cjs" \
//   node --test functions.test.mjs
//
// The endpoints, queues and tasks are those of tests/jobsapp/agnost_hooks.py. The file has
// three parts, chosen by AGNOST_FUNCTIONS_PART (all three when it is unset):
//   endpoints  client.endpoint.get/post/put/delete against the host's endpoints;
//   fallbacks  paths no endpoint serves: the server must still answer JSON (spec 2.3);
//   jobs       client.queue and client.task; needs a django-q2 worker (`manage.py qcluster`)
//              on the server's settings. AGNOST_JOBS_DIR is a directory the worker can write
//              to (queue handlers append JSON lines to the `log` file named in the message);
//              AGNOST_TASK_LOG is the file the worker's tasks append to (AGNOST_TEST_TASK_LOG
//              in the worker's environment). Without them those trace checks are skipped.
//
// A call whose promise never settles means the server sent a non-JSON error body (spec 2.3):
// the client's response.json() rejects where nobody catches it. node --test reports that
// unhandled rejection (`invalid json response body ...`, type 'invalid-json') as the failure of
// the running test, and `settles` ends the wait after SETTLE_MS instead of a hang.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "altogic";

const ENV_URL = process.env.AGNOST_ENV_URL;
const CLIENT_KEY = process.env.AGNOST_CLIENT_KEY;
assert.ok(ENV_URL && CLIENT_KEY, "AGNOST_ENV_URL and AGNOST_CLIENT_KEY must be set");
const PART = process.env.AGNOST_FUNCTIONS_PART || "";
const JOBS_DIR = process.env.AGNOST_JOBS_DIR || "";
const TASK_LOG = process.env.AGNOST_TASK_LOG || "";

const RUN = randomBytes(4).toString("hex");
const TIMEOUT = { timeout: 20_000 }; // per test: a hung call fails its own test only
const JOB_TIMEOUT = { timeout: 45_000 }; // a worker may still be starting
const SETTLE_MS = 5_000;

function part(name) {
  return !PART || PART.split(",").includes(name);
}

// -- results ----------------------------------------------------------------------------------

/** The call's result, or a failure if its promise does not settle within `ms` (the client
 * waits forever for a non-JSON error body, spec 2.3). */
async function settles(promise, what, ms = SETTLE_MS) {
  let timer;
  const hang = new Promise((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new assert.AssertionError({
        message: `${what}: the client's promise did not settle within ${ms} ms — the server's ` +
          "response is most likely a non-JSON error body (spec 2.3), which the client cannot parse",
      })),
      ms,
    );
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Assert a success and return the result's payload (`data`, or `info` for queue/task). */
function ok(result, what = "call") {
  assert.equal(result.errors, null, `${what} failed: ${JSON.stringify(result.errors)}`);
  return "info" in result ? result.info : result.data;
}

/** Assert an error result (spec 2.3): status, first error code, origin, the entry shape the
 * strict (Dart) client needs, and a null payload. Returns the first entry. */
function fails(result, status, code, what = "call", origin = status >= 500 ? "server_error" : "client_error") {
  const { errors } = result;
  assert.ok(errors, `${what}: expected ${status} ${code}, got success: ${JSON.stringify(result)}`);
  const context = `${what}: ${JSON.stringify(errors)}`;
  assert.equal(errors.status, status, context);
  assert.equal(typeof errors.statusText, "string", context);
  assert.ok(Array.isArray(errors.items) && errors.items.length > 0, context);
  const [item] = errors.items;
  if (Array.isArray(code)) assert.ok(code.includes(item.code), context);
  else assert.equal(item.code, code, context);
  assert.equal(item.origin, origin, context);
  checkEntry(item, context);
  assert.equal("info" in result ? result.info : result.data, null, `${what}: payload of an error result`);
  return item;
}

function checkEntry(entry, context) {
  assert.ok(["client_error", "server_error"].includes(entry.origin), context);
  assert.equal(typeof entry.code, "string", context);
  assert.equal(typeof entry.message, "string", context);
  if ("details" in entry) assert.ok(entry.details !== null && typeof entry.details === "object", context);
}

function isoString(value, what) {
  assert.equal(typeof value, "string", `${what} is not a string: ${JSON.stringify(value)}`);
  assert.ok(!Number.isNaN(Date.parse(value)), `${what} is not an ISO date: ${value}`);
}

const STATUSES = ["pending", "processing", "completed", "errors"];

/** Poll `get` (which returns a client result) until its info's status is one of `until`. */
async function pollStatus(get, until, what, timeoutMs = 40_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    const info = ok(await settles(get(), what), what);
    assert.ok(info, `${what}: null info for a known id`);
    assert.ok(STATUSES.includes(info.status), `${what}: status ${JSON.stringify(info.status)}`);
    last = info;
    if (until.includes(info.status)) return info;
    await sleep(150);
  }
  // Stuck in pending with startedAt null: no worker took it, or (services stack) a qcluster of
  // another server sharing the Redis broker list (cluster name + Redis db) popped and dropped it.
  assert.fail(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms (is the worker running? ` +
    "is another qcluster reading the same Redis broker list?)");
}

function traceLines(path) {
  if (!path || !existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

// -- endpoints --------------------------------------------------------------------------------

if (part("endpoints")) {
  describe("endpoint", () => {
    const client = createClient(ENV_URL, CLIENT_KEY);

    test("get sends the path parameter and the query string, through the middlewares", TIMEOUT, async () => {
      const data = ok(await settles(client.endpoint.get(`/orders/o-${RUN}`, { a: 1, s: "a b", plus: "x+y" }), "get"));
      assert.deepEqual(data, {
        id: `o-${RUN}`, method: "GET", query: { a: ["1"], s: ["a b"], plus: ["x+y"] }, body: {}, header: null,
        stamps: ["stamp", "second"],
      });
    });

    test("post sends the JSON body, the query (arrays, objects, null) and extra headers", TIMEOUT, async () => {
      const body = { a: 1, nested: { list: [1, "two", null], flag: true }, text: "é ✓" };
      const query = { q: [1, 2], s: "a b", n: null, o: { k: 1 } };
      const data = ok(await settles(client.endpoint.post("/orders/42", body, query, { "X-Custom": `c-${RUN}` }),
        "post"));
      assert.deepEqual(data, {
        id: "42", method: "POST", query: { q: ["[1,2]"], s: ["a b"], n: [""], o: ['{"k":1}'] }, body,
        header: `c-${RUN}`, stamps: ["stamp", "second"],
      });
    });

    test("post without a body", TIMEOUT, async () => {
      const data = ok(await settles(client.endpoint.post("/orders/7"), "post"));
      assert.equal(data.method, "POST");
      assert.deepEqual(data.body, {});
      assert.deepEqual(data.query, {});
    });

    test("put sends body, query and headers", TIMEOUT, async () => {
      const data = ok(await settles(client.endpoint.put("/orders/8", { qty: 3 }, { v: "2" }, { "X-Custom": "put" }),
        "put"));
      assert.deepEqual(data, {
        id: "8", method: "PUT", query: { v: ["2"] }, body: { qty: 3 }, header: "put", stamps: ["stamp", "second"],
      });
    });

    test("delete sends body, query and headers", TIMEOUT, async () => {
      const data = ok(await settles(
        client.endpoint.delete("/orders/9", { reason: "dup" }, { hard: true }, { "X-Custom": "del" }), "delete"));
      assert.deepEqual(data, {
        id: "9", method: "DELETE", query: { hard: ["true"] }, body: { reason: "dup" }, header: "del",
        stamps: ["stamp", "second"],
      });
    });

    test("a path given without its leading slash is completed by the client", TIMEOUT, async () => {
      const data = ok(await settles(client.endpoint.get("orders/no-slash"), "get"));
      assert.equal(data.id, "no-slash");
    });

    test("a Django converter in the path gives the handler a typed value", TIMEOUT, async () => {
      assert.deepEqual(ok(await settles(client.endpoint.get("/items/12"), "get")), { number: 12, type: "int" });
    });

    test("a method the endpoint does not serve is 405 method_not_allowed", TIMEOUT, async () => {
      fails(await settles(client.endpoint.put("/items/12", { a: 1 }), "put"), 405, "method_not_allowed", "put /items");
    });

    test("the headers argument overrides the client key: a wrong key is refused", TIMEOUT, async () => {
      fails(await settles(client.endpoint.get("/orders/1", null, { "X-Client-Key": "not-a-key" }), "get"),
        401, "invalid_client_key", "wrong key");
    });

    test("an endpoint with key_required=False serves a client with an unknown key", TIMEOUT, async () => {
      const stranger = createClient(ENV_URL, "not-a-key");
      assert.deepEqual(ok(await settles(stranger.endpoint.get("/items/5"), "get")), { number: 5, type: "int" });
      fails(await settles(stranger.endpoint.get("/orders/5"), "get"), 401, "invalid_client_key", "keyed endpoint");
    });

    test("a session-only endpoint: missing, invalid, then a signed-in user", TIMEOUT, async () => {
      const anonymous = createClient(ENV_URL, CLIENT_KEY);
      fails(await settles(anonymous.endpoint.get("/me"), "get /me"), 401, "missing_session_token", "no session");

      const user = createClient(ENV_URL, CLIENT_KEY);
      const email = `fn-${RUN}-${randomBytes(3).toString("hex")}@example.com`;
      const signUp = await settles(user.auth.signUpWithEmail(email, "s3cret-Passw0rd!", "Fn User"), "sign up", 15_000);
      assert.equal(signUp.errors, null, JSON.stringify(signUp.errors));
      assert.ok(signUp.session?.token, `no session: ${JSON.stringify(signUp)}`);
      assert.deepEqual(ok(await settles(user.endpoint.get("/me"), "get /me"), "get /me"), { user: signUp.user._id });

      // An invalid Session header (given per call) is 401 invalid_session_token, and the client
      // drops its own session (spec 2.4).
      fails(await settles(user.endpoint.get("/me", null, { Session: "not-a-session" }), "get /me"),
        401, "invalid_session_token", "invalid session");
      assert.equal(user.auth.getSession(), null, "the client kept its session after invalid_session_token");
      fails(await settles(user.endpoint.get("/me"), "get /me"), 401, "missing_session_token", "after invalidation");
    });

    test("a handler that raises is 500 endpoint_execution_error, without its internals", TIMEOUT, async () => {
      const item = fails(await settles(client.endpoint.post("/crash", { a: 1 }), "post /crash"),
        500, "endpoint_execution_error", "crash");
      const shown = JSON.stringify(item);
      assert.ok(!shown.includes("secret internals"), `the exception text leaked: ${shown}`);
    });

    test("a handler past its timeout is 504 request_timed_out", TIMEOUT, async () => {
      fails(await settles(client.endpoint.get("/slow-async"), "get /slow-async"), 504, "request_timed_out", "slow");
    });

    test("an attachment, read as text, blob and arraybuffer", TIMEOUT, async () => {
      const text = ok(await settles(client.endpoint.get("/download/report.txt", null, null, "text"), "text"));
      assert.equal(text, "plain report");

      const blob = ok(await settles(client.endpoint.get("/download/report.txt", null, null, "blob"), "blob"));
      assert.equal(blob.size, 12);
      assert.match(blob.type, /^text\/plain/);
      assert.equal(Buffer.from(await blob.arrayBuffer()).toString("utf8"), "plain report");

      const buffer = ok(await settles(client.endpoint.get("/download/report.txt", null, null, "arraybuffer"),
        "arraybuffer"));
      assert.equal(Buffer.from(buffer).toString("utf8"), "plain report");

      // The default resolveType (json) cannot parse it: the client answers null, null (spec 2.1).
      const asJson = await settles(client.endpoint.get("/download/report.txt"), "json");
      assert.deepEqual(asJson, { data: null, errors: null });
    });

    test("a middleware that refuses answers with its own error; the right header lets it through", TIMEOUT,
      async () => {
        fails(await settles(client.endpoint.get("/gated"), "get /gated"), 403, "gate_closed", "closed gate");
        assert.deepEqual(ok(await settles(client.endpoint.get("/gated", null, { "X-Open": "sesame" }), "gated")),
          { through: true });
      });

    test("a rate-limited endpoint answers 429 rate_limit_exceeded past its limit (3/min)", TIMEOUT, async () => {
      // Fixed one-minute windows: 7 calls span at most two windows, so one window gets 4+.
      const results = [];
      for (let index = 0; index < 7; index += 1) {
        results.push(await settles(client.endpoint.get("/limited"), "get /limited"));
      }
      for (const result of results.slice(0, 3)) assert.deepEqual(ok(result, "within the limit"), { ok: true });
      const refused = results.filter((result) => result.errors);
      assert.ok(refused.length >= 1, `no call was refused: ${JSON.stringify(results)}`);
      for (const result of refused) fails(result, 429, "rate_limit_exceeded", "over the limit");
    });
  });
}

// -- paths that no endpoint serves ------------------------------------------------------------

if (part("fallbacks")) {
  describe("endpoint fallbacks", () => {
    const client = createClient(ENV_URL, CLIENT_KEY);
    // Spec 2.3 and 3.5: every error the client can reach must be JSON, or its promise hangs.
    // The code is not fixed by the spec; endpoint_not_found and resource_not_found both fit.
    const NOT_FOUND = ["endpoint_not_found", "resource_not_found"];

    test("GET of a path no endpoint has is a JSON 404", TIMEOUT, async () => {
      fails(await settles(client.endpoint.get("/no-such-endpoint"), "GET /no-such-endpoint"), 404, NOT_FOUND,
        "unknown path");
    });

    test("POST with a body to a path no endpoint has is a JSON 404", TIMEOUT, async () => {
      fails(await settles(client.endpoint.post(`/no-such-endpoint/${RUN}`, { a: 1 }), "POST /no-such-endpoint"),
        404, NOT_FOUND, "unknown path");
    });

    test("a value its converter refuses (/items/<int:number> with a word) is a JSON 404", TIMEOUT, async () => {
      fails(await settles(client.endpoint.get("/items/not-a-number"), "GET /items/not-a-number"), 404, NOT_FOUND,
        "converter mismatch");
    });
  });
}

// -- queues -----------------------------------------------------------------------------------

function checkMessageInfo(info, queue, what) {
  assert.ok(info && typeof info === "object", `${what}: ${JSON.stringify(info)}`);
  for (const key of ["messageId", "queueId", "queueName", "submittedAt"]) {
    assert.equal(typeof info[key], "string", `${what}: ${key} in ${JSON.stringify(info)}`);
  }
  assert.equal(info.queueName, queue, what);
  isoString(info.submittedAt, `${what}: submittedAt`);
  assert.ok(STATUSES.includes(info.status), `${what}: status in ${JSON.stringify(info)}`);
  for (const key of ["startedAt", "completedAt", "errors"]) assert.ok(key in info, `${what}: no ${key}`);
}

function checkTaskInfo(info, task, what) {
  assert.ok(info && typeof info === "object", `${what}: ${JSON.stringify(info)}`);
  for (const key of ["taskId", "scheduledTaskId", "scheduledTaskName", "triggeredAt"]) {
    assert.equal(typeof info[key], "string", `${what}: ${key} in ${JSON.stringify(info)}`);
  }
  assert.equal(info.scheduledTaskName, task, what);
  isoString(info.triggeredAt, `${what}: triggeredAt`);
  assert.ok(STATUSES.includes(info.status), `${what}: status in ${JSON.stringify(info)}`);
  for (const key of ["startedAt", "completedAt", "errors"]) assert.ok(key in info, `${what}: no ${key}`);
}

if (part("jobs")) {
  describe("queue", () => {
    const { queue } = createClient(ENV_URL, CLIENT_KEY);

    test("submitMessage then getMessageStatus until completed; the handler got the message", JOB_TIMEOUT,
      async () => {
        const log = JOBS_DIR ? join(JOBS_DIR, `echo-${RUN}.jsonl`) : "";
        const id = `echo-${RUN}`;
        const submitted = await settles(queue.submitMessage("echo", { log, id }), "submitMessage");
        assert.ok(!("data" in submitted), "the client renames data to info");
        const info = ok(submitted, "submitMessage");
        checkMessageInfo(info, "echo", "submitMessage");
        assert.ok(["pending", "processing", "completed"].includes(info.status), JSON.stringify(info));
        assert.equal(info.errors, null);

        const done = await pollStatus(() => queue.getMessageStatus(info.messageId), ["completed", "errors"],
          "getMessageStatus");
        checkMessageInfo(done, "echo", "getMessageStatus");
        assert.equal(done.status, "completed", JSON.stringify(done));
        assert.equal(done.messageId, info.messageId);
        assert.equal(done.submittedAt, info.submittedAt);
        isoString(done.startedAt, "startedAt");
        isoString(done.completedAt, "completedAt");
        assert.ok(Date.parse(done.startedAt) <= Date.parse(done.completedAt), JSON.stringify(done));
        assert.equal(done.errors, null, JSON.stringify(done));
        if (log) assert.deepEqual(traceLines(log).map((line) => [line.event, line.id]), [["done", id]]);
      });

    test("a delayed message waits (pending, not started) and then completes", JOB_TIMEOUT, async () => {
      const info = ok(await settles(queue.submitMessage("echo", { id: `delay-${RUN}` }, 1), "submitMessage"));
      checkMessageInfo(info, "echo", "submitMessage with delay");
      assert.equal(info.status, "pending");
      assert.equal(info.startedAt, null);
      assert.equal(info.completedAt, null);
      const done = await pollStatus(() => queue.getMessageStatus(info.messageId), ["completed", "errors"],
        "getMessageStatus");
      assert.equal(done.status, "completed", JSON.stringify(done));
      assert.ok(Date.parse(done.startedAt) - Date.parse(done.submittedAt) >= 900, JSON.stringify(done));
    });

    test("a failing handler ends in errors after its 2 retries (3 error entries)", JOB_TIMEOUT, async () => {
      const log = JOBS_DIR ? join(JOBS_DIR, `failing-${RUN}.jsonl`) : "";
      const info = ok(await settles(queue.submitMessage("failing", { log, id: `fail-${RUN}` }), "submitMessage"));
      checkMessageInfo(info, "failing", "submitMessage");
      const done = await pollStatus(() => queue.getMessageStatus(info.messageId), ["completed", "errors"],
        "getMessageStatus");
      assert.equal(done.status, "errors", JSON.stringify(done));
      isoString(done.completedAt, "completedAt");
      assert.ok(Array.isArray(done.errors), JSON.stringify(done));
      assert.equal(done.errors.length, 3, JSON.stringify(done.errors));
      for (const entry of done.errors) {
        checkEntry(entry, JSON.stringify(entry));
        assert.equal(entry.code, "queue_execution_error", JSON.stringify(entry));
        assert.equal(entry.origin, "server_error", JSON.stringify(entry));
      }
      if (log) assert.deepEqual(traceLines(log).map((line) => line.event), ["attempt", "attempt", "attempt"]);
    });

    test("an unknown queue is 404 queue_not_found", TIMEOUT, async () => {
      fails(await settles(queue.submitMessage(`no-such-queue-${RUN}`, { a: 1 }), "submitMessage"),
        404, "queue_not_found", "unknown queue");
    });

    test("a queue not open to clients is 403 not_allowed", TIMEOUT, async () => {
      fails(await settles(queue.submitMessage("server-only", { a: 1 }), "submitMessage"), 403, "not_allowed",
        "server-only queue");
    });

    test("a negative delay is 400 invalid_delay", TIMEOUT, async () => {
      fails(await settles(queue.submitMessage("echo", { a: 1 }, -5), "submitMessage"), 400, "invalid_delay",
        "negative delay");
    });

    test("a malformed message id is 400 invalid_message_id", TIMEOUT, async () => {
      fails(await settles(queue.getMessageStatus("not-a-message-id"), "getMessageStatus"), 400, "invalid_message_id",
        "malformed id");
    });

    test("a well-formed unknown message id is info null, errors null", TIMEOUT, async () => {
      const result = await settles(queue.getMessageStatus(randomUUID()), "getMessageStatus");
      assert.deepEqual(result, { info: null, errors: null });
    });
  });

  describe("task", () => {
    const { task } = createClient(ENV_URL, CLIENT_KEY);

    test("runOnce then getTaskStatus until completed; the task ran", JOB_TIMEOUT, async () => {
      const before = traceLines(TASK_LOG).filter((line) => line.event === "report").length;
      const started = await settles(task.runOnce("report"), "runOnce");
      assert.ok(!("data" in started), "the client renames data to info");
      const info = ok(started, "runOnce");
      checkTaskInfo(info, "report", "runOnce");
      assert.ok(["pending", "processing", "completed"].includes(info.status), JSON.stringify(info));
      assert.equal(info.errors, null);

      const done = await pollStatus(() => task.getTaskStatus(info.taskId), ["completed", "errors"], "getTaskStatus");
      checkTaskInfo(done, "report", "getTaskStatus");
      assert.equal(done.status, "completed", JSON.stringify(done));
      assert.equal(done.taskId, info.taskId);
      assert.equal(done.triggeredAt, info.triggeredAt);
      isoString(done.startedAt, "startedAt");
      isoString(done.completedAt, "completedAt");
      assert.equal(done.errors, null, JSON.stringify(done));
      if (TASK_LOG) {
        const after = traceLines(TASK_LOG).filter((line) => line.event === "report").length;
        assert.equal(after, before + 1, "the report task did not run exactly once");
      }
    });

    test("a task that raises ends in errors with task_execution_error", JOB_TIMEOUT, async () => {
      const info = ok(await settles(task.runOnce("broken"), "runOnce"));
      checkTaskInfo(info, "broken", "runOnce");
      const done = await pollStatus(() => task.getTaskStatus(info.taskId), ["completed", "errors"], "getTaskStatus");
      assert.equal(done.status, "errors", JSON.stringify(done));
      isoString(done.completedAt, "completedAt");
      assert.ok(Array.isArray(done.errors) && done.errors.length === 1, JSON.stringify(done));
      checkEntry(done.errors[0], JSON.stringify(done.errors));
      assert.equal(done.errors[0].code, "task_execution_error", JSON.stringify(done.errors));
    });

    test("an unknown task is 404 task_not_found", TIMEOUT, async () => {
      fails(await settles(task.runOnce(`no-such-task-${RUN}`), "runOnce"), 404, "task_not_found", "unknown task");
    });

    test("a task not open to clients is 403 not_allowed", TIMEOUT, async () => {
      fails(await settles(task.runOnce("internal"), "runOnce"), 403, "not_allowed", "internal task");
    });

    test("a malformed task id is 400 invalid_task_id", TIMEOUT, async () => {
      fails(await settles(task.getTaskStatus("not-a-task-id"), "getTaskStatus"), 400, "invalid_task_id",
        "malformed id");
    });

    test("a well-formed unknown task id is info null, errors null", TIMEOUT, async () => {
      const result = await settles(task.getTaskStatus(randomUUID()), "getTaskStatus");
      assert.deepEqual(result, { info: null, errors: null });
    });
  });
}
