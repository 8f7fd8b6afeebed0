// Every HTTP method of the unmodified altogic@2.3.9 client's AuthManager against a running
// agnost_django server (spec 1.3-1.7, 2.3-2.5, 3.1, 6). Run by test_auth_interop.py through
// server.py, once per server configuration:
//
//   AGNOST_AUTH_MODE=confirm    the server runs with AGNOST_AUTH_EMAIL_CONFIRMATION=1 and
//                               AGNOST_AUTH_PHONE_CONFIRMATION=1;
//   AGNOST_AUTH_MODE=noconfirm  ... with both set to 0.
//
// The "both modes" tests run in either; the others only in their mode. Emails and SMS codes
// are read where the server delivers them (server.py): AGNOST_MAIL_DIR holds the file email
// backend's .log files, AGNOST_SMS_FILE the SMS file backend's JSON lines. Emailed links are
// opened like a browser would (fetch without following the redirect) and the app's side is
// read from the Location header (spec 6.3). By hand:
//   AGNOST_AUTH_MODE=confirm AGNOST_ENV_URL=... AGNOST_CLIENT_KEY=... AGNOST_MAIL_DIR=... \
//   AGNOST_SMS_FILE=... AGNOST_REDIRECT_URL=... \
//   NODE_OPTIONS="--require $PWD/localhost-dns.cjs" node --test auth.test.mjs
//
// Every email and phone number is unique to this run, so reruns against the same server never
// interfere. Each scenario uses fresh clients with an in-memory localStorage, through which the
// client's stored session is observed. A call whose promise never settles (test timeout) means
// the server sent a non-JSON error body (spec 2.3): that is a server bug, not a flaky test.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, randomInt } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "altogic";

const {
  AGNOST_ENV_URL: ENV_URL,
  AGNOST_CLIENT_KEY: CLIENT_KEY,
  AGNOST_MAIL_DIR: MAIL_DIR,
  AGNOST_SMS_FILE: SMS_FILE,
  AGNOST_REDIRECT_URL: REDIRECT_URL,
  AGNOST_AUTH_MODE: MODE,
} = process.env;
assert.ok(ENV_URL && CLIENT_KEY, "AGNOST_ENV_URL and AGNOST_CLIENT_KEY must be set");
assert.ok(MAIL_DIR && SMS_FILE && REDIRECT_URL, "AGNOST_MAIL_DIR, AGNOST_SMS_FILE and AGNOST_REDIRECT_URL must be set");
assert.ok(MODE === "confirm" || MODE === "noconfirm", `AGNOST_AUTH_MODE must be confirm or noconfirm, not ${MODE}`);
const CONFIRM = MODE === "confirm";

const RUN = randomBytes(4).toString("hex");
const TIMEOUT = { timeout: 30_000 }; // per test: a hung call fails its own test only
const INVALIDATING = new Set(["invalid_session_token", "missing_session_token"]);

// -- unique identities ------------------------------------------------------------------------

let serial = 0;
/** A fresh, lower-case address (the server lower-cases emails). */
function newEmail(tag) {
  return `it-${RUN}-${++serial}-${tag}@example.com`;
}

// +1 650 <exchange> <line>: valid NANP numbers (libphonenumber accepts every exchange 200-999
// in area 650). A random exchange and line per run, then sequential lines.
const PHONE_EXCHANGE = 200 + randomInt(800);
let phoneLine = randomInt(10_000);
function newPhone() {
  phoneLine = (phoneLine + 1) % 10_000;
  return `+1650${PHONE_EXCHANGE}${String(phoneLine).padStart(4, "0")}`;
}

function newPassword() {
  return `Pw-${randomBytes(6).toString("hex")}-Zq!`;
}

// -- clients ----------------------------------------------------------------------------------

/** The subset of the Web Storage API the client uses (spec 1.7), in memory. */
function memoryStorage(initial = {}) {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key),
  };
}

/** A fresh client with its own localStorage; `storage` may carry a session already. */
function newClient(storage = memoryStorage()) {
  return { client: createClient(ENV_URL, CLIENT_KEY, { localStorage: storage }), storage };
}

/** A client that starts with `session` in its localStorage (read by createClient, 1.7). */
function clientWithSession(session) {
  return newClient(memoryStorage({ session: JSON.stringify(session) })).client;
}

// -- results ----------------------------------------------------------------------------------

/** Assert a successful call; show the server's errors if there are any. */
function ok(result, what = "call") {
  assert.equal(result.errors, null, `${what} failed: ${JSON.stringify(result.errors)}`);
  return result;
}

/** Assert an error result with the given status and first error code (spec 2.3); the other
 * fields of the result (user, session, sessions) are null. `status` may be null: any 4xx. */
function fails(result, status, code, what = "call") {
  const { errors } = result;
  assert.ok(errors, `${what}: expected ${status ?? "4xx"} ${code}, got success: ${JSON.stringify(result)}`);
  const context = `${what}: ${JSON.stringify(errors)}`;
  if (status === null) assert.ok(errors.status >= 400 && errors.status < 500, context);
  else assert.equal(errors.status, status, context);
  assert.ok(Array.isArray(errors.items) && errors.items.length > 0, context);
  const [item] = errors.items;
  assert.equal(item.code, code, context);
  checkErrorEntry(item, context);
  for (const field of ["user", "session", "sessions", "data"]) {
    if (field in result) assert.equal(result[field], null, `${what}: ${field} of an error result`);
  }
  return item;
}

/** Strict clients (Dart) need all three strings and an object `details` if present. */
function checkErrorEntry(item, context) {
  assert.equal(item.origin, "client_error", context);
  assert.equal(typeof item.code, "string", context);
  assert.equal(typeof item.message, "string", context);
  if ("details" in item) assert.ok(item.details !== null && typeof item.details === "object", context);
}

function isoString(value, what) {
  assert.equal(typeof value, "string", `${what} is not a string: ${JSON.stringify(value)}`);
  assert.ok(!Number.isNaN(Date.parse(value)), `${what} is not an ISO date: ${value}`);
}

