// The real altogic@2.3.9 client against a host project made from the README's install section
// with agnost-django installed from its wheel (tests/package/test_host_project.py): the cache,
// sign-up, a data model of the host (notes), a storage upload and a realtime message.
// Environment: AGNOST_ENV_URL, AGNOST_CLIENT_KEY; NODE_OPTIONS preloads localhost-dns.cjs.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { createClient } from "altogic";

// Every socket the client makes is remembered and closed at the end (as in realtime.test.mjs):
// a socket left open, or retrying, would keep Node running.
const socketIo = createRequire(import.meta.url)("socket.io-client");
const sockets = [];
const originalSocket = socketIo.Manager.prototype.socket;
socketIo.Manager.prototype.socket = function socket(...args) {
  const created = originalSocket.apply(this, args);
  sockets.push(created);
  return created;
};
after(() => { for (const socket of sockets) socket.disconnect(); });

const { AGNOST_ENV_URL: ENV_URL, AGNOST_CLIENT_KEY: CLIENT_KEY } = process.env;
assert.ok(ENV_URL && CLIENT_KEY, "AGNOST_ENV_URL and AGNOST_CLIENT_KEY must be set");

function ok({ data, errors }, what) {
  assert.equal(errors, null, `${what}: ${JSON.stringify(errors)}`);
  return data;
}

function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

test("the README's host project, installed from the wheel, serves the altogic client", { timeout: 60_000 }, async () => {
  const tag = randomBytes(4).toString("hex");
  const client = createClient(ENV_URL, CLIENT_KEY);
  {
    ok(await client.cache.set(`greeting-${tag}`, { text: "hello" }, 60), "cache.set");
    assert.deepEqual(ok(await client.cache.get(`greeting-${tag}`), "cache.get"), { text: "hello" });

    const email = `host-${tag}@example.com`;
    const { user, session, errors } = await client.auth.signUpWithEmail(email, `a long password ${tag}`, "Ada");
    assert.equal(errors, null, `signUpWithEmail: ${JSON.stringify(errors)}`);
    assert.equal(user.email, email);
    assert.ok(session.token, "a session");

    const note = ok(await client.db.model("notes").create({ text: `from the wheel ${tag}` }), "notes create");
    const again = ok(await client.db.model("notes").object(note._id).get(), "notes get");
    assert.equal(again.text, `from the wheel ${tag}`);
    assert.equal(String(again.owner), String(user._id), "the owner is the signed-in user");

    const png = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");
    const file = ok(await client.storage.bucket("root").upload(`hello-${tag}.png`, png, { contentType: "image/png" }), "upload");
    assert.equal(file.size, png.length);
    const blob = ok(await client.storage.bucket("root").file(`hello-${tag}.png`).download(), "download");
    assert.equal(Buffer.from(await blob.arrayBuffer()).toString("hex"), png.toString("hex"));

    const received = new Promise((resolve) => client.realtime.on("hello", resolve));
    client.realtime.join(`room-${tag}`);
    client.realtime.send(`room-${tag}`, "hello", { text: "hi" });  // echoed to the sender by default
    const { channel, message } = await within(received, 15_000, "the realtime message");
    assert.equal(channel, `room-${tag}`);
    assert.deepEqual(message, { text: "hi" });
  }
});
