// The RealtimeManager of the unmodified altogic@2.3.9 client against a running agnost_django
// server (spec 1.8, 3.8 and 5): real clients connecting to /socket.io/ (Engine.IO 4 /
// Socket.IO 5 over websocket), joining, leaving, sending, broadcasting, updating profiles and
// reading members over REST. Run by test_realtime_interop.py through server.py, which sets
// AGNOST_ENV_URL / AGNOST_CLIENT_KEY, preloads localhost-dns.cjs and chooses a suite with
// AGNOST_REALTIME_SUITE:
//
//   main       two clients exchange everything (AGNOST_PEER_ENV_URL: where the second client
//              connects; on the services stack a second uvicorn process sharing the database
//              and Redis, on the embedded stack the same server); a staff user made with
//              manage.py comes as AGNOST_STAFF_EMAIL / AGNOST_STAFF_PASSWORD;
//   crash      a member on another process (AGNOST_VICTIM_ENV_URL, pid AGNOST_VICTIM_PID)
//              whose process this file kills with SIGKILL disappears from getMembers within
//              the presence TTL (AGNOST_REALTIME_PRESENCE_TTL, seconds);
//   isolation  a process on the same Redis but another CACHE_KEY_PREFIX (AGNOST_FOREIGN_ENV_URL)
//              is another app: it sees none of this app's messages or members.
//
// By hand (main suite, one server):
//   AGNOST_REALTIME_SUITE=main AGNOST_ENV_URL=http://realtime.agnost.app.localhost:8000 \
//   AGNOST_PEER_ENV_URL=$AGNOST_ENV_URL AGNOST_CLIENT_KEY=... AGNOST_STAFF_EMAIL=... \
//   AGNOST_STAFF_PASSWORD=... NODE_OPTIONS="--require $PWD/localhost-dns.cjs" \
//   node --test realtime.test.mjs
//
// How absence is proven: the server handles one connection's frames in order and a channel
// layer keeps the order of one sender's messages to one receiver, so `flush(from, to)` (from
// sends a unique event to to's own channel and waits until to has it) guarantees that
// everything `from` caused before has reached `to`. "X did not arrive" is asserted after a
// flush from X's origin to the receiver. Every channel and event name carries a random tag of
// this run, so reruns against the same server (and other apps on the same Redis) never meet.
//
// Clients whose socket cannot be closed through the altogic API (disconnected, retrying a dead
// server) would keep Node alive: the socket.io-client the altogic client requires is the module
// required here, whose Manager.prototype.socket is wrapped to remember every socket, and all
// of them are disconnected after the tests. Nothing else of the client is touched.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "altogic";

const require = createRequire(import.meta.url);
const socketIo = require("socket.io-client"); // the same CommonJS module altogic requires

const {
  AGNOST_ENV_URL: ENV_URL,
  AGNOST_CLIENT_KEY: CLIENT_KEY,
  AGNOST_REALTIME_SUITE: SUITE = "main",
  AGNOST_PEER_ENV_URL: PEER_ENV_URL,
  AGNOST_STAFF_EMAIL: STAFF_EMAIL,
  AGNOST_STAFF_PASSWORD: STAFF_PASSWORD,
  AGNOST_VICTIM_ENV_URL: VICTIM_ENV_URL,
  AGNOST_VICTIM_PID: VICTIM_PID,
  AGNOST_FOREIGN_ENV_URL: FOREIGN_ENV_URL,
} = process.env;
const PRESENCE_TTL = Number(process.env.AGNOST_REALTIME_PRESENCE_TTL || "0");
const HEARTBEAT = Number(process.env.AGNOST_REALTIME_HEARTBEAT_INTERVAL || "0");
assert.ok(ENV_URL && CLIENT_KEY, "AGNOST_ENV_URL and AGNOST_CLIENT_KEY must be set");
assert.ok(["main", "crash", "isolation"].includes(SUITE), `unknown AGNOST_REALTIME_SUITE ${SUITE}`);
if (SUITE === "main") {
  assert.ok(PEER_ENV_URL, "AGNOST_PEER_ENV_URL must be set");
  assert.ok(STAFF_EMAIL && STAFF_PASSWORD, "AGNOST_STAFF_EMAIL and AGNOST_STAFF_PASSWORD must be set");
}
if (SUITE === "crash") {
  assert.ok(VICTIM_ENV_URL && Number(VICTIM_PID) > 0, "AGNOST_VICTIM_ENV_URL and AGNOST_VICTIM_PID must be set");
  assert.ok(PRESENCE_TTL > 0 && HEARTBEAT > 0, "AGNOST_REALTIME_PRESENCE_TTL and ..._HEARTBEAT_INTERVAL must be set");
}
if (SUITE === "isolation") assert.ok(FOREIGN_ENV_URL, "AGNOST_FOREIGN_ENV_URL must be set");

const TAG = randomBytes(5).toString("hex");
const TIMEOUT = { timeout: 30_000 }; // per test: a hung wait fails its own test only
const WAIT = 5_000; // longest wait for one expected event

// -- sockets ----------------------------------------------------------------------------------

const sockets = [];
const originalSocket = socketIo.Manager.prototype.socket;
socketIo.Manager.prototype.socket = function socket(...args) {
  const created = originalSocket.apply(this, args);
  sockets.push(created);
  return created;
};
after(() => {
  for (const socket of sockets) socket.disconnect();
});

/** Let socket.io-client finish writing: a volatile emit (bufferMessages: false) right after
 * another in the same tick is dropped by the client itself. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

// -- names ------------------------------------------------------------------------------------

let serial = 0;
/** A channel or event name unique to this run. */
const unique = (what) => `${what}-${TAG}-${++serial}`;

// -- received events --------------------------------------------------------------------------