/** The User shape (spec 6.1); `expected` fields must match exactly. */
function checkUser(user, expected = {}) {
  const context = JSON.stringify(user);
  assert.ok(user && typeof user === "object" && !Array.isArray(user), `not a User: ${context}`);
  assert.equal(typeof user._id, "string", context);
  assert.ok(user._id.length > 0, context);
  assert.equal(user.provider, "altogic", context);
  assert.equal(user.providerUserId, user._id, context);
  isoString(user.signUpAt, "signUpAt");
  isoString(user.lastLoginAt, "lastLoginAt");
  if ("email" in expected) assert.equal(typeof user.emailVerified, "boolean", context);
  if ("phone" in expected) assert.equal(typeof user.phoneVerified, "boolean", context);
  assert.ok(!("password" in user), `the User carries a password: ${context}`);
  for (const [key, value] of Object.entries(expected)) assert.deepEqual(user[key], value, `${key} of ${context}`);
  return user;
}

/** The Session shape (spec 6.1). */
function checkSession(session, userId) {
  const context = JSON.stringify(session);
  assert.ok(session && typeof session === "object" && !Array.isArray(session), `not a Session: ${context}`);
  assert.equal(session.userId, userId, context);
  assert.equal(typeof session.token, "string", context);
  assert.ok(session.token.length > 0, context);
  isoString(session.creationDtm, "creationDtm");
  assert.ok(Array.isArray(session.accessGroupKeys), context);
  session.accessGroupKeys.forEach((key) => assert.equal(typeof key, "string", context));
  const agent = session.userAgent;
  assert.ok(agent && typeof agent === "object", `userAgent missing: ${context}`);
  for (const part of [agent, agent.device, agent.os]) {
    assert.ok(part && typeof part === "object", `userAgent part missing: ${context}`);
    for (const key of ["family", "major", "minor", "patch"]) {
      assert.equal(typeof part[key], "string", `userAgent ${key}: ${context}`);
    }
  }
  return session;
}

/** The client holds `session`: in localStorage (with the user) and in its Session header. */
async function assertSignedIn(client, storage, session, userId) {
  assert.deepEqual(JSON.parse(storage.getItem("session")), session, "the stored session");
  assert.deepEqual(client.auth.getSession(), session);
  assert.equal(JSON.parse(storage.getItem("user"))._id, userId, "the stored user");
  const { user } = ok(await client.auth.getUserFromDB(), "getUserFromDB with the new session");
  assert.equal(user._id, userId);
}

function assertSignedOut(client, storage) {
  assert.equal(storage.getItem("session"), null, "the stored session");
  assert.equal(storage.getItem("user"), null, "the stored user");
  assert.equal(client.auth.getSession(), null);
}

// -- delivered emails and SMS ------------------------------------------------------------------