/** Every event a client's socket received (onAny), with waits on them. */
class Inbox {
  constructor(name, realtime) {
    this.name = name;
    this.events = [];
    this.waiters = new Set();
    realtime.onAny((event, ...args) => {
      const entry = { event, args };
      this.events.push(entry);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(entry)) {
          this.waiters.delete(waiter);
          waiter.resolve(entry);
        }
      }
    });
  }

  all(match) {
    return this.events.filter(match);
  }

  /** The first received event matching `match`, waiting for it up to `ms`. */
  waitFor(match, what, ms = WAIT) {
    const found = this.events.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${this.name}: no ${what} within ${ms} ms; received:\n${this.dump()}`));
      }, ms);
      waiter.resolve = (entry) => {
        clearTimeout(timer);
        resolve(entry);
      };
      this.waiters.add(waiter);
    });
  }

  /** Wait until `count` received events match `match`. */
  waitForCount(match, count, what, ms = WAIT) {
    return this.waitFor(() => this.all(match).length >= count, `${count} x ${what}`, ms);
  }

  dump() {
    return this.events.slice(-30).map((entry) => `  ${entry.event} ${safeJson(entry.args)}`).join("\n");
  }
}

function safeJson(value) {
  return JSON.stringify(value, (_key, item) => (item && item.type === "Buffer" ? `<Buffer ${item.data.length}>` : item));
}

/** Matchers of the events of spec 5.5. */
const membership = (event, channel, id) => (entry) =>
  entry.event === event && entry.args[0]?.channel === channel && entry.args[0]?.message?.id === id;
const message = (event, channel) => (entry) => entry.event === event && entry.args[0]?.channel === channel;
const agnostError = (event, code) => (entry) =>
  entry.event === "agnost:error" && entry.args[0]?.event === event && entry.args[0]?.errors?.[0]?.code === code;

// -- clients ----------------------------------------------------------------------------------

function connected(realtime, what, ms = WAIT) {
  if (realtime.isConnected()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      realtime.off("connect", onConnect);
      realtime.off("connect_error", onError);
    };
    const onConnect = () => {
      done();
      resolve();
    };
    const onError = (error) => {
      done();
      reject(new Error(`${what}: connect_error ${error.message} ${JSON.stringify(error.data)}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${what}: not connected within ${ms} ms`));
    }, ms);
    realtime.onConnect(onConnect);
    realtime.onError(onError);
  });
}

/** The first connect_error of a client's socket. */
function connectError(realtime, what, ms = WAIT) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no connect_error within ${ms} ms`)), ms);
    realtime.onError((error) => {
      clearTimeout(timer);
      resolve(error);
    });
    realtime.onConnect(() => {
      clearTimeout(timer);
      reject(new Error(`${what}: connected instead of connect_error`));
    });
  });
}

/**
 * A connected realtime client named `name` on `url` with the client's `realtime` options,
 * optionally holding `session` (the handshake's `Session`), joined to its own channel
 * `peer.self` with echo (the target of `flush`). Its actions are async: each waits a tick.
 */
async function connect(name, url, options = {}, { client = undefined, session = undefined } = {}) {
  client ??= createClient(url, CLIENT_KEY, { realtime: options });
  if (session) client.auth.setSession(session);
  const rt = client.realtime;
  const peer = {
    name, client, rt, inbox: new Inbox(name, rt), self: unique(`self-${name}`), disconnects: [],
    get id() {
      return rt.getSocketId();
    },
    async join(channel, echo) { rt.join(channel, echo); await tick(); },
    async leave(channel, echo) { rt.leave(channel, echo); await tick(); },
    async update(data, echo) { rt.updateProfile(data, echo); await tick(); },
    async send(channel, event, msg, echo) { rt.send(channel, event, msg, echo); await tick(); },
    async broadcast(event, msg, echo) { rt.broadcast(event, msg, echo); await tick(); },
  };
  await connected(rt, name);
  peer.firstId = rt.getSocketId();
  rt.onDisconnect((reason) => peer.disconnects.push(reason));
  await peer.join(peer.self, true);
  await peer.inbox.waitFor(membership("channel:join", peer.self, peer.id), `${name}'s join of its own channel`);
  return peer;
}

/** `peer` joins `channel` and waits for its own channel:join, so that it is a member before
 * anyone else acts (joins on two processes have no order otherwise). */
async function enter(peer, channel) {
  await peer.join(channel, true);
  await peer.inbox.waitFor(membership("channel:join", channel, peer.id), `${peer.name}'s own join of ${channel}`);
}

/** `promise`, or a failure after `ms` (a REST call whose promise never settles means the
 * server sent a non-JSON error body, spec 2.3). */
function withTimeout(promise, what, ms = WAIT) {
  let timer;
  const timeout = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const getMembers = (peer, channel) => withTimeout(peer.rt.getMembers(channel), `getMembers(${channel}) through ${peer.name}`);

/** Everything `from` sent before this call has reached `to` (see the header). */
async function flush(from, to) {
  const event = unique("flush");
  await from.send(to.self, event, event, true);
  await to.inbox.waitFor((entry) => entry.event === event, `flush ${from.name} -> ${to.name}`);
}

async function members(peer, channel) {
  const result = await getMembers(peer, channel);
  assert.equal(result.errors, null, `getMembers(${channel}) through ${peer.name}: ${JSON.stringify(result.errors)}`);
  assert.ok(Array.isArray(result.data), JSON.stringify(result));
  return sortedMembers(...result.data);
}

const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const sortedMembers = (...list) => [...list].sort(byId);

/** Assert an event carrying exactly one argument `expected` (spec 5.5). */
function assertSingleArg(entry, expected, what) {
  assert.equal(entry.args.length, 1, `${what}: args ${safeJson(entry.args)}`);
  assert.deepEqual(entry.args[0], expected, what);
}

/** Assert a REST error result (spec 2.3). */
function fails(result, status, code, what) {
  const context = `${what}: ${JSON.stringify(result)}`;
  assert.equal(result.data, null, context);
  assert.ok(result.errors, context);
  assert.equal(result.errors.status, status, context);
  const [item] = result.errors.items;
  assert.equal(item.code, code, context);
  assert.equal(item.origin, "client_error", context);
  assert.equal(typeof item.message, "string", context);
}

/** Assert the `agnost:error` event's single argument `{event, errors: [entry]}`. */
function checkAgnostError(entry, event, code, what) {
  assert.equal(entry.args.length, 1, `${what}: ${safeJson(entry.args)}`);
  const [{ event: failed, errors }] = entry.args;
  assert.equal(failed, event, what);
  assert.ok(Array.isArray(errors) && errors.length > 0, what);
  assert.equal(errors[0].code, code, what);
  assert.equal(errors[0].origin, "client_error", what);
  assert.equal(typeof errors[0].message, "string", what);
}

function bytes(value) {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  assert.fail(`not binary: ${safeJson(value)}`);
}

// -- users ------------------------------------------------------------------------------------

function newPassword() {
  return `Pw-${randomBytes(6).toString("hex")}-Zq!`;
}

/** A user signed up through a fresh client (email confirmation is off on this server):
 * `{client, user, session, email, password}`; the client holds the session. */
async function signUp(tag) {
  const client = createClient(ENV_URL, CLIENT_KEY);
  const email = `it-rt-${TAG}-${tag}@example.com`;
  const password = newPassword();
  const result = await client.auth.signUpWithEmail(email, password);
  assert.equal(result.errors, null, `signUpWithEmail: ${JSON.stringify(result.errors)}`);
  assert.ok(result.session?.token, `sign-up gave no session: ${JSON.stringify(result)}`);
  return { client, user: result.user, session: result.session, email, password };
}

async function signIn(email, password, url = ENV_URL, options = {}) {
  const client = createClient(url, CLIENT_KEY, { realtime: options });
  const result = await client.auth.signInWithEmail(email, password);
  assert.equal(result.errors, null, `signInWithEmail: ${JSON.stringify(result.errors)}`);
  return { client, user: result.user, session: result.session };
}

// =============================================================================================

describe("two clients", { skip: SUITE !== "main" && "another suite" }, () => {
  // A: the client's defaults (autoJoinChannels, echoMessages and bufferMessages on) on the
  // first server. B: no auto-join, no echo, unbuffered (so `echo` travels per message) on the
  // peer. C: default echo on, unbuffered, on the peer too.
  let A, B, C;

  before(async () => {
    // Signed in: broadcasting to every connection takes a user (anonymous sockets are refused).
    const [a, b, c] = [await signUp("A"), await signUp("B"), await signUp("C")];
    A = await connect("A", ENV_URL, { autoJoinChannels: true }, { session: a.session });
    B = await connect("B", PEER_ENV_URL, { autoJoinChannels: false, echoMessages: false, bufferMessages: false },
      { session: b.session });
    C = await connect("C", PEER_ENV_URL, { bufferMessages: false }, { session: c.session });
  });

  test("the socket id is the member id; an empty channel has no members", TIMEOUT, async () => {
    for (const peer of [A, B, C]) {
      assert.ok(peer.rt.isConnected(), peer.name);
      assert.equal(typeof peer.id, "string", peer.name);
      assert.ok(peer.id.length > 0, peer.name);
    }
    assert.equal(new Set([A.id, B.id, C.id]).size, 3, "socket ids are distinct");
    assert.deepEqual(await members(A, unique("empty")), []);
    assert.deepEqual(await members(A, A.self), [{ id: A.id, data: null }]);
    assert.deepEqual(await members(B, A.self), [{ id: A.id, data: null }], "members asked through the peer");
  });

  test("join: channel:join with {channel, message: {id, data}}, echo, profile, members", TIMEOUT, async () => {
    const room = unique("room");
    const profileA = { name: "alice", tags: ["x", 1], nested: { ok: true } };
    await A.update(profileA); // A is in its own channel only; the joins below carry the profile

    await A.join(room); // echo by default: A is told of its own join
    const ownJoin = await A.inbox.waitFor(membership("channel:join", room, A.id), "A's own channel:join");
    assertSingleArg(ownJoin, { channel: room, message: { id: A.id, data: profileA } }, "A's own channel:join");

    await B.join(room); // B's connection default is no echo
    const bJoin = await A.inbox.waitFor(membership("channel:join", room, B.id), "B's channel:join at A");
    assertSingleArg(bJoin, { channel: room, message: { id: B.id, data: null } }, "B's channel:join at A");

    // Joining again changes nothing and tells nobody (spec 5.4: join is idempotent).
    await A.join(room);
    await B.join(room);
    for (const [from, to] of [[A, A], [A, B], [B, A], [B, B]]) await flush(from, to);
    assert.equal(B.inbox.all(membership("channel:join", room, B.id)).length, 0, "B (echo off) saw its own join");
    assert.equal(A.inbox.all(membership("channel:join", room, A.id)).length, 1, "A's second join was announced");
    assert.equal(A.inbox.all(membership("channel:join", room, B.id)).length, 1, "B's second join was announced");
    assert.equal(B.inbox.all(membership("channel:join", room, A.id)).length, 0, "B heard of A's repeated join");

    const expected = sortedMembers({ id: A.id, data: profileA }, { id: B.id, data: null });
    assert.deepEqual(await members(A, room), expected, "members through A's server");
    assert.deepEqual(await members(B, room), expected, "members through B's server");

    // Per-join echo overrides the connection default, both ways.
    const other = unique("room");
    await B.join(other, true);
    await B.inbox.waitFor(membership("channel:join", other, B.id), "B's own join with echo: true");
    await A.join(other, false);
    const aJoin = await B.inbox.waitFor(membership("channel:join", other, A.id), "A's echo-less join at B");
    assertSingleArg(aJoin, { channel: other, message: { id: A.id, data: profileA } }, "A's join at B");
    await flush(A, A);
    assert.equal(A.inbox.all(membership("channel:join", other, A.id)).length, 0, "A saw its own join with echo: false");
  });

  test("a join sent before the connection is up, and auto-joined again, is announced once", TIMEOUT, async () => {
    const room = unique("room");
    await enter(B, room);
    // The client queues this join and, with autoJoinChannels, joins again on connect (5.4).
    const early = createClient(ENV_URL, CLIENT_KEY, { realtime: { autoJoinChannels: true } });
    early.realtime.join(room);
    const D = await connect("D", ENV_URL, {}, { client: early });
    await B.inbox.waitFor(membership("channel:join", room, D.id), "D's channel:join at B");
    await flush(D, B);
    await flush(D, D);
    assert.equal(B.inbox.all(membership("channel:join", room, D.id)).length, 1, "D's join announced twice");
    assert.equal(D.inbox.all(membership("channel:join", room, D.id)).length, 1, "D's own join echoed twice");
    assert.deepEqual(await members(B, room), sortedMembers({ id: B.id, data: null }, { id: D.id, data: null }));
    D.rt.close();
  });

  test("send: members get {channel, message}; echo by connection default and per message", TIMEOUT, async () => {
    const room = unique("room");
    for (const peer of [A, B, C]) await enter(peer, room);
    const messages = [{ text: "hi", n: 1, list: [1, "two", null], nested: { deep: [true] } }, "só ünïcødé ✓", 42, null, [1, 2]];

    // A: buffered, so `echo` is not sent (5.4) and the connection default (on) applies.
    for (const [index, msg] of messages.entries()) {
      const event = unique("chat");
      await A.send(room, event, msg);
      for (const peer of [A, B, C]) {
        const entry = await peer.inbox.waitFor(message(event, room), `message ${index} at ${peer.name}`);
        assertSingleArg(entry, { channel: room, message: msg }, `message ${index} at ${peer.name}`);
      }
    }

    // B: unbuffered, echo undefined -> its connection default (off).
    const quiet = unique("chat");
    await B.send(room, quiet, "from B");
    await A.inbox.waitFor(message(quiet, room), "B's echo-less message at A");
    await C.inbox.waitFor(message(quiet, room), "B's echo-less message at C");
    // B: echo true per message.
    const loud = unique("chat");
    await B.send(room, loud, "from B, echoed", true);
    const echoed = await B.inbox.waitFor(message(loud, room), "B's echo: true message at B");
    assertSingleArg(echoed, { channel: room, message: "from B, echoed" }, "B's echoed message");
    assert.equal(B.inbox.all(message(quiet, room)).length, 0, "B (echo off) got its own message");

    // C: unbuffered, connection default on, echo false per message.
    const hush = unique("chat");
    await C.send(room, hush, "from C", false);
    await A.inbox.waitFor(message(hush, room), "C's echo: false message at A");
    await flush(C, C);
    assert.equal(C.inbox.all(message(hush, room)).length, 0, "C got its own message sent with echo: false");

    // A sender need not be a member (5.6); non-members receive nothing.
    const outside = unique("room");
    await B.join(outside);
    await flush(B, B);
    const fromOutside = unique("chat");
    await A.send(outside, fromOutside, { from: "outside" });
    const got = await B.inbox.waitFor(message(fromOutside, outside), "a non-member's message at B");
    assertSingleArg(got, { channel: outside, message: { from: "outside" } }, "a non-member's message");
    await flush(A, A);
    await flush(A, C);
    assert.equal(A.inbox.all(message(fromOutside, outside)).length, 0, "the non-member sender got its message");
    assert.equal(C.inbox.all(message(fromOutside, outside)).length, 0, "a non-member got the message");
  });

  test("broadcast: every connection gets {channel: null, message}; echo likewise", TIMEOUT, async () => {
    const event = unique("news");
    await A.broadcast(event, { headline: "all" });
    for (const peer of [A, B, C]) {
      const entry = await peer.inbox.waitFor((e) => e.event === event, `A's broadcast at ${peer.name}`);
      assertSingleArg(entry, { channel: null, message: { headline: "all" } }, `A's broadcast at ${peer.name}`);
    }
    const quiet = unique("news");
    await B.broadcast(quiet, "B, no echo");
    await A.inbox.waitFor((e) => e.event === quiet, "B's echo-less broadcast at A");
    await C.inbox.waitFor((e) => e.event === quiet, "B's echo-less broadcast at C");
    const loud = unique("news");
    await B.broadcast(loud, "B, echo", true);
    await B.inbox.waitFor((e) => e.event === loud, "B's echo: true broadcast at B");
    assert.equal(B.inbox.all((e) => e.event === quiet).length, 0, "B (echo off) got its own broadcast");
    const hush = unique("news");
    await C.broadcast(hush, "C, echo false", false);
    await A.inbox.waitFor((e) => e.event === hush, "C's echo: false broadcast at A");
    await flush(C, C);
    assert.equal(C.inbox.all((e) => e.event === hush).length, 0, "C got its own broadcast sent with echo: false");

    const anonymous = await connect("anonymous", ENV_URL, {});
    const denied = unique("news");
    await anonymous.broadcast(denied, "from nobody");
    const refusal = await anonymous.inbox.waitFor(agnostError("message", "channel_not_allowed"),
      "the refusal of an anonymous broadcast");
    checkAgnostError(refusal, "message", "channel_not_allowed", "an anonymous broadcast");
    await flush(anonymous, A);
    assert.equal(A.inbox.all((e) => e.event === denied).length, 0, "an anonymous broadcast arrived");
    anonymous.rt.close();
  });

  test("update: channel:update to every joined channel with the new profile", TIMEOUT, async () => {
    const [room1, room2] = [unique("room"), unique("room")];
    for (const room of [room1, room2]) {
      await enter(A, room);
      await enter(B, room);
    }
    const profileB = { name: "bob", avatar: null, score: 7 };
    await B.update(profileB); // B's default: no echo
    for (const room of [room1, room2]) {
      const entry = await A.inbox.waitFor(
        (e) => membership("channel:update", room, B.id)(e) && e.args[0].message.data?.name === "bob", `B's update in ${room}`);
      assertSingleArg(entry, { channel: room, message: { id: B.id, data: profileB } }, `B's channel:update in ${room}`);
    }
    await flush(B, B);
    assert.equal(B.inbox.all((e) => e.event === "channel:update" && e.args[0]?.message?.id === B.id).length, 0,
      "B (echo off) got its own channel:update");

    const profileA = { name: "alice-2", at: TAG };
    await A.update(profileA); // echo on: A is told too, once per channel
    for (const peer of [A, B]) {
      for (const room of [room1, room2]) {
        const entry = await peer.inbox.waitFor(
          (e) => membership("channel:update", room, A.id)(e) && e.args[0].message.data?.at === TAG, `A's update in ${room} at ${peer.name}`);
        assertSingleArg(entry, { channel: room, message: { id: A.id, data: profileA } }, `A's channel:update at ${peer.name}`);
      }
    }
    // An echo-less update of A: B is told, A is not.
    const profileA3 = { name: "alice-3", at: TAG };
    await A.update(profileA3, false);
    await B.inbox.waitFor((e) => membership("channel:update", room1, A.id)(e) && e.args[0].message.data?.name === "alice-3",
      "A's echo-less update at B");
    await flush(A, A);
    assert.equal(A.inbox.all((e) => e.event === "channel:update" && e.args[0]?.message?.data?.name === "alice-3").length, 0,
      "A got its own update sent with echo: false");

    const expected = sortedMembers({ id: A.id, data: profileA3 }, { id: B.id, data: profileB });
    assert.deepEqual(await members(A, room1), expected);
    assert.deepEqual(await members(B, room2), expected);

    // A later join carries the profile.
    const room3 = unique("room");
    await enter(A, room3);
    await B.join(room3);
    const join = await A.inbox.waitFor(membership("channel:join", room3, B.id), "B's join of room3");
    assertSingleArg(join, { channel: room3, message: { id: B.id, data: profileB } }, "B's join carries its profile");
  });

  test("leave: channel:leave to the remaining members (and the leaver with echo); a non-member's leave is a no-op", TIMEOUT, async () => {
    const room = unique("room");
    const profile = { name: "leaver", at: TAG };
    const L = await connect("L", ENV_URL, {}); // defaults: echo on
    await L.update(profile);
    for (const peer of [L, B, C]) await enter(peer, room);

    await L.leave(room);
    for (const peer of [L, C]) {
      const entry = await peer.inbox.waitFor(membership("channel:leave", room, L.id), `L's channel:leave at ${peer.name}`);
      assertSingleArg(entry, { channel: room, message: { id: L.id, data: profile } }, `L's channel:leave at ${peer.name}`);
    }
    await B.inbox.waitFor(membership("channel:leave", room, L.id), "L's channel:leave at B");
    assert.deepEqual((await members(B, room)).map((m) => m.id), [B.id, C.id].sort());

    // B leaves with its default (no echo): C is told, B is not.
    await B.leave(room);
    await C.inbox.waitFor(membership("channel:leave", room, B.id), "B's channel:leave at C");
    await flush(B, B);
    assert.equal(B.inbox.all(membership("channel:leave", room, B.id)).length, 0, "B (echo off) got its own leave");
    assert.deepEqual((await members(C, room)).map((m) => m.id), [C.id]);

    // Leaving again, or a channel never joined: nothing happens, no error.
    const errorsBefore = B.inbox.all((e) => e.event === "agnost:error").length;
    await B.leave(room, true);
    await B.leave(unique("never-joined"), true);
    await flush(B, C);
    await flush(B, B);
    assert.equal(C.inbox.all(membership("channel:leave", room, B.id)).length, 1, "a second leave was announced");
    assert.equal(B.inbox.all((e) => e.event === "channel:leave" && e.args[0]?.message?.id === B.id).length, 0,
      "a non-member's leave was announced");
    assert.equal(B.inbox.all((e) => e.event === "agnost:error").length, errorsBefore, B.inbox.dump());

    // Members who left receive nothing of the channel.
    const after = unique("chat");
    await C.send(room, after, "after", true);
    await C.inbox.waitFor(message(after, room), "C's own message");
    await flush(C, B);
    await flush(C, L);
    assert.equal(B.inbox.all(message(after, room)).length, 0, "B got a message of a channel it left");
    assert.equal(L.inbox.all(message(after, room)).length, 0, "L got a message of a channel it left");
    L.rt.close();
  });

  test("every close() is announced with channel:leave and removes the member", TIMEOUT, async () => {
    // socket.io-client's close() sends DISCONNECT (41) and closes the websocket at once; the
    // server must clean up whichever of the two it sees first. Several rounds, both processes.
    const room = unique("room");
    await enter(A, room);
    for (let round = 0; round < 6; round++) {
      const url = round % 2 ? PEER_ENV_URL : ENV_URL;
      const E = await connect(`E${round}`, url, {});
      await E.update({ round });
      await enter(E, room);
      await A.inbox.waitFor(membership("channel:join", room, E.id), `E${round}'s join at A`);
      const id = E.id;
      E.rt.close();
      const leave = await A.inbox.waitFor(membership("channel:leave", room, id), `E${round}'s channel:leave at A after close()`);
      assertSingleArg(leave, { channel: room, message: { id, data: { round } } }, `E${round}'s channel:leave`);
      assert.deepEqual((await members(A, room)).map((m) => m.id), [A.id], `E${round} is still a member after close()`);
    }
  });

  test("reconnect: close() leaves every channel; open() with autoJoinChannels joins again", TIMEOUT, async () => {
    const room = unique("room");
    const profile = { name: "roamer", at: TAG };
    const R = await connect("R", ENV_URL, { autoJoinChannels: true });
    const N = await connect("N", PEER_ENV_URL, { autoJoinChannels: false }); // echo on, buffered
    await R.update(profile);
    await enter(R, room);
    await N.join(room); // echo on: N is told of its own join
    await R.inbox.waitFor(membership("channel:join", room, N.id), "N's join at R");
    const [oldR, oldN] = [R.id, N.id];

    R.rt.close();
    const leave = await N.inbox.waitFor(membership("channel:leave", room, oldR), "R's channel:leave at N on close()");
    assertSingleArg(leave, { channel: room, message: { id: oldR, data: profile } }, "R's channel:leave on close()");
    assert.deepEqual((await members(N, room)).map((m) => m.id), [oldN]);

    R.rt.open();
    await connected(R.rt, "R after open()");
    assert.notEqual(R.id, oldR, "a new connection has a new socket id");
    // The client re-sends the profile, then joins its channels again (5.4).
    const join = await N.inbox.waitFor(membership("channel:join", room, R.id), "R's channel:join at N after open()");
    assertSingleArg(join, { channel: room, message: { id: R.id, data: profile } }, "R's join after open()");
    await R.inbox.waitFor(membership("channel:join", R.self, R.id), "R rejoined its own channel");
    const event = unique("chat");
    await N.send(room, event, "welcome back");
    const got = await R.inbox.waitFor(message(event, room), "a message at R after open()");
    assertSingleArg(got, { channel: room, message: "welcome back" }, "a message after open()");
    assert.deepEqual(await members(N, room), sortedMembers({ id: R.id, data: profile }, { id: oldN, data: null }));

    // Without autoJoinChannels the channels stay left after a reconnect.
    N.rt.close();
    await R.inbox.waitFor(membership("channel:leave", room, oldN), "N's channel:leave at R on close()");
    N.rt.open();
    await connected(N.rt, "N after open()");
    assert.notEqual(N.id, oldN);
    const quiet = unique("chat");
    await R.send(room, quiet, "N is not here");
    await R.inbox.waitFor(message(quiet, room), "R's own message");
    await N.join(N.self, true); // its own channel too was left: join it again for flush()
    await N.inbox.waitFor(membership("channel:join", N.self, N.id), "N's rejoin of its own channel");
    await flush(R, N);
    assert.equal(N.inbox.all(message(quiet, room)).length, 0, "N got a message of a channel it did not rejoin");
    assert.deepEqual(await members(R, room), [{ id: R.id, data: profile }]);
    R.rt.close();
    N.rt.close();
  });

  test("binary: a Buffer sent arrives as binary, alone, nested, broadcast and as a profile", TIMEOUT, async () => {
    const room = unique("room");
    const P = await connect("P", PEER_ENV_URL, {}); // its own connections: a failure here spares A, B and C
    const Q = await connect("Q", ENV_URL, {}, { session: (await signUp("Q")).session }); // Q broadcasts
    await enter(P, room);
    await enter(Q, room);
    const payload = Buffer.from(Array.from({ length: 256 }, (_v, i) => i)); // every byte value, 0x00-0xff

    const alone = unique("bin");
    await P.send(room, alone, payload);
    const got = await Q.inbox.waitFor(message(alone, room), "a binary message at Q");
    assert.equal(got.args.length, 1);
    assert.equal(got.args[0].channel, room);
    assert.ok(bytes(got.args[0].message).equals(payload), "the bytes changed");

    const nested = unique("bin");
    const second = Buffer.from("second attachment");
    await Q.send(room, nested, { name: "file.bin", parts: [payload, second], size: 256 });
    const gotNested = await P.inbox.waitFor(message(nested, room), "a nested binary message at P");
    const msg = gotNested.args[0].message;
    assert.equal(msg.name, "file.bin");
    assert.equal(msg.size, 256);
    assert.ok(bytes(msg.parts[0]).equals(payload) && bytes(msg.parts[1]).equals(second), "nested bytes changed");

    const everyone = unique("bin");
    await Q.broadcast(everyone, payload);
    const gotBroadcast = await P.inbox.waitFor((e) => e.event === everyone, "a binary broadcast at P");
    assert.equal(gotBroadcast.args[0].channel, null);
    assert.ok(bytes(gotBroadcast.args[0].message).equals(payload));

    // updateProfile accepts binary data (spec 5.4, MemberData): members are told with the bytes.
    await Q.update(payload);
    const update = await P.inbox.waitFor(membership("channel:update", room, Q.id), "Q's binary profile at P");
    assert.ok(bytes(update.args[0].message.data).equals(payload), "the profile bytes changed");
    assert.ok(Q.rt.isConnected(), "Q's connection dropped after a binary profile");
    await flush(Q, P); // Q's connection still works
    const result = await getMembers(P, room);
    assert.equal(result.errors, null, `getMembers with a binary profile: ${JSON.stringify(result.errors)}`);
    assert.deepEqual(result.data.map((m) => m.id).sort(), [P.id, Q.id].sort());
    P.rt.close();
    Q.rt.close();
  });

  test("a resumable channel: numbered messages, and what a reconnecting client missed", TIMEOUT, async () => {
    // AGNOST_REALTIME_RESUMABLE_CHANNELS is "resumable-*" on this server. As the README shows:
    // no automatic re-join; the app joins with agnost:resume and the last number it saw.
    const room = unique("resumable");
    const R = await connect("R-resume", ENV_URL, { autoJoinChannels: false });
    const P = await connect("P-resume", PEER_ENV_URL, {}); // publishes, from the other process
    await enter(P, room);
    const event = unique("said");
    const heard = [];
    let last = 0;
    R.rt.on(event, ({ message: text, seq }) => {
      if (seq <= last) return; // already had it
      heard.push(text);
      last = seq;
    });
    const resumed = (e) => e.event === "channel:resume" && e.args[0]?.channel === room;
    R.rt.send(room, "agnost:resume", { since: last });
    await R.inbox.waitFor(resumed, "the first channel:resume at R");
    await P.inbox.waitFor(membership("channel:join", room, R.id), "R's join at P");
    await P.send(room, event, "one");
    await R.inbox.waitFor(message(event, room), "R hears one");
    assert.equal(last, 1, `the first message's number: ${R.inbox.dump()}`);

    const oldR = R.id; // gone from the client once it is disconnected
    R.rt.close();
    await P.inbox.waitFor(membership("channel:leave", room, oldR), "R's leave at P");
    await P.send(room, event, "two");
    await P.send(room, event, "three");
    await P.inbox.waitForCount(message(event, room), 3, "P's own three");
    assert.deepEqual(heard, ["one"]);

    R.rt.onConnect(() => R.rt.send(room, "agnost:resume", { since: last }));
    R.rt.open();
    await R.inbox.waitForCount(resumed, 2, "channel:resume at R after open()");
    assertSingleArg(R.inbox.all(resumed)[1], { channel: room, message: { since: 1, last: 3, replayed: 2, complete: true } },
      "channel:resume");
    assert.deepEqual(heard, ["one", "two", "three"]);
    await P.send(room, event, "four");
    await R.inbox.waitForCount(message(event, room), 4, "R hears four live");
    assert.deepEqual(heard, ["one", "two", "three", "four"]);
    assert.deepEqual(R.inbox.all(message(event, room)).map((e) => e.args[0].seq), [1, 2, 3, 4]);
    R.rt.close();
    P.rt.close();
  });

  test("events named channel:*, user:*, agnost:* or reserved by Socket.IO are refused", TIMEOUT, async () => {
    const room = unique("room");
    await enter(A, room);
    await enter(B, room);
    const names = ["channel:join", "channel:leave", "channel:update", "user:signin", "user:delete", "agnost:error",
      "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener", "error"];
    const refused = agnostError("message", "invalid_event_name");
    let count = A.inbox.all(refused).length;
    for (const name of names) {
      await A.send(room, name, { spoof: TAG });
      await A.inbox.waitForCount(refused, ++count, `agnost:error for send("${name}")`);
      checkAgnostError(A.inbox.all(refused).at(-1), "message", "invalid_event_name", `send("${name}")`);
      await A.broadcast(name, { spoof: TAG });
      await A.inbox.waitForCount(refused, ++count, `agnost:error for broadcast("${name}")`);
    }
    await flush(A, B);
    assert.equal(B.inbox.all((e) => e.args.some((arg) => arg?.message?.spoof === TAG)).length, 0,
      `a refused event arrived: ${B.inbox.dump()}`);
    assert.ok(A.rt.isConnected(), "refused events closed the connection");
  });

  describe("handshake errors", () => {
    test("a bad client key: connect_error with {origin, code: invalid_client_key, message}", TIMEOUT, async () => {
      const bad = createClient(ENV_URL, `not-a-key-${TAG}`);
      const error = await connectError(bad.realtime, "bad key");
      assert.equal(typeof error.message, "string");
      assert.deepEqual(Object.keys(error.data).sort(), ["code", "message", "origin"]);
      assert.equal(error.data.origin, "client_error");
      assert.equal(error.data.code, "invalid_client_key");
      assert.equal(typeof error.data.message, "string");
      await sleep(300);
      assert.equal(bad.realtime.isConnected(), false);
      assert.equal(bad.realtime.getSocketId(), undefined);
    });

    test("no client key: missing_client_key (raw socket.io-client: the altogic client requires a key)", TIMEOUT, async () => {
      // Spec 1.8: with this envUrl the realtime URL is the envUrl itself; auth as 5.3 without clientKey.
      const socket = socketIo.io(ENV_URL, {
        transports: ["websocket"], reconnection: false, forceNew: true,
        auth: { echoMessages: true, subdomain: "realtime", envId: "" },
      });
      const error = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no connect_error without a client key")), WAIT);
        socket.on("connect_error", (err) => { clearTimeout(timer); resolve(err); });
        socket.on("connect", () => { clearTimeout(timer); reject(new Error("connected without a client key")); });
      });
      socket.disconnect();
      assert.equal(error.data?.code, "missing_client_key", JSON.stringify(error.data));
      assert.equal(error.data.origin, "client_error");
      assert.equal(typeof error.data.message, "string");
    });

    test("an invalid Session: connect_error invalid_session_token", TIMEOUT, async () => {
      const client = createClient(ENV_URL, CLIENT_KEY);
      client.auth.setSession({ token: `not-a-session-${TAG}`, userId: "1" });
      const error = await connectError(client.realtime, "bad session");
      assert.equal(error.data?.code, "invalid_session_token", JSON.stringify(error.data));
      assert.equal(error.data.origin, "client_error");
      assert.equal(typeof error.data.message, "string");
    });
  });

  describe("private channels and user events", () => {
    let owner, stranger, staff;

    before(async () => {
      owner = await signUp("owner");
      stranger = await signUp("stranger");
      staff = await signIn(STAFF_EMAIL, STAFF_PASSWORD, PEER_ENV_URL);
    });

    test("private-* channels: refused without a session or consent, open to their user and staff", TIMEOUT, async () => {
      const mine = `private-user-${owner.user._id}`;
      const secret = `private-${TAG}`;
      // Anonymous: refused joins and sends, 401 for members.
      const nobody = await connect("nobody", ENV_URL, {}); // A, B and C are signed in
      const refusedJoin = agnostError("join", "channel_not_allowed");
      let count = nobody.inbox.all(refusedJoin).length;
      for (const channel of [mine, secret]) {
        await nobody.join(channel);
        await nobody.inbox.waitForCount(refusedJoin, ++count, `agnost:error for nobody's join of ${channel}`);
        checkAgnostError(nobody.inbox.all(refusedJoin).at(-1), "join", "channel_not_allowed",
          `anonymous join of ${channel}`);
        fails(await getMembers(nobody, channel), 401, "missing_session_token", `anonymous getMembers(${channel})`);
      }

      // The owner: its own private channel.
      const O = await connect("owner", ENV_URL, {}, { client: owner.client });
      await O.join(mine);
      await O.inbox.waitFor(membership("channel:join", mine, O.id), "the owner's join of its channel");
      assert.deepEqual(await members(O, mine), [{ id: O.id, data: null }]);
      await O.join(secret);
      const refused = await O.inbox.waitFor(agnostError("join", "channel_not_allowed"), "the owner's join of another private channel");
      checkAgnostError(refused, "join", "channel_not_allowed", "owner joins private-<tag>");
      fails(await getMembers(O, secret), 403, "channel_not_allowed", "owner getMembers(private-<tag>)");

      // Another user: refused, 403.
      const S = await connect("stranger", PEER_ENV_URL, {}, { client: stranger.client });
      await S.join(mine);
      const strangerError = await S.inbox.waitFor(agnostError("join", "channel_not_allowed"), "the stranger's refused join");
      checkAgnostError(strangerError, "join", "channel_not_allowed", "stranger joins the owner's channel");
      fails(await getMembers(S, mine), 403, "channel_not_allowed", "stranger getMembers(owner's channel)");

      // Nobody without consent can send into it, member or not.
      const spoof = unique("spoof");
      await nobody.send(mine, spoof, "anonymous");
      await nobody.inbox.waitFor(agnostError("message", "channel_not_allowed"), "agnost:error for an anonymous send");
      await S.send(mine, spoof, "stranger");
      await S.inbox.waitFor(agnostError("message", "channel_not_allowed"), "agnost:error for the stranger's send");
      await flush(nobody, O);
      nobody.rt.close();
      await flush(S, O);
      assert.equal(O.inbox.all(message(spoof, mine)).length, 0, "a refused send reached the channel");

      // Staff: any private channel.
      const T = await connect("staff", PEER_ENV_URL, {}, { client: staff.client });
      await T.join(mine);
      const staffJoin = await O.inbox.waitFor(membership("channel:join", mine, T.id), "staff's join at the owner");
      assertSingleArg(staffJoin, { channel: mine, message: { id: T.id, data: null } }, "staff's join");
      assert.deepEqual(await members(T, mine), sortedMembers({ id: O.id, data: null }, { id: T.id, data: null }));
      assert.deepEqual(await members(O, mine), sortedMembers({ id: O.id, data: null }, { id: T.id, data: null }));
      const note = unique("note");
      await T.send(mine, note, { from: "staff" });
      const got = await O.inbox.waitFor(message(note, mine), "staff's message at the owner");
      assertSingleArg(got, { channel: mine, message: { from: "staff" } }, "staff's message");
      await T.join(secret);
      await T.inbox.waitFor(membership("channel:join", secret, T.id), "staff's join of private-<tag>");
      await flush(S, S);
      assert.equal(S.inbox.all((e) => e.args[0]?.channel === mine && e.event !== "agnost:error").length, 0,
        "the stranger received events of a channel it may not join");
      for (const peer of [O, S, T]) peer.rt.close();
    });

    test("user events: a sign-in and a sign-out reach every connection of that user only", TIMEOUT, async () => {
      // X and Y: two clients holding the owner's session when their sockets are created (the
      // handshake's Session), on both processes; Z: the stranger's.
      const X = await connect("X", ENV_URL, {}, { session: owner.session });
      const Y = await connect("Y", PEER_ENV_URL, {}, { session: owner.session });
      const Z = await connect("Z", ENV_URL, {}, { session: stranger.session });
      const heard = [];
      Y.client.auth.onUserEvent((eventName, session) => heard.push({ eventName, session }));

      // The same client X signs in again through its REST auth: a new session.
      const signIn = await X.client.auth.signInWithEmail(owner.email, owner.password);
      assert.equal(signIn.errors, null, JSON.stringify(signIn.errors));
      const isOwners = (event) => (e) => e.event === event && e.args[2]?._id === owner.user._id && e.args[2]?.email === owner.email;
      for (const peer of [X, Y]) {
        const entry = await peer.inbox.waitFor(isOwners("user:signin"), `user:signin at ${peer.name}`);
        assert.equal(entry.args.length, 3, `user:signin args: ${safeJson(entry.args)}`);
        const [name, session, user] = entry.args;
        assert.equal(name, "user:signin");
        assert.equal(session.userId, owner.user._id);
        assert.equal(typeof session.token, "string");
        // Other connections get the session's public form, not the new secret token.
        assert.notEqual(session.token, signIn.session.token, "the new session's secret token went to every connection");
        assert.ok(!Number.isNaN(Date.parse(session.creationDtm)), JSON.stringify(session));
        assert.ok(Array.isArray(session.accessGroupKeys), JSON.stringify(session));
        assert.equal(typeof session.userAgent, "object", JSON.stringify(session));
        assert.equal(user._id, owner.user._id);
        assert.equal(user.email, owner.email);
        assert.equal("password" in user, false);
      }
      assert.ok(heard.some((h) => h.eventName === "user:signin" && h.session?.userId === owner.user._id),
        `auth.onUserEvent did not hear user:signin: ${JSON.stringify(heard)}`);

      // Sign-out of that new session: user:signout, three args.
      const signOut = await X.client.auth.signOut();
      assert.equal(signOut.errors, null, JSON.stringify(signOut.errors));
      for (const peer of [X, Y]) {
        const entry = await peer.inbox.waitFor(isOwners("user:signout"), `user:signout at ${peer.name}`);
        assert.equal(entry.args.length, 3, `user:signout args: ${safeJson(entry.args)}`);
        assert.equal(entry.args[0], "user:signout");
        assert.equal(entry.args[1].userId, owner.user._id);
      }

      // Neither reached the stranger nor the anonymous A.
      await flush(X, Z);
      await flush(Y, Z);
      await flush(X, A);
      await flush(Y, A);
      for (const peer of [Z, A]) {
        assert.equal(peer.inbox.all((e) => e.event.startsWith("user:") && e.args[2]?._id === owner.user._id).length, 0,
          `${peer.name} got the owner's user events`);
      }
      for (const peer of [X, Y, Z]) peer.rt.close();
    });
  });

  test("no connection was dropped by the server", TIMEOUT, async () => {
    for (const peer of [A, B, C]) {
      assert.deepEqual(peer.disconnects, [], `${peer.name} was disconnected`);
      assert.equal(peer.id, peer.firstId, `${peer.name} reconnected with a new socket id`);
      assert.ok(peer.rt.isConnected(), peer.name);
    }
  });
});