/** Decode one MIME entity (headers + body) into text, recursing into multiparts. */
function mimeText(entity) {
  const split = entity.search(/\r?\n\r?\n/);
  const head = split < 0 ? entity : entity.slice(0, split);
  const body = split < 0 ? "" : entity.slice(split).replace(/^\r?\n\r?\n/, "");
  const headers = parseHeaders(head);
  const type = headers["content-type"] ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    return body.split(`--${boundary}`).slice(1).filter((part) => !part.startsWith("--"))
      .map((part) => mimeText(part.replace(/^\r?\n/, ""))).join("\n");
  }
  const encoding = (headers["content-transfer-encoding"] ?? "7bit").toLowerCase();
  if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (encoding === "quoted-printable") {
    const bytes = body.replace(/=\r?\n/g, "").replace(/=([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  }
  return body;
}

function parseHeaders(head) {
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Every email the server wrote so far: {id, to, subject, text}. Django's file backend
 * writes one .log file per connection and separates messages with 79 dashes. */
function readMails() {
  const mails = [];
  for (const name of readdirSync(MAIL_DIR).filter((file) => file.endsWith(".log")).sort()) {
    const content = readFileSync(join(MAIL_DIR, name), "utf8");
    for (const [index, raw] of content.split(/\r?\n-{79}\r?\n/).entries()) {
      if (!raw.trim()) continue;
      const headers = parseHeaders(raw.slice(0, Math.max(raw.search(/\r?\n\r?\n/), 0)));
      mails.push({
        id: headers["message-id"] ?? `${name}#${index}`,
        to: (headers.to ?? "").toLowerCase(),
        subject: headers.subject ?? "",
        text: mimeText(raw),
      });
    }
  }
  return mails;
}

/** Poll `read` until it returns something truthy (delivery is synchronous in the request, but
 * a file may be flushed a moment later). */
async function eventually(read, what, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Run `action` and return its result and the one new email it sent to `address`. */
async function expectMail(address, action) {
  const before = new Set(readMails().map((mail) => mail.id));
  const result = await action();
  const mail = await eventually(() => {
    const fresh = readMails().filter((m) => !before.has(m.id) && m.to.includes(address.toLowerCase()));
    assert.ok(fresh.length <= 1, `more than one new email to ${address}: ${JSON.stringify(fresh)}`);
    return fresh[0];
  }, `an email to ${address} (result of the call: ${JSON.stringify(result)})`);
  return { result, mail, link: verifyLink(mail) };
}

/** The /_auth/verify link of an email: on the server's own origin (spec 6.3). */
function verifyLink(mail) {
  const links = [...new Set(mail.text.match(/https?:\/\/[^\s<>"']+\/_auth\/verify\?key=[^\s<>"'&]+/g) ?? [])];
  assert.equal(links.length, 1, `expected one /_auth/verify link in: ${mail.text}`);
  assert.ok(links[0].startsWith(`${ENV_URL}/_auth/verify?key=`), `link not on the server: ${links[0]}`);
  return links[0];
}

function mailsTo(address) {
  return readMails().filter((mail) => mail.to.includes(address.toLowerCase()));
}

function readSms() {
  return readFileSync(SMS_FILE, "utf8").split("\n").filter((line) => line.trim()).map((line) => JSON.parse(line));
}

/** Run `action` and return its result and the code of the one new SMS it sent to `phone`. */
async function expectSms(phone, action) {
  const before = readSms().length;
  const result = await action();
  const sms = await eventually(() => {
    const fresh = readSms().slice(before).filter((message) => message.to === phone);
    assert.ok(fresh.length <= 1, `more than one new SMS to ${phone}: ${JSON.stringify(fresh)}`);
    return fresh[0];
  }, `an SMS to ${phone} (result of the call: ${JSON.stringify(result)})`);
  const code = /\b(\d{6})\b/.exec(sms.body)?.[1];
  assert.ok(code, `no six-digit code in: ${sms.body}`);
  return { result, code };
}

/** Open an emailed link like a browser, without following the redirect to the app; return
 * the query of the app URL it redirects to (spec 6.3). */
async function openLink(link) {
  const response = await fetch(link, { redirect: "manual" });
  assert.equal(response.status, 302, `opening ${link}: ${response.status} ${await response.text()}`);
  const location = new URL(response.headers.get("location"), link);
  assert.equal(`${location.origin}${location.pathname}`, REDIRECT_URL, `redirected to ${location}`);
  return Object.fromEntries(location.searchParams);
}

/** The redirect of a link that did not work: status, code and error, no access_token. */
function assertFailedRedirect(query, status, code) {
  assert.equal(query.status, String(status), JSON.stringify(query));
  assert.equal(query.code, code, JSON.stringify(query));
  assert.equal(typeof query.error, "string", JSON.stringify(query));
  assert.ok(!("access_token" in query), JSON.stringify(query));
}

// -- accounts ready for sign-in, in the server's mode -------------------------------------

/** A new email account whose address is confirmed if the mode needs it, and a signed-in
 * client. Confirmation on: sign-up, the emailed link, getAuthGrant. */
async function emailAccount(tag, nameOrUserData) {
  const email = newEmail(tag);
  const password = newPassword();
  const { client, storage } = newClient();
  let user, session;
  if (CONFIRM) {
    const { result, link } = await expectMail(email, () => client.auth.signUpWithEmail(email, password, nameOrUserData));
    ok(result, "signUpWithEmail");
    const query = await openLink(link);
    ({ user, session } = ok(await client.auth.getAuthGrant(query.access_token), "getAuthGrant"));
  } else {
    ({ user, session } = ok(await client.auth.signUpWithEmail(email, password, nameOrUserData), "signUpWithEmail"));
  }
  checkUser(user, { email });
  checkSession(session, user._id);
  return { email, password, client, storage, user, session };
}

/** A new phone account, confirmed if the mode needs it (verifyPhone), with a signed-in client. */
async function phoneAccount(nameOrUserData) {
  const phone = newPhone();
  const password = newPassword();
  const { client, storage } = newClient();
  let user, session;
  if (CONFIRM) {
    const { result, code } = await expectSms(phone, () => client.auth.signUpWithPhone(phone, password, nameOrUserData));
    ok(result, "signUpWithPhone");
    ({ user, session } = ok(await client.auth.verifyPhone(phone, code), "verifyPhone"));
  } else {
    ({ user, session } = ok(await client.auth.signUpWithPhone(phone, password, nameOrUserData), "signUpWithPhone"));
  }
  checkUser(user, { phone });
  checkSession(session, user._id);
  return { phone, password, client, storage, user, session };
}

/** Another signed-in client of an existing email account. */
async function signInAgain(email, password) {
  const { client, storage } = newClient();
  const { session } = ok(await client.auth.signInWithEmail(email, password), "signInWithEmail");
  return { client, storage, session };
}

// ================================================================================================

describe(`both modes (server running with confirmation ${CONFIRM ? "on" : "off"})`, () => {
  describe("sign-up and sign-in", () => {
    test("signUpWithEmail with a string name", TIMEOUT, async () => {
      const email = newEmail("name");
      const password = newPassword();
      const { client, storage } = newClient();
      const result = ok(await client.auth.signUpWithEmail(email, password, "Ada Lovelace"), "signUpWithEmail");
      checkUser(result.user, { email, name: "Ada Lovelace", emailVerified: false });
      if (CONFIRM) {
        assert.equal(result.session, null, "email confirmation pending: no session");
        assertSignedOut(client, storage);
        verifyLink(mailsTo(email).at(-1)); // the confirmation email went out
      } else {
        checkSession(result.session, result.user._id);
        await assertSignedIn(client, storage, result.session, result.user._id);
        assert.deepEqual(mailsTo(email), [], "no confirmation email when confirmation is off");
      }
    });

    test("signUpWithEmail with an object nameOrUserData keeps its fields", TIMEOUT, async () => {
      const extra = { name: "Grace Hopper", age: 85, favouriteColours: ["navy", "gold"], team: { id: 7 } };
      const { client, user } = await emailAccount("object", extra);
      const fromDb = ok(await client.auth.getUserFromDB(), "getUserFromDB").user;
      for (const seen of [user, fromDb]) {
        checkUser(seen, { name: "Grace Hopper", age: 85, favouriteColours: ["navy", "gold"], team: { id: 7 } });
      }
    });

    test("signUpWithPhone", TIMEOUT, async () => {
      const phone = newPhone();
      const password = newPassword();
      const { client, storage } = newClient();
      const before = readSms().length;
      const result = ok(await client.auth.signUpWithPhone(phone, password, "Phone User"), "signUpWithPhone");
      checkUser(result.user, { phone, name: "Phone User", phoneVerified: false });
      assert.ok(!("email" in result.user), JSON.stringify(result.user));
      const sent = readSms().slice(before).filter((message) => message.to === phone);
      if (CONFIRM) {
        assert.equal(result.session, null, "phone confirmation pending: no session");
        assertSignedOut(client, storage);
        assert.equal(sent.length, 1, "one confirmation SMS");
      } else {
        checkSession(result.session, result.user._id);
        await assertSignedIn(client, storage, result.session, result.user._id);
        assert.deepEqual(sent, [], "no confirmation SMS when confirmation is off");
      }
    });

    test("signInWithEmail stores the session and updates lastLoginAt", TIMEOUT, async () => {
      const { email, password, user } = await emailAccount("signin");
      const { client, storage } = newClient();
      const result = ok(await client.auth.signInWithEmail(email, password), "signInWithEmail");
      checkUser(result.user, { _id: user._id, email });
      checkSession(result.session, user._id);
      assert.ok(Date.parse(result.user.lastLoginAt) >= Date.parse(user.lastLoginAt));
      await assertSignedIn(client, storage, result.session, user._id);
    });

    test("signInWithPhone stores the session", TIMEOUT, async () => {
      const { phone, password, user } = await phoneAccount();
      const { client, storage } = newClient();
      const result = ok(await client.auth.signInWithPhone(phone, password), "signInWithPhone");
      checkUser(result.user, { _id: user._id, phone });
      checkSession(result.session, user._id);
      await assertSignedIn(client, storage, result.session, user._id);
    });

    test("an email address with + travels unencoded and stays a plus (spec 1.5)", TIMEOUT, async () => {
      const email = newEmail("plus").replace("@", "+tag@");
      const password = newPassword();
      const { client } = newClient();
      ok(await client.auth.signUpWithEmail(email, password), "signUpWithEmail");
      // send-reset takes the address raw in the query string: a `+` decoded as a space would
      // name no account and send nothing.
      const { result } = await expectMail(email, () => client.auth.sendResetPwdEmail(email));
      ok(result, "sendResetPwdEmail");
    });
  });

  describe("input errors", () => {
    test("wrong password and unknown account -> 401 invalid_sign_in_credentials", TIMEOUT, async () => {
      const { email, password } = await emailAccount("wrongpw");
      const { client, storage } = newClient();
      fails(await client.auth.signInWithEmail(email, `${password}-wrong`), 401, "invalid_sign_in_credentials", "wrong password");
      fails(await client.auth.signInWithEmail(newEmail("nobody"), password), 401, "invalid_sign_in_credentials", "unknown email");
      fails(await client.auth.signInWithPhone(newPhone(), password), 401, "invalid_sign_in_credentials", "unknown phone");
      assertSignedOut(client, storage);
      const phoneUser = await phoneAccount();
      fails(await client.auth.signInWithPhone(phoneUser.phone, `${phoneUser.password}x`), 401,
        "invalid_sign_in_credentials", "wrong phone password");
    });

    test("duplicate email -> 400 email_not_unique", TIMEOUT, async () => {
      const { email } = await emailAccount("dup");
      const { client } = newClient();
      fails(await client.auth.signUpWithEmail(email, newPassword()), 400, "email_not_unique");
      fails(await client.auth.signUpWithEmail(email.toUpperCase(), newPassword()), 400, "email_not_unique", "upper case");
    });

    test("duplicate phone -> 400 phone_not_unique", TIMEOUT, async () => {
      const { phone } = await phoneAccount();
      const { client } = newClient();
      fails(await client.auth.signUpWithPhone(phone, newPassword()), 400, "phone_not_unique");
    });

    test("malformed email -> 400 invalid_email_address", TIMEOUT, async () => {
      const { client } = newClient();
      for (const email of ["not-an-email", "a@", "@example.com", "two@@example.com"]) {
        fails(await client.auth.signUpWithEmail(email, newPassword()), 400, "invalid_email_address", `sign-up ${email}`);
      }
      fails(await client.auth.signInWithEmail("not-an-email", newPassword()), 400, "invalid_email_address", "sign-in");
    });

    test("malformed phone -> 400 invalid_phone_number", TIMEOUT, async () => {
      const { client } = newClient();
      for (const phone of ["12", "not a phone", "+1 000 000 0000", "+999123456789"]) {
        fails(await client.auth.signUpWithPhone(phone, newPassword()), 400, "invalid_phone_number", `sign-up ${phone}`);
      }
      fails(await client.auth.signInWithPhone("not a phone", newPassword()), 400, "invalid_phone_number", "sign-in");
    });

    test("getAuthGrant with a missing or unknown key", TIMEOUT, async () => {
      const { client, storage } = newClient();
      // In Node, getAuthGrant() without a token sends `?key=` (spec 3.1).
      fails(await client.auth.getAuthGrant(), 400, "missing_access_token", "no key");
      fails(await client.auth.getAuthGrant(`agt_${randomBytes(32).toString("base64url")}`), 403,
        "invalid_access_token", "unknown key");
      assertSignedOut(client, storage);
    });

    test("wrong SMS codes -> 403 invalid_access_token", TIMEOUT, async () => {
      const { phone } = await phoneAccount();
      const { client } = newClient();
      const { code } = await expectSms(phone, () => client.auth.sendResetPwdCode(phone));
      const wrong = code === "000000" ? "111111" : "000000";
      fails(await client.auth.resetPwdWithCode(phone, wrong, newPassword()), 403, "invalid_access_token", "reset-pwd-code");
      fails(await client.auth.signInWithCode(phone, wrong), 403, "invalid_access_token", "signin-code");
      fails(await client.auth.verifyPhone(phone, wrong), 403, "invalid_access_token", "verify-phone");
    });
  });

  describe("session checks", () => {
    test("every session route without a session -> 401 missing_session_token", TIMEOUT, async () => {
      const { client, storage } = newClient();
      const calls = {
        getUserFromDB: () => client.auth.getUserFromDB(),
        getAllSessions: () => client.auth.getAllSessions(),
        changePassword: () => client.auth.changePassword(newPassword(), newPassword()),
        changeEmail: () => client.auth.changeEmail(newPassword(), newEmail("nosession")),
        changePhone: () => client.auth.changePhone(newPassword(), newPhone()),
        signOut: () => client.auth.signOut(),
        signOutAll: () => client.auth.signOutAll(),
        signOutAllExceptCurrent: () => client.auth.signOutAllExceptCurrent(),
      };
      for (const [name, call] of Object.entries(calls)) {
        fails(await call(), 401, "missing_session_token", name);
      }
      assertSignedOut(client, storage);
    });

    test("a revoked session -> 401 invalid_session_token, and the client drops it", TIMEOUT, async () => {
      const a = await emailAccount("revoked");
      // Client B starts from the same stored session (localStorage read at construction).
      const storageB = memoryStorage({ session: JSON.stringify(a.session), user: JSON.stringify(a.user) });
      const { client: b } = newClient(storageB);
      ok(await b.auth.getUserFromDB(), "B before the revocation");
      ok(await a.client.auth.signOutAll(), "signOutAll");
      assertSignedOut(a.client, a.storage);
      fails(await b.auth.getUserFromDB(), 401, "invalid_session_token", "B after signOutAll");
      assertSignedOut(b, storageB); // invalidateSession (spec 2.4)
      // The Session header is gone too: the next call has no session at all.
      fails(await b.auth.getAllSessions(), 401, "missing_session_token", "B's next call");
    });

    test("getUserFromDBbyCookie (SSR helper): session_token cookie -> Session header", TIMEOUT, async () => {
      const { user, session, email, password } = await emailAccount("bycookie");
      const response = () => {
        const headers = {};
        return { headers, getHeader: (name) => headers[name], setHeader: (name, value) => void (headers[name] = value) };
      };
      const { client, storage } = newClient();
      const res = response();
      const found = ok(await client.auth.getUserFromDBbyCookie({ headers: { cookie: `session_token=${session.token}` } }, res),
        "getUserFromDBbyCookie");
      checkUser(found.user, { _id: user._id, email });
      assert.equal(res.headers["Set-Cookie"], undefined, "no cookie change on success");
      assert.equal(client.auth.getSession().token, session.token); // setSession persisted it

      // A revoked token: the client drops its session and expires the app's cookie.
      const { client: other } = await signInAgain(email, password);
      ok(await other.auth.signOutAll(), "signOutAll");
      const expired = response();
      fails(await client.auth.getUserFromDBbyCookie({ headers: { cookie: `session_token=${session.token}` } }, expired),
        401, "invalid_session_token", "getUserFromDBbyCookie after signOutAll");
      assert.match(String(expired.headers["Set-Cookie"]), /session_token=;.*Max-Age=-1/i);
      assertSignedOut(client, storage);
    });

    test("the server's session_token cookie stands in for a missing Session header (spec 1.6)", TIMEOUT, async () => {
      // The client never reads cookies; a browser sends them back by itself (fetch with
      // credentials: "include"). Plain fetch plays the browser here.
      const a = await emailAccount("cookie-a");
      const b = await emailAccount("cookie-b");
      const headers = { "X-Client": "altogic-js", "X-Client-Key": CLIENT_KEY, "Content-Type": "application/json" };
      const signIn = await fetch(`${ENV_URL}/_api/rest/v1/auth/signin-email`, {
        method: "POST", headers, body: JSON.stringify({ email: a.email, password: a.password }),
      });
      assert.equal(signIn.status, 200, await signIn.clone().text());
      const token = (await signIn.json()).session.token;
      const cookie = signIn.headers.getSetCookie().find((c) => c.startsWith("session_token="));
      assert.ok(cookie, `no session_token cookie: ${signIn.headers.getSetCookie()}`);
      assert.equal(cookie.split(";")[0], `session_token=${token}`);

      const userBy = async (extra) => {
        const res = await fetch(`${ENV_URL}/_api/rest/v1/auth/user`, { headers: { ...headers, ...extra } });
        assert.equal(res.status, 200, await res.clone().text());
        return (await res.json())._id;
      };
      assert.equal(await userBy({ Cookie: `session_token=${token}` }), a.user._id, "cookie only");
      assert.equal(await userBy({ Cookie: `session_token=${token}`, Session: b.session.token }), b.user._id,
        "the header wins over the cookie");
    });

    test("an invalid Session header is ignored where no session is needed (spec 2.4)", TIMEOUT, async () => {
      const { email, password, user } = await emailAccount("stale");
      const client = clientWithSession({ token: `ast_${randomBytes(32).toString("base64url")}` });
      const result = ok(await client.auth.signInWithEmail(email, password), "signInWithEmail with a stale header");
      checkSession(result.session, user._id);
      ok(await client.auth.getUserFromDB(), "getUserFromDB with the new session");
    });
  });

  describe("user and sessions", () => {
    test("getUserFromDB: the User shape, without password", TIMEOUT, async () => {
      const { client, user, email } = await emailAccount("user", "Shape");
      const fromDb = ok(await client.auth.getUserFromDB(), "getUserFromDB").user;
      checkUser(fromDb, { _id: user._id, email, name: "Shape", emailVerified: CONFIRM, signUpAt: user.signUpAt });
      const phoneUser = await phoneAccount();
      const phoneFromDb = ok(await phoneUser.client.auth.getUserFromDB(), "getUserFromDB (phone)").user;
      checkUser(phoneFromDb, { _id: phoneUser.user._id, phone: phoneUser.phone, phoneVerified: CONFIRM });
      assert.notEqual(phoneFromDb._id, fromDb._id);
    });

    test("getAllSessions: every session of the user in the Session shape", TIMEOUT, async () => {
      const { client, email, password, user, session } = await emailAccount("sessions");
      const second = await signInAgain(email, password);
      const other = await emailAccount("sessions-other"); // another user's session is not listed
      const { sessions } = ok(await client.auth.getAllSessions(), "getAllSessions");
      assert.ok(Array.isArray(sessions), JSON.stringify(sessions));
      assert.equal(sessions.length, 2, JSON.stringify(sessions));
      sessions.forEach((s) => checkSession(s, user._id));
      // The caller's own session carries the token it sends.
      assert.equal(sessions.filter((s) => s.token === session.token).length, 1, JSON.stringify(sessions));
      assert.ok(!sessions.some((s) => s.token === other.session.token));
      const seenBySecond = ok(await second.client.auth.getAllSessions(), "getAllSessions (second)").sessions;
      assert.equal(seenBySecond.length, 2);
      assert.equal(seenBySecond.filter((s) => s.token === second.session.token).length, 1);
    });

    test("changePassword", TIMEOUT, async () => {
      const { client, storage, email, password, user, session } = await emailAccount("changepw");
      fails(await client.auth.changePassword(newPassword(), `${password}-wrong`), 401, "invalid_credentials", "wrong old password");
      const changed = newPassword();
      ok(await client.auth.changePassword(changed, password), "changePassword");
      await assertSignedIn(client, storage, session, user._id); // the current session survives
      const { client: other } = newClient();
      fails(await other.auth.signInWithEmail(email, password), 401, "invalid_sign_in_credentials", "the old password");
      ok(await other.auth.signInWithEmail(email, changed), "the new password");
    });
  });

  describe("sign-out", () => {
    test("signOut() ends the current session", TIMEOUT, async () => {
      const { client, storage, session } = await emailAccount("signout");
      ok(await client.auth.signOut(), "signOut");
      assertSignedOut(client, storage);
      fails(await clientWithSession(session).auth.getUserFromDB(), 401, "invalid_session_token", "the ended session");
    });

    test("signOut(token) of the current session clears the client too", TIMEOUT, async () => {
      const { client, storage, session } = await emailAccount("signout-own");
      ok(await client.auth.signOut(session.token), "signOut(own token)");
      assertSignedOut(client, storage);
      fails(await clientWithSession(session).auth.getUserFromDB(), 401, "invalid_session_token", "the ended session");
    });

    test("signOut(token) of another session keeps the current one", TIMEOUT, async () => {
      const { client, storage, email, password, user, session } = await emailAccount("signout-other");
      const second = await signInAgain(email, password);
      const third = await signInAgain(email, password);
      // By the token the other client holds.
      ok(await client.auth.signOut(second.session.token), "signOut(second's token)");
      await assertSignedIn(client, storage, session, user._id);
      fails(await second.client.auth.getUserFromDB(), 401, "invalid_session_token", "the second session");
      // By the token getAllSessions lists for it (an app's "sign out that device").
      const listed = ok(await client.auth.getAllSessions(), "getAllSessions").sessions;
      assert.equal(listed.length, 2, JSON.stringify(listed));
      const thirdListed = listed.find((s) => s.token !== session.token);
      ok(await client.auth.signOut(thirdListed.token), "signOut(listed token)");
      await assertSignedIn(client, storage, session, user._id);
      fails(await third.client.auth.getUserFromDB(), 401, "invalid_session_token", "the third session");
      assert.equal(ok(await client.auth.getAllSessions()).sessions.length, 1);
    });

    test("signOut(unknown or foreign token) does not invalidate the caller (spec 2.4)", TIMEOUT, async () => {
      const { client, storage, user, session } = await emailAccount("signout-unknown");
      const stranger = await emailAccount("signout-stranger");
      for (const [what, token] of [
        ["unknown token", `ast_${randomBytes(32).toString("base64url")}`],
        ["another user's token", stranger.session.token],
      ]) {
        const { errors } = await client.auth.signOut(token);
        // A non-invalidating error or a no-op 200 (spec 6.2, 7.17).
        if (errors) {
          assert.ok(errors.status >= 400 && errors.status < 500, `${what}: ${JSON.stringify(errors)}`);
          errors.items.forEach((item) => {
            checkErrorEntry(item, `${what}: ${JSON.stringify(errors)}`);
            assert.ok(!INVALIDATING.has(item.code), `${what}: ${JSON.stringify(errors)}`);
          });
        }
        await assertSignedIn(client, storage, session, user._id);
      }
      await assertSignedIn(stranger.client, stranger.storage, stranger.session, stranger.user._id);
    });

    test("signOutAll ends every session of the user, and only theirs", TIMEOUT, async () => {
      const { client, storage, email, password, session } = await emailAccount("signout-all");
      const second = await signInAgain(email, password);
      const stranger = await emailAccount("signout-all-stranger");
      ok(await client.auth.signOutAll(), "signOutAll");
      assertSignedOut(client, storage);
      fails(await clientWithSession(session).auth.getUserFromDB(), 401, "invalid_session_token", "the current session");
      fails(await second.client.auth.getUserFromDB(), 401, "invalid_session_token", "the second session");
      await assertSignedIn(stranger.client, stranger.storage, stranger.session, stranger.user._id);
    });

    test("signOutAllExceptCurrent", TIMEOUT, async () => {
      const { client, storage, email, password, user, session } = await emailAccount("signout-except");
      const second = await signInAgain(email, password);
      const third = await signInAgain(email, password);
      ok(await client.auth.signOutAllExceptCurrent(), "signOutAllExceptCurrent");
      await assertSignedIn(client, storage, session, user._id);
      fails(await second.client.auth.getUserFromDB(), 401, "invalid_session_token", "the second session");
      fails(await third.client.auth.getUserFromDB(), 401, "invalid_session_token", "the third session");
      const { sessions } = ok(await client.auth.getAllSessions(), "getAllSessions");
      assert.deepEqual(sessions.map((s) => s.token), [session.token]);
    });
  });

  describe("password reset", () => {
    test("sendResetPwdEmail -> link -> resetPwdWithToken", TIMEOUT, async () => {
      const { email, password, user } = await emailAccount("reset");
      const { client, storage } = newClient();
      const { result, link } = await expectMail(email, () => client.auth.sendResetPwdEmail(email));
      ok(result, "sendResetPwdEmail");
      const query = await openLink(link);
      assert.equal(query.action, "reset-pwd", JSON.stringify(query));
      assert.equal(query.status, "200", JSON.stringify(query));
      assert.equal(typeof query.access_token, "string", JSON.stringify(query));
      // A reset token is no sign-in grant (spec 6.2), and trying does not use it up.
      fails(await client.auth.getAuthGrant(query.access_token), 401, "invalid_token_type", "getAuthGrant(reset token)");
      assertSignedOut(client, storage);
      const changed = newPassword();
      ok(await client.auth.resetPwdWithToken(query.access_token, changed), "resetPwdWithToken");
      fails(await client.auth.resetPwdWithToken(query.access_token, newPassword()), 403, "invalid_access_token", "reused token");
      assertFailedRedirect(await openLink(link), 403, "invalid_access_token"); // the link is used up
      fails(await client.auth.signInWithEmail(email, password), 401, "invalid_sign_in_credentials", "the old password");
      const signedIn = ok(await client.auth.signInWithEmail(email, changed), "the new password");
      assert.equal(signedIn.user._id, user._id);
    });

    test("sendResetPwdCode -> resetPwdWithCode", TIMEOUT, async () => {
      const { phone, password, user } = await phoneAccount();
      const { client } = newClient();
      const { result, code } = await expectSms(phone, () => client.auth.sendResetPwdCode(phone));
      ok(result, "sendResetPwdCode");
      const changed = newPassword();
      ok(await client.auth.resetPwdWithCode(phone, code, changed), "resetPwdWithCode");
      fails(await client.auth.resetPwdWithCode(phone, code, newPassword()), 403, "invalid_access_token", "reused code");
      fails(await client.auth.signInWithPhone(phone, password), 401, "invalid_sign_in_credentials", "the old password");
      const signedIn = ok(await client.auth.signInWithPhone(phone, changed), "the new password");
      assert.equal(signedIn.user._id, user._id);
    });
  });

  describe("credential changes: errors", () => {
    test("changeEmail with a wrong password or a taken address", TIMEOUT, async () => {
      const { client, password, email } = await emailAccount("chemail-err");
      const taken = await emailAccount("chemail-taken");
      fails(await client.auth.changeEmail(`${password}-wrong`, newEmail("never")), 401, "invalid_credentials", "wrong password");
      fails(await client.auth.changeEmail(password, taken.email), 400, "email_not_unique", "taken address");
      fails(await client.auth.changeEmail(password, "not-an-email"), 400, "invalid_email_address", "malformed");
      assert.equal(ok(await client.auth.getUserFromDB()).user.email, email);
    });

    test("changePhone with a wrong password or a taken number", TIMEOUT, async () => {
      const { client, password, phone } = await phoneAccount();
      const taken = await phoneAccount();
      fails(await client.auth.changePhone(`${password}-wrong`, newPhone()), 401, "invalid_credentials", "wrong password");
      fails(await client.auth.changePhone(password, taken.phone), 400, "phone_not_unique", "taken number");
      fails(await client.auth.changePhone(password, "not a phone"), 400, "invalid_phone_number", "malformed");
      assert.equal(ok(await client.auth.getUserFromDB()).user.phone, phone);
    });
  });
});

// ================================================================================================

describe("confirmation on", { skip: !CONFIRM && "the server runs with confirmation off" }, () => {
  test("email: sign-up -> email_not_verified -> resend -> link -> getAuthGrant", TIMEOUT, async () => {
    const email = newEmail("confirm");
    const password = newPassword();
    const { client, storage } = newClient();
    const signup = await expectMail(email, () => client.auth.signUpWithEmail(email, password, "Pending"));
    assert.deepEqual(Object.keys(ok(signup.result)).sort(), ["errors", "session", "user"]);
    assert.equal(signup.result.session, null);
    const pendingUser = checkUser(signup.result.user, { email, emailVerified: false, name: "Pending" });
    assertSignedOut(client, storage);

    fails(await client.auth.signInWithEmail(email, password), 401, "email_not_verified", "sign-in before confirming");
    assertSignedOut(client, storage);

    const resent = await expectMail(email, () => client.auth.resendVerificationEmail(email));
    ok(resent.result, "resendVerificationEmail");
    const query = await openLink(resent.link);
    assert.equal(query.action, "email-confirm", JSON.stringify(query));
    assert.equal(query.status, "200", JSON.stringify(query));
    assert.equal(typeof query.access_token, "string", JSON.stringify(query));

    const grant = ok(await client.auth.getAuthGrant(query.access_token), "getAuthGrant");
    checkUser(grant.user, { _id: pendingUser._id, email, emailVerified: true });
    checkSession(grant.session, pendingUser._id);
    await assertSignedIn(client, storage, grant.session, pendingUser._id);

    // The grant and the link are single-use.
    const { client: again } = newClient();
    fails(await again.auth.getAuthGrant(query.access_token), 403, "invalid_access_token", "reused grant");
    assertFailedRedirect(await openLink(resent.link), 403, "invalid_access_token");

    ok(await again.auth.signInWithEmail(email, password), "sign-in after confirming");
  });

  test("resendVerificationEmail with a + address (raw in the query, spec 1.5)", TIMEOUT, async () => {
    const email = newEmail("resend").replace("@", "+x@");
    const { client } = newClient();
    await expectMail(email, () => client.auth.signUpWithEmail(email, newPassword()));
    const { result, mail } = await expectMail(email, () => client.auth.resendVerificationEmail(email));
    ok(result, "resendVerificationEmail");
    assert.equal(mail.to, email);
  });

  test("phone: sign-up -> phone_not_verified -> resend -> verifyPhone", TIMEOUT, async () => {
    const phone = newPhone();
    const password = newPassword();
    const { client, storage } = newClient();
    const signup = await expectSms(phone, () => client.auth.signUpWithPhone(phone, password));
    assert.equal(ok(signup.result).session, null);
    const pendingUser = checkUser(signup.result.user, { phone, phoneVerified: false });
    assertSignedOut(client, storage);

    fails(await client.auth.signInWithPhone(phone, password), 401, "phone_not_verified", "sign-in before confirming");

    const resent = await expectSms(phone, () => client.auth.resendVerificationCode(phone));
    ok(resent.result, "resendVerificationCode");
    const verified = ok(await client.auth.verifyPhone(phone, resent.code), "verifyPhone");
    checkUser(verified.user, { _id: pendingUser._id, phone, phoneVerified: true });
    checkSession(verified.session, pendingUser._id);
    await assertSignedIn(client, storage, verified.session, pendingUser._id);

    const { client: again } = newClient();
    fails(await again.auth.verifyPhone(phone, resent.code), 403, "invalid_access_token", "reused code");
    ok(await again.auth.signInWithPhone(phone, password), "sign-in after confirming");
  });

  test("sendMagicLinkEmail -> link -> getAuthGrant", TIMEOUT, async () => {
    const { email, user } = await emailAccount("magic");
    const { client, storage } = newClient();
    const { result, link } = await expectMail(email, () => client.auth.sendMagicLinkEmail(email));
    ok(result, "sendMagicLinkEmail");
    const query = await openLink(link);
    assert.equal(query.action, "magic-link", JSON.stringify(query));
    assert.equal(query.status, "200", JSON.stringify(query));
    const grant = ok(await client.auth.getAuthGrant(query.access_token), "getAuthGrant");
    checkUser(grant.user, { _id: user._id, email });
    checkSession(grant.session, user._id);
    assert.ok(Date.parse(grant.user.lastLoginAt) >= Date.parse(user.lastLoginAt));
    await assertSignedIn(client, storage, grant.session, user._id);
    const { client: again } = newClient();
    fails(await again.auth.getAuthGrant(query.access_token), 403, "invalid_access_token", "reused grant");
    assertFailedRedirect(await openLink(link), 403, "invalid_access_token");
  });

  test("sendSignInCode -> signInWithCode", TIMEOUT, async () => {
    const { phone, user } = await phoneAccount();
    const { client, storage } = newClient();
    const { result, code } = await expectSms(phone, () => client.auth.sendSignInCode(phone));
    ok(result, "sendSignInCode");
    const signedIn = ok(await client.auth.signInWithCode(phone, code), "signInWithCode");
    checkUser(signedIn.user, { _id: user._id, phone });
    checkSession(signedIn.session, user._id);
    await assertSignedIn(client, storage, signedIn.session, user._id);
    const { client: again, storage: againStorage } = newClient();
    fails(await again.auth.signInWithCode(phone, code), 403, "invalid_access_token", "reused code");
    assertSignedOut(again, againStorage);
  });

  test("changeEmail: the unchanged user until the link is opened", TIMEOUT, async () => {
    const { client, storage, email, password, user, session } = await emailAccount("chemail");
    const newAddress = newEmail("chemail-new");
    const { result, link } = await expectMail(newAddress, () => client.auth.changeEmail(password, newAddress));
    checkUser(ok(result, "changeEmail").user, { _id: user._id, email });
    assert.equal(ok(await client.auth.getUserFromDB()).user.email, email, "before the link");

    const query = await openLink(link);
    assert.equal(query.action, "change-email", JSON.stringify(query));
    assert.equal(query.status, "200", JSON.stringify(query));
    assert.ok(!("access_token" in query), JSON.stringify(query));

    const after = ok(await client.auth.getUserFromDB()).user;
    checkUser(after, { _id: user._id, email: newAddress, emailVerified: true });
    await assertSignedIn(client, storage, session, user._id);
    const { client: other } = newClient();
    fails(await other.auth.signInWithEmail(email, password), 401, "invalid_sign_in_credentials", "the old address");
    ok(await other.auth.signInWithEmail(newAddress, password), "the new address");
  });

  test("changePhone: the unchanged user, then verifyPhone -> {user, session: null}", TIMEOUT, async () => {
    const { client, storage, phone, password, user, session } = await phoneAccount();
    const newNumber = newPhone();
    const { result, code } = await expectSms(newNumber, () => client.auth.changePhone(password, newNumber));
    checkUser(ok(result, "changePhone").user, { _id: user._id, phone });
    assert.equal(ok(await client.auth.getUserFromDB()).user.phone, phone, "before verifyPhone");

    const verified = ok(await client.auth.verifyPhone(newNumber, code), "verifyPhone");
    assert.equal(verified.session, null, JSON.stringify(verified));
    checkUser(verified.user, { _id: user._id, phone: newNumber });
    await assertSignedIn(client, storage, session, user._id); // the client's session is untouched
    assert.equal(ok(await client.auth.getUserFromDB()).user.phone, newNumber);

    const { client: other } = newClient();
    fails(await other.auth.signInWithPhone(phone, password), 401, "invalid_sign_in_credentials", "the old number");
    ok(await other.auth.signInWithPhone(newNumber, password), "the new number");
  });
});

// ================================================================================================

describe("confirmation off", { skip: CONFIRM && "the server runs with confirmation on" }, () => {
  test("resendVerificationEmail / resendVerificationCode -> *_verification_disabled", TIMEOUT, async () => {
    const { email } = await emailAccount("resend-off");
    const { phone } = await phoneAccount();
    const { client } = newClient();
    fails(await client.auth.resendVerificationEmail(email), null, "email_verification_disabled");
    fails(await client.auth.resendVerificationCode(phone), null, "phone_verification_disabled");
  });

  test("sign-up gives a session that works at once", TIMEOUT, async () => {
    const email = newEmail("instant");
    const password = newPassword();
    const { client, storage } = newClient();
    const { user, session } = ok(await client.auth.signUpWithEmail(email, password), "signUpWithEmail");
    checkSession(session, user._id);
    await assertSignedIn(client, storage, session, user._id);
    ok(await client.auth.signOut(), "signOut");
    const again = ok(await client.auth.signInWithEmail(email, password), "signInWithEmail");
    await assertSignedIn(client, storage, again.session, user._id);
  });

  test("changeEmail applies at once and returns the updated user", TIMEOUT, async () => {
    const { client, storage, email, password, user, session } = await emailAccount("chemail-off");
    const newAddress = newEmail("chemail-off-new");
    const result = ok(await client.auth.changeEmail(password, newAddress), "changeEmail");
    checkUser(result.user, { _id: user._id, email: newAddress });
    assert.equal(ok(await client.auth.getUserFromDB()).user.email, newAddress);
    await assertSignedIn(client, storage, session, user._id);
    const { client: other } = newClient();
    fails(await other.auth.signInWithEmail(email, password), 401, "invalid_sign_in_credentials", "the old address");
    ok(await other.auth.signInWithEmail(newAddress, password), "the new address");
  });

  test("changePhone applies at once and returns the updated user", TIMEOUT, async () => {
    const { client, storage, phone, password, user, session } = await phoneAccount();
    const newNumber = newPhone();
    const result = ok(await client.auth.changePhone(password, newNumber), "changePhone");
    checkUser(result.user, { _id: user._id, phone: newNumber });
    assert.equal(ok(await client.auth.getUserFromDB()).user.phone, newNumber);
    await assertSignedIn(client, storage, session, user._id);
    const { client: other } = newClient();
    fails(await other.auth.signInWithPhone(phone, password), 401, "invalid_sign_in_credentials", "the old number");
    ok(await other.auth.signInWithPhone(newNumber, password), "the new number");
  });
});