// =============================================================================================

describe("a crashed process", { skip: SUITE !== "crash" && "another suite" }, () => {
  test("its members leave getMembers within the presence TTL; live members stay", { timeout: 40_000 }, async () => {
    const room = unique("room");
    const K = await connect("K", VICTIM_ENV_URL, {}); // on the process about to be killed
    const A = await connect("A", ENV_URL, {});
    await K.update({ name: "doomed" });
    await enter(K, room);
    await enter(A, room);
    const doomed = K.id; // K's socket id is gone from the client once it is disconnected
    const both = sortedMembers({ id: A.id, data: null }, { id: doomed, data: { name: "doomed" } });
    assert.deepEqual(await members(A, room), both);

    // Idle connections stay up (no traffic for longer than the channel layer's 5 s blocking
    // read), and heartbeats keep live members beyond the TTL.
    await sleep(Math.max(PRESENCE_TTL + 1.5, 6.5) * 1000);
    for (const peer of [A, K]) {
      assert.deepEqual(peer.disconnects, [], `${peer.name}'s idle connection was dropped`);
      assert.equal(peer.id, peer.firstId, `${peer.name} reconnected with a new socket id`);
    }
    assert.deepEqual(await members(A, room), both, "a live member expired");

    process.kill(Number(VICTIM_PID), "SIGKILL");
    const killedAt = Date.now();
    const limit = (PRESENCE_TTL + HEARTBEAT + 1.5) * 1000;
    let current = both;
    while (current.some((m) => m.id === doomed) && Date.now() - killedAt < limit) {
      await sleep(200);
      current = await members(A, room);
    }
    const elapsed = (Date.now() - killedAt) / 1000;
    assert.deepEqual(current, [{ id: A.id, data: null }],
      `members ${elapsed.toFixed(1)} s after the kill (TTL ${PRESENCE_TTL} s): ${JSON.stringify(current)}`);
    assert.ok(A.rt.isConnected());
    // The process that remains still carries messages.
    const event = unique("chat");
    await A.send(room, event, "still here");
    await A.inbox.waitFor(message(event, room), "A's own message after the kill");
    A.rt.close();
  });
});

// =============================================================================================

describe("another app on the same Redis", { skip: SUITE !== "isolation" && "another suite" }, () => {
  test("a process with another CACHE_KEY_PREFIX gets none of this app's messages", TIMEOUT, async () => {
    const room = unique("room");
    const A = await connect("A", ENV_URL, {}, { session: (await signUp("isolated")).session }); // A broadcasts
    const F = await connect("F", FOREIGN_ENV_URL, {});
    await enter(F, room);
    await enter(A, room);
    assert.deepEqual(await members(A, room), [{ id: A.id, data: null }], "the other app's member is listed");
    assert.deepEqual(await members(F, room), [{ id: F.id, data: null }], "this app's member is listed by the other");

    const sent = unique("chat");
    await A.send(room, sent, "for this app only");
    await A.inbox.waitFor(message(sent, room), "A's own message");
    const shouted = unique("news");
    await A.broadcast(shouted, "for this app only");
    await A.inbox.waitFor((e) => e.event === shouted, "A's own broadcast");
    // Different processes: no order to rely on, so give the other app time to (wrongly) get them.
    await sleep(1000);
    assert.deepEqual(F.inbox.all((e) => e.event === sent || e.event === shouted || membership("channel:join", room, A.id)(e)), [],
      `the other app received this app's events: ${F.inbox.dump()}`);
    A.rt.close();
    F.rt.close();
  });
});
