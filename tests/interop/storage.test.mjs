// Every StorageManager, BucketManager and FileManager method of the unmodified altogic@2.3.9
// client that Node can drive, against a running agnost_django server (spec 3.3 and 3.4). Run
// by test_storage_interop.py through server.py, which sets AGNOST_ENV_URL / AGNOST_CLIENT_KEY,
// preloads localhost-dns.cjs, and passes a staff user made with manage.py
// (AGNOST_STAFF_EMAIL / AGNOST_STAFF_PASSWORD) and the server's largest upload
// (AGNOST_STORAGE_MAX_UPLOAD_SIZE). By hand:
//   AGNOST_ENV_URL=http://realtime.agnost.app.localhost:8000 AGNOST_CLIENT_KEY=... \
//   AGNOST_STAFF_EMAIL=... AGNOST_STAFF_PASSWORD=... AGNOST_STORAGE_MAX_UPLOAD_SIZE=4096 \
//   NODE_OPTIONS="--require $PWD/localhost-dns.cjs" node --test storage.test.mjs
//
// Node can only use the upload-object route (spec 1.4): strings, Buffers, typed arrays and
// other JSON; Blob and FormData bodies do not survive node-fetch v2, so the multipart routes
// (upload-formdata, replace-formdata) are left to the server's own tests.
//
// The policy under test (agnost_django/storage/adapter.py): creating buckets and reading the
// statistics is staff's; listing and reading buckets needs a session; a bucket is changed by
// its owner or staff; any signed-in user uploads and owns what they upload; a public file is
// read by anyone, a private one by its owner and staff; a file is changed by its owner or
// staff. Anonymous refusals are 401 missing_session_token, signed-in ones 403 not_allowed.
//
// Every test works in buckets whose names start with a tag of random letters unique to the
// test, so reruns against the same server never interfere. A call whose promise never settles
// (test timeout) means the server sent a non-JSON error body (spec 2.3): a server bug.

import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { createClient } from "altogic";

const ENV_URL = process.env.AGNOST_ENV_URL;
const CLIENT_KEY = process.env.AGNOST_CLIENT_KEY;
const STAFF_EMAIL = process.env.AGNOST_STAFF_EMAIL;
const STAFF_PASSWORD = process.env.AGNOST_STAFF_PASSWORD;
const MAX_UPLOAD_SIZE = Number(process.env.AGNOST_STORAGE_MAX_UPLOAD_SIZE);
assert.ok(ENV_URL && CLIENT_KEY, "AGNOST_ENV_URL and AGNOST_CLIENT_KEY must be set");
assert.ok(STAFF_EMAIL && STAFF_PASSWORD, "AGNOST_STAFF_EMAIL and AGNOST_STAFF_PASSWORD must be set");
assert.ok(MAX_UPLOAD_SIZE > 0, "AGNOST_STORAGE_MAX_UPLOAD_SIZE must be set");

const TIMEOUT = { timeout: 30_000 }; // per test: a hung call fails its own test only

const BUCKET_KEYS = ["_id", "createdAt", "isPublic", "name", "tags", "updatedAt", "userId"];
const FILE_KEYS = [
  "_id", "bucketId", "checksum", "encoding", "fileName", "isPublic", "mimeType", "publicPath",
  "size", "tags", "updatedAt", "uploadedAt", "userId",
];
const STATS_KEYS = ["averageObjectSize", "maxObjectSize", "minObjectSize", "objectsCount", "totalStorageSize"];
const UNSAFE_FILE_NAMES = [
  "../x.txt", "a/../b.txt", "a/./b.txt", "a//b.txt", "..", "x\u0001y.txt", "line\nbreak.txt", "tab\there.txt",
  "back\\slash.txt", "C:\\evil.txt", "", "   ", "0b6f1d52-4b54-4c4e-9a43-7f0e2c9d1a11",
];
const UNSAFE_BUCKET_NAMES = ["a/b", "..", ".", "", "  ", "x\u0000y", "back\\slash", "0b6f1d52-4b54-4c4e-9a43-7f0e2c9d1a11"];

// -- names ------------------------------------------------------------------------------------

/** A fresh tag of 12 lower-case letters, unique to a test. */
function newTag() {
  return Array.from(randomBytes(12), (byte) => String.fromCharCode(97 + (byte % 26))).join("");
}

// -- results ----------------------------------------------------------------------------------

/** Assert a successful call and return its data; show the server's errors if any. */
function ok(result, what = "call") {
  assert.equal(result.errors, null, `${what} failed: ${JSON.stringify(result.errors)}`);
  return result.data;
}

/** Assert an error result with the given status and first error code (spec 2.3); `data` is
 * null where the method returns it. Returns the first error entry. */
function fails(result, status, code, what = "call") {
  const { errors } = result;
  assert.ok(errors, `${what}: expected ${status} ${code}, got success: ${JSON.stringify(result)}`);
  const context = `${what}: ${JSON.stringify(errors)}`;
  assert.equal(errors.status, status, context);
  assert.ok(Array.isArray(errors.items) && errors.items.length > 0, context);
  const [item] = errors.items;
  assert.equal(item.code, code, context);
  // Strict clients (Dart) need all three strings and an object `details` if present.
  for (const entry of errors.items) {
    assert.equal(entry.origin, "client_error", context);
    assert.equal(typeof entry.code, "string", context);
    assert.equal(typeof entry.message, "string", context);
    if ("details" in entry) assert.ok(entry.details !== null && typeof entry.details === "object", context);
  }
  if ("data" in result) assert.equal(result.data, null, `${what}: data of an error result`);
  return item;
}

function isoString(value, what) {
  assert.equal(typeof value, "string", `${what} is not a string: ${JSON.stringify(value)}`);
  assert.ok(!Number.isNaN(Date.parse(value)), `${what} is not an ISO date: ${value}`);
}

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

/** A bucket as the wire shape says (spec 3.4), with `expected` fields. */
function checkBucket(bucket, expected = {}) {
  const keys = Object.keys(bucket).filter((key) => key !== "stats").sort();
  assert.deepEqual(keys, BUCKET_KEYS, JSON.stringify(bucket));
  assert.equal(typeof bucket._id, "string");
  assert.equal(typeof bucket.isPublic, "boolean");
  assert.ok(Array.isArray(bucket.tags), JSON.stringify(bucket));
  isoString(bucket.createdAt, "createdAt");
  isoString(bucket.updatedAt, "updatedAt");
  for (const [key, value] of Object.entries(expected)) assert.deepEqual(bucket[key], value, `${key}: ${JSON.stringify(bucket)}`);
  return bucket;
}

/** A file as the wire shape says (spec 3.4), with `expected` fields; `content` (bytes) also
 * checks size and checksum. */
function checkFile(file, expected = {}, content = undefined) {
  assert.deepEqual(Object.keys(file).sort(), FILE_KEYS, JSON.stringify(file));
  assert.equal(typeof file._id, "string");
  assert.equal(file.publicPath, `${ENV_URL}/_storage/${file._id}`, JSON.stringify(file));
  assert.equal(typeof file.encoding, "string");
  assert.equal(typeof file.mimeType, "string");
  assert.ok(Number.isInteger(file.size), JSON.stringify(file));
  assert.match(file.checksum, /^[0-9a-f]{64}$/, JSON.stringify(file));
  assert.ok(Array.isArray(file.tags), JSON.stringify(file));
  isoString(file.uploadedAt, "uploadedAt");
  isoString(file.updatedAt, "updatedAt");
  for (const [key, value] of Object.entries(expected)) assert.deepEqual(file[key], value, `${key}: ${JSON.stringify(file)}`);
  if (content !== undefined) {
    assert.equal(file.size, content.length, `size: ${JSON.stringify(file)}`);
    assert.equal(file.checksum, sha256(content), `checksum: ${JSON.stringify(file)}`);
  }
  return file;
}

/** The bytes of `file(...).download()` (the client gives a Blob, spec 3.4). */
async function downloaded(fileManager, what = "download") {
  const blob = ok(await fileManager.download(), what);
  assert.ok(blob && typeof blob.arrayBuffer === "function", `${what}: not a Blob: ${blob}`);
  return Buffer.from(await blob.arrayBuffer());
}

const fileNames = (rows) => {
  assert.ok(Array.isArray(rows), `not an array: ${JSON.stringify(rows)}`);
  return rows.map((row) => row.fileName);
};

/** A plain GET of a file's publicPath, as an <img src> would do it (no client headers). */
function getPublic(url, headers = {}) {
  return fetch(url, { headers, redirect: "manual" });
}

// -- clients ----------------------------------------------------------------------------------

/** The subset of the Web Storage API the client uses (spec 1.7), in memory. */
function memoryStorage() {
  const items = new Map();
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key),
  };
}

const newClient = () => createClient(ENV_URL, CLIENT_KEY, { localStorage: memoryStorage() });

/** A fresh client signed up (email confirmation is off on this server) with a new user. */
async function signedUpClient(label) {
  const client = newClient();
  const email = `it-storage-${newTag()}-${label}@example.com`;
  const password = `Pw-${randomBytes(6).toString("hex")}-Zq!`;
  const result = await client.auth.signUpWithEmail(email, password, label);
  assert.equal(result.errors, null, `signUpWithEmail: ${JSON.stringify(result.errors)}`);
  assert.ok(result.session?.token, `no session: email confirmation must be off: ${JSON.stringify(result)}`);
  return { client, storage: client.storage, user: result.user, token: result.session.token };
}

/** The staff user made by test_storage_interop.py, signed in. */
async function staffClient() {
  const client = newClient();
  const result = await client.auth.signInWithEmail(STAFF_EMAIL, STAFF_PASSWORD);
  assert.equal(result.errors, null, `staff signInWithEmail: ${JSON.stringify(result.errors)}`);
  return { client, storage: client.storage, user: result.user, token: result.session.token };
}

let staff; // may create buckets and read everything
let alice; // a signed-up user
let bob; // another one
/** A client without a session: a fresh one per use. */
const anonymous = () => newClient().storage;

before(async () => {
  [staff, alice, bob] = await Promise.all([staffClient(), signedUpClient("alice"), signedUpClient("bob")]);
});

/** A bucket of staff named `<tag>-<suffix>`, with `isPublic`. */
async function newBucket(tag, suffix = "b", isPublic = true, tags = []) {
  const name = `${tag}-${suffix}`;
  checkBucket(ok(await staff.storage.createBucket(name, isPublic, tags), `createBucket ${name}`), { name, isPublic, tags });
  return name;
}

/** Upload `body` as `fileName` into `bucket` with `who`'s client; returns the file. */
async function upload(who, bucket, fileName, body, options = undefined) {
  return ok(await who.storage.bucket(bucket).upload(fileName, body, options), `upload ${bucket}/${fileName}`);
}

// -- buckets ----------------------------------------------------------------------------------

describe("buckets", () => {
  test("createBucket: shape, defaults, owner; getInfo by name and id; exists", TIMEOUT, async () => {
    const tag = newTag();
    const created = checkBucket(ok(await staff.storage.createBucket(`${tag}-photos`, false, ["img", "2024"])), {
      name: `${tag}-photos`, isPublic: false, tags: ["img", "2024"], userId: staff.user._id,
    });
    // The client's defaults: public, no tags.
    checkBucket(ok(await staff.storage.createBucket(`${tag}-plain`)), { name: `${tag}-plain`, isPublic: true, tags: [] });
    // A single tag string is a list of one.
    checkBucket(ok(await staff.storage.createBucket(`${tag}-one`, true, "solo")), { tags: ["solo"] });

    assert.deepEqual(ok(await alice.storage.bucket(`${tag}-photos`).getInfo(), "getInfo by name"), created);
    assert.deepEqual(ok(await alice.storage.bucket(created._id).getInfo(), "getInfo by id"), created);
    assert.equal(ok(await alice.storage.bucket(`${tag}-photos`).exists()), true);
    assert.equal(ok(await alice.storage.bucket(created._id).exists()), true);
    assert.equal(ok(await alice.storage.bucket(`${tag}-nothing`).exists()), false);
    // Names are trimmed.
    checkBucket(ok(await staff.storage.createBucket(`  ${tag}-spaced  `)), { name: `${tag}-spaced` });
  });

  test("getInfo(true) adds stats; they follow the uploads", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag);
    const empty = ok(await staff.storage.bucket(name).getInfo(true), "getInfo(true)");
    checkBucket(empty, { name });
    assert.deepEqual(empty.stats, {
      objectsCount: 0, totalStorageSize: 0, averageObjectSize: 0, minObjectSize: 0, maxObjectSize: 0,
    });
    assert.ok(!("stats" in ok(await staff.storage.bucket(name).getInfo())), "stats without detailed");
    await upload(alice, name, "a.txt", "x".repeat(10));
    await upload(alice, name, "b.txt", "x".repeat(20));
    await upload(bob, name, "c.txt", "x".repeat(30));
    const full = ok(await staff.storage.bucket(name).getInfo(true), "getInfo(true)");
    assert.deepEqual(Object.keys(full.stats).sort(), STATS_KEYS);
    assert.deepEqual(full.stats, {
      objectsCount: 3, totalStorageSize: 60, averageObjectSize: 20, minObjectSize: 10, maxObjectSize: 30,
    });
  });

  test("create-bucket errors: existing name 409, unsafe names 400", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag);
    const item = fails(await staff.storage.createBucket(name), 409, "bucket_already_exists");
    assert.ok(item.details && typeof item.details === "object", JSON.stringify(item));
    fails(await staff.storage.createBucket(`  ${name} `), 409, "bucket_already_exists", "trimmed name");
    fails(await staff.storage.createBucket("root"), 409, "bucket_already_exists", "root");
    for (const bad of UNSAFE_BUCKET_NAMES) {
      fails(await staff.storage.createBucket(bad), 400, "invalid_bucket_name", `createBucket ${JSON.stringify(bad)}`);
    }
    fails(await staff.storage.createBucket(`${tag}-${"x".repeat(200)}`), 400, "invalid_bucket_name", "too long");
  });

  test("listBuckets: expression, sort, paging, count info; the options-first form", TIMEOUT, async () => {
    const tag = newTag();
    for (const suffix of ["c", "a", "d", "b"]) await newBucket(tag, suffix, suffix !== "d");
    const mine = `STARTSWITH(name, '${tag}')`;
    const names = (rows) => rows.map((row) => row.name);
    const all = ok(await alice.storage.listBuckets(mine, { sort: { field: "name", direction: "asc" } }));
    all.forEach((bucket) => checkBucket(bucket));
    assert.deepEqual(names(all), ["a", "b", "c", "d"].map((s) => `${tag}-${s}`));
    const desc = ok(await alice.storage.listBuckets(mine, { sort: { field: "name", direction: "desc" } }));
    assert.deepEqual(names(desc), ["d", "c", "b", "a"].map((s) => `${tag}-${s}`));
    // Newest first without a sort.
    assert.deepEqual(names(ok(await alice.storage.listBuckets(mine))), ["b", "d", "a", "c"].map((s) => `${tag}-${s}`));
    const page = ok(await alice.storage.listBuckets(mine, {
      page: 2, limit: 3, sort: { field: "name", direction: "asc" }, returnCountInfo: true,
    }));
    assert.deepEqual(page.info, { count: 4, totalPages: 2, currentPage: 2, pageSize: 3 });
    assert.deepEqual(names(page.data), [`${tag}-d`]);
    const privateOnes = ok(await alice.storage.listBuckets(`${mine} && isPublic == false`));
    assert.deepEqual(names(privateOnes), [`${tag}-d`]);
    // listBuckets(options): the client sends them as options and no expression.
    const first = ok(await alice.storage.listBuckets({ limit: 1, sort: { field: "createdAt", direction: "desc" }, returnCountInfo: true }));
    assert.equal(first.data.length, 1);
    assert.ok(first.info.count >= 4, JSON.stringify(first.info));
    // Errors of the expression language and of the options.
    fails(await alice.storage.listBuckets("name =="), 400, "invalid_expression");
    fails(await alice.storage.listBuckets("nope == 1"), 400, "invalid_field");
    fails(await alice.storage.listBuckets(mine, { sort: { field: "nope", direction: "asc" } }), 400, "invalid_field", "sort");
  });

  test("rename, addTags, removeTags, makePublic/makePrivate, updateInfo", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag, "old", false, ["a"]);
    const file = await upload(alice, name, "f.txt", "content");
    assert.equal(file.isPublic, false, "a private bucket's files are private by default");

    const renamed = checkBucket(ok(await staff.storage.bucket(name).rename(`${tag}-new`), "rename"), { name: `${tag}-new` });
    fails(await staff.storage.bucket(name).getInfo(), 404, "bucket_not_found", "old name");
    assert.equal(ok(await alice.storage.bucket(`${tag}-new`).file("f.txt").getInfo()).bucketId, renamed._id);
    await newBucket(tag, "other");
    fails(await staff.storage.bucket(`${tag}-new`).rename(`${tag}-other`), 409, "bucket_already_exists", "rename onto a name");
    fails(await staff.storage.bucket(`${tag}-new`).rename("a/b"), 400, "invalid_bucket_name", "rename to an unsafe name");
    fails(await staff.storage.bucket(`${tag}-gone`).rename(`${tag}-x`), 404, "bucket_not_found", "rename unknown");

    const bucket = staff.storage.bucket(renamed._id); // by id from now on
    assert.deepEqual(ok(await bucket.addTags(["b", "c", "a"]), "addTags").tags, ["a", "b", "c"]);
    assert.deepEqual(ok(await bucket.addTags("d"), "addTags string").tags, ["a", "b", "c", "d"]);
    assert.deepEqual(ok(await bucket.removeTags(["a", "zz"]), "removeTags").tags, ["b", "c", "d"]);
    assert.deepEqual(ok(await bucket.removeTags("c"), "removeTags string").tags, ["b", "d"]);
    fails(await bucket.addTags([1, 2]), 400, "invalid_tags", "non-string tags");

    // Privacy of the bucket alone, then with its files.
    assert.equal(ok(await bucket.makePublic(), "makePublic").isPublic, true);
    assert.equal(ok(await alice.storage.bucket(`${tag}-new`).file(file._id).getInfo()).isPublic, false);
    assert.equal(ok(await bucket.makePrivate(), "makePrivate").isPublic, false);
    assert.equal(ok(await bucket.makePublic(true), "makePublic(true)").isPublic, true);
    assert.equal(ok(await alice.storage.bucket(`${tag}-new`).file(file._id).getInfo()).isPublic, true);
    assert.equal(ok(await bucket.makePrivate(true), "makePrivate(true)").isPublic, false);
    assert.equal(ok(await alice.storage.bucket(`${tag}-new`).file(file._id).getInfo()).isPublic, false);

    // updateInfo(newName, isPublic, tags, includeFiles)
    const updated = ok(await bucket.updateInfo(`${tag}-upd`, true, ["x", "y"], true), "updateInfo");
    checkBucket(updated, { name: `${tag}-upd`, isPublic: true, tags: ["x", "y"], _id: renamed._id });
    assert.equal(ok(await alice.storage.bucket(`${tag}-upd`).file("f.txt").getInfo()).isPublic, true);
    // Left-out arguments are left alone.
    const same = ok(await bucket.updateInfo(undefined, false), "updateInfo privacy only");
    checkBucket(same, { name: `${tag}-upd`, isPublic: false, tags: ["x", "y"] });
    assert.equal(ok(await alice.storage.bucket(`${tag}-upd`).file("f.txt").getInfo()).isPublic, true);
    fails(await bucket.updateInfo(`${tag}-other`, true, []), 409, "bucket_already_exists", "updateInfo onto a name");
    fails(await bucket.updateInfo("..", true, []), 400, "invalid_bucket_name", "updateInfo to an unsafe name");
  });

  test("empty and delete; deleteFiles by name or id", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag);
    const a = await upload(alice, name, "a.txt", "a");
    await upload(alice, name, "b.txt", "b");
    await upload(alice, name, "c.txt", "c");
    await upload(alice, name, "d.txt", "d");
    // deleteFiles: names and ids together; unknown ones are skipped. The body is ignored.
    assert.deepEqual(await alice.storage.bucket(name).deleteFiles([a._id, "b.txt", "nope.txt"]), { errors: null });
    assert.deepEqual(fileNames(ok(await alice.storage.bucket(name).listFiles({ sort: { field: "fileName", direction: "asc" } }))), ["c.txt", "d.txt"]);
    fails(await alice.storage.bucket(a._id).file(a._id).getInfo(), 404, "bucket_not_found", "a file id is no bucket id");
    fails(await alice.storage.bucket(name).file(a._id).getInfo(), 404, "file_not_found", "deleted file");
    fails(await alice.storage.bucket(`${tag}-none`).deleteFiles(["c.txt"]), 404, "bucket_not_found");

    // empty: every file goes, the bucket stays.
    assert.deepEqual(await staff.storage.bucket(name).empty(), { errors: null });
    assert.deepEqual(ok(await alice.storage.bucket(name).listFiles()), []);
    assert.equal(ok(await alice.storage.bucket(name).exists()), true);
    fails(await staff.storage.bucket(`${tag}-none`).empty(), 404, "bucket_not_found");

    // delete: the bucket and its files.
    const kept = await upload(alice, name, "kept.txt", "kept");
    assert.deepEqual(await staff.storage.bucket(name).delete(), { errors: null });
    assert.equal(ok(await alice.storage.bucket(name).exists()), false);
    fails(await alice.storage.bucket(name).getInfo(), 404, "bucket_not_found");
    fails(await alice.storage.bucket(name).file("kept.txt").getInfo(), 404, "bucket_not_found");
    assert.equal((await getPublic(kept.publicPath)).status, 404, "the deleted file's publicPath");
    fails(await staff.storage.bucket(name).delete(), 404, "bucket_not_found", "delete twice");
  });

  test("root: exists without a request, private by default, cannot be renamed or deleted", TIMEOUT, async () => {
    assert.deepEqual(await anonymous().root.exists(), { data: true, errors: null });
    const root = checkBucket(ok(await alice.storage.root.getInfo(), "root getInfo"), { name: "root" });
    assert.deepEqual(ok(await alice.storage.bucket("root").getInfo()), root);
    const tag = newTag();
    const file = await upload(alice, "root", `${tag}.txt`, "in root");
    checkFile(file, { bucketId: root._id, isPublic: root.isPublic, userId: alice.user._id });
    assert.equal(root.isPublic, false, "AGNOST_STORAGE_ROOT_BUCKET_PUBLIC is off by default");
    fails(await staff.storage.root.delete(), 400, "root_bucket_protected", "delete root");
    fails(await staff.storage.root.rename(`${tag}-root`), 400, "root_bucket_protected", "rename root");
    fails(await staff.storage.root.updateInfo(`${tag}-root`, false, []), 400, "root_bucket_protected", "updateInfo root");
    assert.equal(ok(await staff.storage.root.getInfo()).name, "root");
    ok(await alice.storage.root.file(file._id).delete(), "delete the root file");
  });
});

// -- policy -----------------------------------------------------------------------------------

describe("who may do what with buckets", () => {
  test("staff only: createBucket, getStats, upload with createBucket", TIMEOUT, async () => {
    const tag = newTag();
    fails(await alice.storage.createBucket(`${tag}-a`), 403, "not_allowed", "alice createBucket");
    fails(await anonymous().createBucket(`${tag}-a`), 401, "missing_session_token", "anonymous createBucket");
    fails(await alice.storage.getStats(), 403, "not_allowed", "alice getStats");
    fails(await anonymous().getStats(), 401, "missing_session_token", "anonymous getStats");
    fails(await alice.storage.bucket(`${tag}-auto`).upload("x.txt", "x", { createBucket: true }), 403, "not_allowed",
      "alice upload with createBucket");
    assert.equal(ok(await staff.storage.bucket(`${tag}-auto`).exists()), false);
    fails(await staff.storage.bucket(`${tag}-auto`).upload("x.txt", "x"), 404, "bucket_not_found", "upload without createBucket");
    const file = ok(await staff.storage.bucket(`${tag}-auto`).upload("x.txt", "x", { createBucket: true }), "staff upload with createBucket");
    const bucket = checkBucket(ok(await staff.storage.bucket(`${tag}-auto`).getInfo()), { name: `${tag}-auto`, isPublic: true });
    checkFile(file, { bucketId: bucket._id, fileName: "x.txt", userId: staff.user._id });
  });

  test("signed-in users list and read buckets; only the owner or staff change one", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag, "b", true, ["t"]);
    const file = await upload(alice, name, "alice.txt", "mine");
    const unchanged = ok(await staff.storage.bucket(name).getInfo());
    for (const [what, call] of [
      ["rename", (b) => b.rename(`${tag}-stolen`)],
      ["addTags", (b) => b.addTags("x")],
      ["removeTags", (b) => b.removeTags("t")],
      ["makePublic", (b) => b.makePublic(true)],
      ["makePrivate", (b) => b.makePrivate(true)],
      ["updateInfo", (b) => b.updateInfo(`${tag}-stolen`, false, [])],
      ["empty", (b) => b.empty()],
      ["delete", (b) => b.delete()],
    ]) {
      fails(await call(alice.storage.bucket(name)), 403, "not_allowed", `alice ${what}`);
      fails(await call(anonymous().bucket(name)), 401, "missing_session_token", `anonymous ${what}`);
    }
    for (const [what, call] of [
      ["getInfo", (s) => s.bucket(name).getInfo()],
      ["exists", (s) => s.bucket(name).exists()],
      ["listBuckets", (s) => s.listBuckets()],
    ]) {
      fails(await call(anonymous()), 401, "missing_session_token", `anonymous ${what}`);
    }
    assert.deepEqual(ok(await staff.storage.bucket(name).getInfo()), unchanged, "a refused call changed the bucket");
    assert.equal(ok(await alice.storage.bucket(name).file(file._id).exists()), true, "a refused call deleted the file");
    // A refused anonymous call does not log anyone out: alice's own client still works.
    assert.equal(ok(await alice.storage.bucket(name).exists()), true);
  });
});

// -- uploads ----------------------------------------------------------------------------------

describe("upload-object", () => {
  test("a string, a Buffer, a Uint8Array, other JSON and an ArrayBuffer become bytes", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag);
    const bucket = alice.storage.bucket(name);
    const text = "héllo wörld ✓ \"quoted\" \\ \n new line";
    const binary = [0, 1, 2, 127, 128, 200, 254, 255, 10, 13, 34, 92];
    const cases = [
      ["text.txt", text, Buffer.from(text, "utf8")],
      ["buffer.bin", Buffer.from(binary), Buffer.from(binary)],
      ["typed.bin", new Uint8Array(binary), Buffer.from(binary)],
      ["random.bin", randomBytes(3000), null],
      ["object.json", { hello: "world", n: [1, 2] }, Buffer.from('{"hello":"world","n":[1,2]}')],
      ["number.txt", 42, Buffer.from("42")],
      ["empty-buffer.bin", Buffer.alloc(0), Buffer.alloc(0)],
      ["arraybuffer.bin", new ArrayBuffer(8), Buffer.alloc(0)],
    ];
    for (const [fileName, body, expected] of cases) {
      const bytes = expected ?? Buffer.from(body);
      const file = checkFile(ok(await bucket.upload(fileName, body), `upload ${fileName}`), {
        fileName, userId: alice.user._id, isPublic: true, tags: [],
      }, bytes);
      assert.deepEqual(await downloaded(bucket.file(fileName), `download ${fileName}`), bytes, fileName);
      assert.deepEqual(await downloaded(bucket.file(file._id)), bytes, `${fileName} by id`);
      assert.deepEqual(ok(await bucket.file(fileName).getInfo()), file);
    }
  });

  test("options: contentType is the mimeType, isPublic and tags; the bucket's privacy by default", TIMEOUT, async () => {
    const tag = newTag();
    const open = await newBucket(tag, "open", true);
    const closed = await newBucket(tag, "closed", false);
    const plain = await upload(alice, open, "plain.txt", "plain");
    // The client's default contentType.
    assert.equal(plain.mimeType.toLowerCase().replace(/\s/g, ""), "text/plain;charset=utf-8", JSON.stringify(plain));
    assert.equal(plain.isPublic, true);
    assert.equal((await upload(alice, closed, "plain.txt", "plain")).isPublic, false);
    const png = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");
    const image = await upload(alice, closed, "pixel.png", png, { contentType: "image/png", isPublic: true, tags: ["img", "red"] });
    checkFile(image, { mimeType: "image/png", isPublic: true, tags: ["img", "red"] }, png);
    checkFile(await upload(alice, open, "csv.csv", "a,b\n1,2\n", { contentType: "text/csv", isPublic: false, tags: "one" }),
      { mimeType: "text/csv", isPublic: false, tags: ["one"] });
    // The bytes win over a declared type they contradict (HTML declared as a PNG).
    const html = await upload(alice, open, "page.png", "<html><body><script>alert(1)</script></body></html>", { contentType: "image/png" });
    assert.equal(html.mimeType, "text/html", JSON.stringify(html));
    fails(await alice.storage.bucket(open).upload("bad-tags.txt", "x", { tags: [1] }), 400, "invalid_tags");
    // Downloads carry the stored type.
    const blob = ok(await alice.storage.bucket(closed).file("pixel.png").download());
    assert.equal(blob.type, "image/png");
  });

  test("names: numbered on a clash, folders, Unicode; unsafe names refused", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag);
    const bucket = alice.storage.bucket(name);
    const first = await upload(alice, name, "report.pdf.txt", "one");
    const second = await upload(bob, name, "report.pdf.txt", "two");
    const third = await upload(alice, name, "report.pdf.txt", "three");
    assert.deepEqual([first, second, third].map((f) => f.fileName), ["report.pdf.txt", "report (2).pdf.txt", "report (3).pdf.txt"]);
    assert.equal(second.userId, bob.user._id);
    assert.deepEqual(await downloaded(bucket.file("report (2).pdf.txt")), Buffer.from("two"));
    assert.deepEqual(await downloaded(bucket.file("report.pdf.txt")), Buffer.from("one"), "the first file was overwritten");
    assert.equal((await upload(alice, name, ".env", "a")).fileName, ".env");
    assert.equal((await upload(alice, name, ".env", "b")).fileName, ".env (2)");
    assert.equal((await upload(alice, name, "noext", "a")).fileName, "noext");
    assert.equal((await upload(alice, name, "noext", "b")).fileName, "noext (2)");

    // Paths are names with folders; surrounding slashes and spaces go.
    assert.equal((await upload(alice, name, "docs/2024/q1.txt", "q1")).fileName, "docs/2024/q1.txt");
    assert.equal((await upload(alice, name, "docs/2024/q1.txt", "q1")).fileName, "docs/2024/q1 (2).txt");
    assert.equal((await upload(alice, name, "/abs/path.txt ", "p")).fileName, "abs/path.txt");
    assert.deepEqual(await downloaded(bucket.file("abs/path.txt")), Buffer.from("p"));
    for (const odd of ["naïve résumé.txt", "c++ & co #1 %20 ?.txt", "日本語/ファイル.txt", "emoji 🎉.txt", "a'b\"c.txt"]) {
      const file = await upload(alice, name, odd, odd);
      assert.equal(file.fileName, odd.normalize("NFC"), JSON.stringify(file));
      assert.deepEqual(await downloaded(bucket.file(odd)), Buffer.from(odd), odd);
    }

    const stored = fileNames(ok(await bucket.listFiles({ limit: 1000 })));
    for (const bad of UNSAFE_FILE_NAMES) {
      fails(await bucket.upload(bad, "x"), 400, "invalid_file_path", `upload ${JSON.stringify(bad)}`);
    }
    fails(await bucket.upload(`${"x".repeat(300)}.txt`, "x"), 400, "invalid_file_path", "a segment over 255 characters");
    assert.deepEqual(fileNames(ok(await bucket.listFiles({ limit: 1000 }))), stored, "an unsafe upload was stored");
  });

  test("decomposed Unicode is stored composed (NFC) and found by the name it was uploaded as", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag);
    const bucket = alice.storage.bucket(name);
    const nfd = "cafe\u0301/re\u0301sume\u0301.txt";
    const nfc = nfd.normalize("NFC");
    const file = await upload(alice, name, nfd, "x");
    assert.equal(file.fileName, nfc);
    assert.deepEqual(await downloaded(bucket.file(nfc)), Buffer.from("x"));
    // The client names the file as it uploaded it.
    assert.equal(ok(await bucket.file(nfd).exists(), "exists by the NFD name"), true);
    assert.deepEqual(ok(await bucket.file(nfd).getInfo(), "getInfo by the NFD name"), file);
    assert.deepEqual(await downloaded(bucket.file(nfd), "download by the NFD name"), Buffer.from("x"));
    // Both forms are one name: a second upload is numbered, a rename onto it clashes.
    assert.equal((await upload(alice, name, nfc, "y")).fileName, "caf\u00e9/r\u00e9sum\u00e9 (2).txt");
    await upload(alice, name, "other.txt", "z");
    fails(await bucket.file("other.txt").rename(nfd), 409, "file_already_exists", "rename onto the NFD name");
  });

  test("uploads need a session and an existing bucket", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag);
    fails(await anonymous().bucket(name).upload("x.txt", "x"), 401, "missing_session_token", "anonymous upload");
    fails(await alice.storage.bucket(`${tag}-none`).upload("x.txt", "x"), 404, "bucket_not_found");
    assert.deepEqual(ok(await staff.storage.bucket(name).listFiles()), []);
  });

  test(`oversized uploads: 413 file_too_large above ${MAX_UPLOAD_SIZE} bytes, nothing stored`, TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag);
    const bucket = alice.storage.bucket(name);
    // Exactly at the limit is fine, in every encoding.
    checkFile(ok(await bucket.upload("max.txt", "m".repeat(MAX_UPLOAD_SIZE)), "string at the limit"), {}, Buffer.alloc(MAX_UPLOAD_SIZE, "m"));
    const full = Buffer.alloc(MAX_UPLOAD_SIZE, 255); // the longest JSON form: "255," per byte
    checkFile(ok(await bucket.upload("max.bin", full), "Buffer at the limit"), {}, full);
    const listed = fileNames(ok(await bucket.listFiles()));
    for (const [what, body] of [
      ["a string one byte over", "m".repeat(MAX_UPLOAD_SIZE + 1)],
      ["a multi-byte string one byte over", "é".repeat(MAX_UPLOAD_SIZE / 2) + "x"],
      ["a Buffer one byte over", Buffer.alloc(MAX_UPLOAD_SIZE + 1, 1)],
      ["a Uint8Array one byte over", new Uint8Array(MAX_UPLOAD_SIZE + 1)],
      ["a Buffer ten times over", randomBytes(MAX_UPLOAD_SIZE * 10)],
    ]) {
      const item = fails(await bucket.upload(`big-${what}.bin`, body), 413, "file_too_large", what);
      assert.equal(item.details?.limit, MAX_UPLOAD_SIZE, `${what}: ${JSON.stringify(item)}`);
    }
    fails(await bucket.file("max.bin").replace(Buffer.alloc(MAX_UPLOAD_SIZE + 1)), 413, "file_too_large", "replace");
    assert.deepEqual(fileNames(ok(await bucket.listFiles())), listed, "an oversized upload was stored");
    assert.deepEqual(await downloaded(bucket.file("max.bin")), full, "a refused replace changed the file");
  });

  test(`a Uint8Array of up to ${MAX_UPLOAD_SIZE} bytes is accepted, whatever the length of its JSON form`, TIMEOUT, async () => {
    // new Uint8Array(n) goes on the wire as {"0":v,"1":v,...}: up to 11 characters a byte here
    // (more with longer keys), where a Buffer takes at most 4 ("255,").
    const tag = newTag();
    const name = await newBucket(tag);
    const bucket = alice.storage.bucket(name);
    for (const size of [1000, 2000, MAX_UPLOAD_SIZE]) {
      const bytes = Buffer.alloc(size, 255);
      checkFile(ok(await bucket.upload(`typed-${size}.bin`, new Uint8Array(bytes)), `Uint8Array of ${size} bytes`), {}, bytes);
      checkFile(ok(await bucket.file(`typed-${size}.bin`).replace(new Uint8Array(bytes)), `replace with ${size} bytes`), {}, bytes);
    }
  });
});

// -- files ------------------------------------------------------------------------------------

describe("files", () => {
  test("exists, getInfo: by name and id; unknown file and bucket", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag);
    const file = await upload(alice, name, "doc.txt", "doc");
    const bucket = alice.storage.bucket(name);
    const bucketInfo = ok(await bucket.getInfo());
    checkFile(file, { bucketId: bucketInfo._id, fileName: "doc.txt", encoding: "7bit" });
    assert.equal(ok(await bucket.file("doc.txt").exists()), true);
    assert.equal(ok(await bucket.file(file._id).exists()), true);
    assert.equal(ok(await alice.storage.bucket(bucketInfo._id).file(file._id).exists()), true);
    assert.equal(ok(await bucket.file("nope.txt").exists()), false);
    assert.deepEqual(ok(await bucket.file(file._id).getInfo()), file);
    assert.deepEqual(ok(await alice.storage.bucket(bucketInfo._id).file("doc.txt").getInfo()), file);
    fails(await bucket.file("nope.txt").getInfo(), 404, "file_not_found");
    fails(await bucket.file("nope.txt").download(), 404, "file_not_found", "download");
    fails(await bucket.file("0b6f1d52-4b54-4c4e-9a43-7f0e2c9d1a11").getInfo(), 404, "file_not_found", "unknown id");
    const missing = alice.storage.bucket(`${tag}-none`).file("doc.txt");
    fails(await missing.getInfo(), 404, "bucket_not_found", "getInfo");
    fails(await missing.exists(), 404, "bucket_not_found", "exists");
    fails(await missing.download(), 404, "bucket_not_found", "download");
    // The same file in another bucket is another file.
    const other = await newBucket(tag, "other");
    fails(await alice.storage.bucket(other).file(file._id).getInfo(), 404, "file_not_found", "id of another bucket's file");
  });

  test("makePublic, makePrivate, addTags, removeTags, updateInfo", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag, "b", false);
    const original = await upload(alice, name, "f.txt", "f", { tags: ["a"] });
    const file = alice.storage.bucket(name).file(original._id);
    assert.equal(ok(await file.makePublic(), "makePublic").isPublic, true);
    assert.equal(ok(await file.getInfo()).isPublic, true);
    assert.equal(ok(await file.makePrivate(), "makePrivate").isPublic, false);
    assert.deepEqual(ok(await file.addTags(["b", "a", "c"]), "addTags").tags, ["a", "b", "c"]);
    assert.deepEqual(ok(await file.addTags("d"), "addTags string").tags, ["a", "b", "c", "d"]);
    assert.deepEqual(ok(await file.removeTags(["a", "zz"]), "removeTags").tags, ["b", "c", "d"]);
    assert.deepEqual(ok(await file.removeTags("d"), "removeTags string").tags, ["b", "c"]);
    fails(await file.addTags({ not: "tags" }), 400, "invalid_tags");
    // updateInfo(newName, isPublic, tags)
    const updated = ok(await file.updateInfo("g.txt", true, ["z"]), "updateInfo");
    checkFile(updated, { _id: original._id, fileName: "g.txt", isPublic: true, tags: ["z"], checksum: original.checksum });
    const same = ok(await file.updateInfo(undefined, false), "updateInfo privacy only");
    checkFile(same, { fileName: "g.txt", isPublic: false, tags: ["z"] });
    await upload(alice, name, "h.txt", "h");
    fails(await file.updateInfo("h.txt", true, []), 409, "file_already_exists", "updateInfo onto a name");
    fails(await file.updateInfo("../h.txt", true, []), 400, "invalid_file_path", "updateInfo to an unsafe name");
    assert.equal(ok(await file.getInfo()).fileName, "g.txt");
    for (const [what, call] of [
      ["makePublic", (f) => f.makePublic()], ["addTags", (f) => f.addTags("x")], ["updateInfo", (f) => f.updateInfo("y.txt", true, [])],
    ]) {
      fails(await call(alice.storage.bucket(name).file("nope.txt")), 404, "file_not_found", what);
      fails(await call(alice.storage.bucket(`${tag}-none`).file("f.txt")), 404, "bucket_not_found", what);
    }
  });

  test("rename: keeps id, bytes and address; clash 409; unsafe names 400", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag);
    const original = await upload(alice, name, "a.txt", "aaa");
    await upload(alice, name, "b.txt", "bbb");
    const bucket = alice.storage.bucket(name);
    const renamed = ok(await bucket.file("a.txt").rename("folder/c.txt"), "rename");
    checkFile(renamed, { _id: original._id, fileName: "folder/c.txt", publicPath: original.publicPath }, Buffer.from("aaa"));
    assert.equal(ok(await bucket.file("a.txt").exists()), false);
    assert.deepEqual(await downloaded(bucket.file("folder/c.txt")), Buffer.from("aaa"));
    fails(await bucket.file("folder/c.txt").rename("b.txt"), 409, "file_already_exists", "rename onto a name");
    for (const bad of UNSAFE_FILE_NAMES) {
      fails(await bucket.file(original._id).rename(bad), 400, "invalid_file_path", `rename to ${JSON.stringify(bad)}`);
    }
    fails(await bucket.file("nope.txt").rename("x.txt"), 404, "file_not_found");
    assert.equal(ok(await bucket.file(original._id).getInfo()).fileName, "folder/c.txt");
    // Renaming to its own name is fine.
    assert.equal(ok(await bucket.file(original._id).rename("folder/c.txt")).fileName, "folder/c.txt");
  });

  test("duplicate: numbered without a name, exact with one; new id and address, same bytes", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag);
    const original = await upload(alice, name, "photo.jpg.txt", "pixels", { tags: ["t"], isPublic: false });
    const bucket = alice.storage.bucket(name);
    const copy = ok(await bucket.file("photo.jpg.txt").duplicate(), "duplicate");
    checkFile(copy, {
      fileName: "photo (2).jpg.txt", bucketId: original.bucketId, tags: ["t"], isPublic: false,
      mimeType: original.mimeType, userId: alice.user._id,
    }, Buffer.from("pixels"));
    assert.notEqual(copy._id, original._id);
    assert.equal(ok(await bucket.file(original._id).duplicate()).fileName, "photo (3).jpg.txt");
    const named = ok(await bucket.file(original._id).duplicate("copies/photo.txt"), "duplicate with a name");
    checkFile(named, { fileName: "copies/photo.txt" }, Buffer.from("pixels"));
    fails(await bucket.file(original._id).duplicate("copies/photo.txt"), 409, "file_already_exists", "duplicate onto a name");
    fails(await bucket.file(original._id).duplicate("../up.txt"), 400, "invalid_file_path", "duplicate to an unsafe name");
    fails(await bucket.file("nope.txt").duplicate(), 404, "file_not_found");
    // The copies are independent: deleting the original keeps them.
    ok(await bucket.file(original._id).delete());
    assert.deepEqual(await downloaded(bucket.file(copy._id)), Buffer.from("pixels"));
  });

  test("replace: same id, name and address, new bytes and checksum", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag);
    const original = await upload(alice, name, "r.txt", "old content");
    const file = alice.storage.bucket(name).file("r.txt");
    const binary = Buffer.from([9, 8, 7, 0, 255]);
    const replaced = ok(await file.replace(binary), "replace with a Buffer");
    checkFile(replaced, { _id: original._id, fileName: "r.txt", publicPath: original.publicPath, bucketId: original.bucketId }, binary);
    assert.notEqual(replaced.checksum, original.checksum);
    assert.deepEqual(await downloaded(file), binary);
    checkFile(ok(await file.replace("new text"), "replace with a string"), {}, Buffer.from("new text"));
    checkFile(ok(await file.replace(new Uint8Array([1, 2, 3])), "replace with a Uint8Array"), {}, Buffer.from([1, 2, 3]));
    const typed = ok(await file.replace("{}", { contentType: "application/json" }), "replace with a contentType");
    assert.equal(typed.mimeType, "application/json");
    assert.deepEqual(await downloaded(file), Buffer.from("{}"), "a string is its text, whatever it looks like");
    fails(await alice.storage.bucket(name).file("nope.txt").replace("x"), 404, "file_not_found");
    fails(await alice.storage.bucket(`${tag}-none`).file("r.txt").replace("x"), 404, "bucket_not_found");
  });

  test("moveTo and copyTo another bucket; numbered on a clash", TIMEOUT, async () => {
    const tag = newTag();
    const from = await newBucket(tag, "from");
    const to = await newBucket(tag, "to");
    const toInfo = ok(await alice.storage.bucket(to).getInfo());
    const moved = await upload(alice, from, "m.txt", "move me");
    await upload(alice, to, "m.txt", "already there");
    const result = ok(await alice.storage.bucket(from).file("m.txt").moveTo(to), "moveTo");
    checkFile(result, {
      _id: moved._id, bucketId: toInfo._id, fileName: "m (2).txt", publicPath: moved.publicPath, userId: alice.user._id,
    }, Buffer.from("move me"));
    assert.equal(ok(await alice.storage.bucket(from).file("m.txt").exists()), false);
    assert.deepEqual(await downloaded(alice.storage.bucket(to).file("m (2).txt")), Buffer.from("move me"));
    assert.deepEqual(await downloaded(alice.storage.bucket(to).file("m.txt")), Buffer.from("already there"));
    // By bucket id, and back without a clash.
    const fromInfo = ok(await alice.storage.bucket(from).getInfo());
    assert.equal(ok(await alice.storage.bucket(to).file(moved._id).moveTo(fromInfo._id)).fileName, "m (2).txt");
    fails(await alice.storage.bucket(from).file(moved._id).moveTo(`${tag}-none`), 404, "bucket_not_found", "moveTo unknown bucket");
    fails(await alice.storage.bucket(from).file("nope.txt").moveTo(to), 404, "file_not_found", "moveTo unknown file");

    const source = await upload(alice, from, "c.txt", "copy me", { tags: ["k"] });
    const copy = ok(await alice.storage.bucket(from).file("c.txt").copyTo(to), "copyTo");
    checkFile(copy, { bucketId: toInfo._id, fileName: "c.txt", tags: ["k"], userId: alice.user._id }, Buffer.from("copy me"));
    assert.notEqual(copy._id, source._id);
    assert.notEqual(copy.publicPath, source.publicPath);
    assert.equal(ok(await alice.storage.bucket(from).file(source._id).copyTo(toInfo._id)).fileName, "c (2).txt");
    assert.deepEqual(await downloaded(alice.storage.bucket(from).file("c.txt")), Buffer.from("copy me"), "the source stays");
    // Into its own bucket: a numbered copy.
    assert.equal(ok(await alice.storage.bucket(from).file(source._id).copyTo(from)).fileName, "c (2).txt");
    fails(await alice.storage.bucket(from).file(source._id).copyTo(`${tag}-none`), 404, "bucket_not_found", "copyTo unknown bucket");
    // Staff copying alice's file owns the copy.
    assert.equal(ok(await staff.storage.bucket(from).file(source._id).copyTo(to)).userId, staff.user._id);
  });

  test("delete", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag);
    const file = await upload(alice, name, "d.txt", "d");
    assert.deepEqual(await alice.storage.bucket(name).file("d.txt").delete(), { errors: null });
    assert.equal(ok(await alice.storage.bucket(name).file(file._id).exists()), false);
    fails(await alice.storage.bucket(name).file("d.txt").getInfo(), 404, "file_not_found");
    fails(await alice.storage.bucket(name).file("d.txt").delete(), 404, "file_not_found", "delete twice");
    fails(await alice.storage.bucket(`${tag}-none`).file("d.txt").delete(), 404, "bucket_not_found");
    // The name is free again.
    assert.equal((await upload(alice, name, "d.txt", "again")).fileName, "d.txt");
  });
});

// -- file policy ------------------------------------------------------------------------------

describe("who may do what with files", () => {
  test("another user: a private file is 403 not_allowed; a public one is readable, not changeable", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag);
    const secret = await upload(alice, name, "secret.txt", "secret", { isPublic: false });
    const shared = await upload(alice, name, "shared.txt", "shared", { isPublic: true });
    const asBob = (id) => bob.storage.bucket(name).file(id);
    fails(await asBob(secret._id).getInfo(), 403, "not_allowed", "bob getInfo");
    fails(await asBob("secret.txt").download(), 403, "not_allowed", "bob download");
    fails(await asBob("secret.txt").exists(), 403, "not_allowed", "bob exists");
    assert.deepEqual(ok(await asBob(shared._id).getInfo(), "bob getInfo of a public file"), shared);
    assert.deepEqual(await downloaded(asBob("shared.txt")), Buffer.from("shared"));
    assert.equal(ok(await asBob("shared.txt").exists()), true);
    const other = await newBucket(tag, "other");
    for (const id of [secret._id, shared._id]) {
      for (const [what, call] of [
        ["makePublic", (f) => f.makePublic()], ["makePrivate", (f) => f.makePrivate()],
        ["rename", (f) => f.rename("stolen.txt")], ["duplicate", (f) => f.duplicate()],
        ["delete", (f) => f.delete()], ["replace", (f) => f.replace("stolen")],
        ["moveTo", (f) => f.moveTo(other)], ["copyTo", (f) => f.copyTo(other)],
        ["addTags", (f) => f.addTags("x")], ["removeTags", (f) => f.removeTags("x")],
        ["updateInfo", (f) => f.updateInfo("stolen.txt", true, [])],
      ]) {
        fails(await call(asBob(id)), 403, "not_allowed", `bob ${what} ${id}`);
        fails(await call(anonymous().bucket(name).file(id)), 401, "missing_session_token", `anonymous ${what} ${id}`);
      }
    }
    fails(await bob.storage.bucket(name).deleteFiles([secret._id, "shared.txt"]), 403, "not_allowed", "bob deleteFiles");
    fails(await bob.storage.deleteFile(shared.publicPath), 403, "not_allowed", "bob deleteFile");
    // Nothing changed.
    assert.deepEqual(ok(await alice.storage.bucket(name).file(secret._id).getInfo()), secret);
    assert.deepEqual(ok(await alice.storage.bucket(name).file(shared._id).getInfo()), shared);
    assert.deepEqual(ok(await alice.storage.bucket(other).listFiles()), []);
    // Staff reads and changes anyone's files.
    assert.deepEqual(await downloaded(staff.storage.bucket(name).file(secret._id)), Buffer.from("secret"));
    assert.equal(ok(await staff.storage.bucket(name).file(secret._id).addTags("seen")).tags.includes("seen"), true);
  });

  test("anonymous: public files are readable, private ones need a session", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag);
    const secret = await upload(alice, name, "secret.txt", "secret", { isPublic: false });
    const shared = await upload(alice, name, "shared.txt", "shared", { isPublic: true });
    const file = (id) => anonymous().bucket(name).file(id);
    fails(await file(secret._id).getInfo(), 401, "missing_session_token", "getInfo");
    fails(await file("secret.txt").download(), 401, "missing_session_token", "download");
    fails(await file("secret.txt").exists(), 401, "missing_session_token", "exists");
    assert.deepEqual(ok(await file(shared._id).getInfo()), shared);
    assert.deepEqual(await downloaded(file("shared.txt")), Buffer.from("shared"));
    assert.equal(ok(await file("shared.txt").exists()), true);
    assert.equal(ok(await file("none.txt").exists()), false);
    // Listings show an anonymous caller the public files only.
    assert.deepEqual(fileNames(ok(await anonymous().bucket(name).listFiles())), ["shared.txt"]);
    assert.deepEqual(fileNames(ok(await anonymous().searchFiles(`STARTSWITH(fileName, 's') && bucketId == '${shared.bucketId}'`))), ["shared.txt"]);
  });
});

// -- listings ---------------------------------------------------------------------------------

describe("listFiles and searchFiles", () => {
  let tag;
  let bucketA;
  let bucketB;
  before(async () => {
    tag = newTag();
    bucketA = await newBucket(tag, "a");
    bucketB = await newBucket(tag, "b", false);
    // Sizes 1..5 in A: alice's, one of them private; bob's private one; one in B.
    await upload(alice, bucketA, `${tag}-x1.txt`, "1", { tags: ["red"] });
    await upload(alice, bucketA, `${tag}-x2.txt`, "22", { tags: ["red", "blue"] });
    await upload(alice, bucketA, `${tag}-y3.txt`, "333", { isPublic: false });
    await upload(bob, bucketA, `${tag}-x4.txt`, "4444", { isPublic: false });
    await upload(alice, bucketA, `${tag}-x5.txt`, "55555", { contentType: "text/csv" });
    await upload(alice, bucketB, `${tag}-x6.txt`, "666666");
  });

  const n = (suffixes) => suffixes.map((s) => `${tag}-${s}.txt`);

  test("listFiles: what each caller may read, newest first", TIMEOUT, async () => {
    const listed = ok(await staff.storage.bucket(bucketA).listFiles(), "staff listFiles");
    listed.forEach((file) => checkFile(file));
    assert.deepEqual(fileNames(listed), n(["x5", "x4", "y3", "x2", "x1"]));
    assert.deepEqual(fileNames(ok(await alice.storage.bucket(bucketA).listFiles())), n(["x5", "y3", "x2", "x1"]));
    assert.deepEqual(fileNames(ok(await bob.storage.bucket(bucketA).listFiles())), n(["x5", "x4", "x2", "x1"]));
    fails(await alice.storage.bucket(`${tag}-none`).listFiles(), 404, "bucket_not_found");
  });

  test("listFiles: expression, sort, paging, count info", TIMEOUT, async () => {
    const a = staff.storage.bucket(bucketA);
    const bySize = { sort: { field: "size", direction: "desc" } };
    assert.deepEqual(fileNames(ok(await a.listFiles(`size > 1 && INCLUDES(fileName, '-x')`, bySize))), n(["x5", "x4", "x2"]));
    assert.deepEqual(fileNames(ok(await a.listFiles("isPublic == false", { sort: { field: "fileName", direction: "asc" } }))), n(["x4", "y3"]));
    assert.deepEqual(fileNames(ok(await a.listFiles(`IN(tags, 'red')`, { sort: { field: "fileName", direction: "asc" } }))), n(["x1", "x2"]));
    assert.deepEqual(fileNames(ok(await a.listFiles(`mimeType == 'text/csv'`))), n(["x5"]));
    assert.deepEqual(fileNames(ok(await a.listFiles(`userId == '${bob.user._id}'`))), n(["x4"]));
    assert.deepEqual(fileNames(ok(await a.listFiles(`ENDSWITH(fileName, '3.txt') || size >= 5`, { sort: { field: "size", direction: "asc" } }))), n(["y3", "x5"]));
    const page = ok(await a.listFiles({ page: 2, limit: 2, sort: { field: "fileName", direction: "asc" }, returnCountInfo: true }));
    assert.deepEqual(page.info, { count: 5, totalPages: 3, currentPage: 2, pageSize: 2 });
    assert.deepEqual(fileNames(page.data), n(["x4", "x5"]));
    const last = ok(await a.listFiles("size > 0", { page: 3, limit: 2, sort: { field: "fileName", direction: "asc" }, returnCountInfo: true }));
    assert.deepEqual(last.info, { count: 5, totalPages: 3, currentPage: 3, pageSize: 2 });
    assert.deepEqual(fileNames(last.data), n(["y3"]));
    // The count is of what the caller may read.
    assert.equal(ok(await alice.storage.bucket(bucketA).listFiles({ returnCountInfo: true })).info.count, 4);
    assert.deepEqual(ok(await a.listFiles("size > 100")), []);
    fails(await a.listFiles("size >"), 400, "invalid_expression");
    fails(await a.listFiles("nope == 1"), 400, "invalid_field");
    fails(await a.listFiles({ sort: { field: "nope", direction: "asc" } }), 400, "invalid_field", "sort");
  });

  test("searchFiles: every bucket", TIMEOUT, async () => {
    const mine = `STARTSWITH(fileName, '${tag}-')`;
    const bySize = { sort: { field: "size", direction: "asc" } };
    const all = ok(await staff.storage.searchFiles(mine, bySize), "staff searchFiles");
    all.forEach((file) => checkFile(file));
    assert.deepEqual(fileNames(all), n(["x1", "x2", "y3", "x4", "x5", "x6"]));
    assert.deepEqual(fileNames(ok(await alice.storage.searchFiles(mine, bySize))), n(["x1", "x2", "y3", "x5", "x6"]));
    assert.deepEqual(fileNames(ok(await bob.storage.searchFiles(mine, bySize))), n(["x1", "x2", "x4", "x5"]));
    const bInfo = ok(await staff.storage.bucket(bucketB).getInfo());
    assert.deepEqual(fileNames(ok(await staff.storage.searchFiles(`${mine} && bucketId == '${bInfo._id}'`))), n(["x6"]));
    const counted = ok(await staff.storage.searchFiles(mine, { limit: 4, returnCountInfo: true, ...bySize }));
    assert.deepEqual(counted.info, { count: 6, totalPages: 2, currentPage: 1, pageSize: 4 });
    assert.deepEqual(fileNames(counted.data), n(["x1", "x2", "y3", "x4"]));
    fails(await staff.storage.searchFiles("fileName == "), 400, "invalid_expression");
  });
});

// -- public URLs ------------------------------------------------------------------------------

describe("publicPath", () => {
  test("a public file is served to a plain GET; a private one only to its owner and staff", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag);
    const text = "served as is ✓";
    const shared = await upload(alice, name, "shared.txt", text, { isPublic: true });
    let response = await getPublic(shared.publicPath);
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), Buffer.from(text));
    assert.match(response.headers.get("content-type"), /^text\/plain/i);
    assert.equal(response.headers.get("content-length"), String(Buffer.byteLength(text)));
    assert.match(response.headers.get("cache-control") ?? "", /public/);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");

    const secret = await upload(alice, name, "secret.txt", "secret", { isPublic: false });
    for (const headers of [{}, { Session: bob.token }, { "X-Client-Key": CLIENT_KEY }]) {
      response = await getPublic(secret.publicPath, headers);
      assert.equal(response.status, 403, `${JSON.stringify(headers)}: ${await response.clone().text()}`);
      assert.match(response.headers.get("content-type"), /application\/json/);
      const body = await response.json();
      assert.equal(body.errors?.[0]?.code, "not_public", JSON.stringify(body));
    }
    for (const who of [alice, staff]) {
      response = await getPublic(secret.publicPath, { Session: who.token });
      assert.equal(response.status, 200, await response.clone().text());
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), Buffer.from("secret"));
      assert.match(response.headers.get("cache-control") ?? "", /private|no-store/);
    }
    // Privacy changes take effect at once, at the same address.
    ok(await alice.storage.bucket(name).file(secret._id).makePublic());
    assert.equal((await getPublic(secret.publicPath)).status, 200);
    ok(await alice.storage.bucket(name).file(secret._id).makePrivate());
    assert.equal((await getPublic(secret.publicPath)).status, 403);
  });

  test("the address survives rename, move and replace; an unknown one is 404 JSON", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag);
    const other = await newBucket(tag, "other");
    const file = await upload(alice, name, "a.txt", "one", { isPublic: true });
    const url = file.publicPath;
    ok(await alice.storage.bucket(name).file(file._id).rename("b.txt"));
    ok(await alice.storage.bucket(name).file(file._id).moveTo(other));
    ok(await alice.storage.bucket(other).file(file._id).replace("two"));
    const response = await getPublic(url);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "two");
    for (const missing of [`${ENV_URL}/_storage/0b6f1d52-4b54-4c4e-9a43-7f0e2c9d1a11`, `${ENV_URL}/_storage/not-an-id`]) {
      const notFound = await getPublic(missing);
      assert.equal(notFound.status, 404);
      const body = await notFound.json();
      assert.ok(Array.isArray(body.errors) && body.errors.length > 0, JSON.stringify(body));
    }
  });

  test("active content is never served inline, nor as its own type", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag);
    const page = await upload(alice, name, "page.html", "<!doctype html><script>alert(1)</script>", {
      contentType: "text/html", isPublic: true,
    });
    const response = await getPublic(page.publicPath);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/octet-stream");
    assert.match(response.headers.get("content-disposition") ?? "", /^attachment/);
  });

  test("storage.deleteFile(publicPath)", TIMEOUT, async () => {
    const tag = newTag();
    const name = await newBucket(tag);
    const file = await upload(alice, name, "gone.txt", "bye", { isPublic: true });
    const result = await alice.storage.deleteFile(file.publicPath);
    assert.deepEqual(result, { data: null, errors: null });
    fails(await alice.storage.bucket(name).file(file._id).getInfo(), 404, "file_not_found");
    assert.equal((await getPublic(file.publicPath)).status, 404);
    fails(await alice.storage.deleteFile(file.publicPath), 404, "file_not_found", "delete twice");
    fails(await alice.storage.deleteFile("https://example.com/not/a/file"), 400, "invalid_file_url", "not a file URL");
    fails(await alice.storage.deleteFile(`${ENV_URL}/_storage/not-an-id`), 400, "invalid_file_url", "not an id");
    const staffs = await upload(alice, name, "by-staff.txt", "x");
    ok(await staff.storage.deleteFile(staffs.publicPath), "staff deleteFile");
    assert.equal(ok(await alice.storage.bucket(name).file(staffs._id).exists()), false);
    const anons = await upload(alice, name, "anon.txt", "x", { isPublic: true });
    fails(await anonymous().deleteFile(anons.publicPath), 401, "missing_session_token", "anonymous deleteFile");
  });
});

// -- statistics -------------------------------------------------------------------------------

describe("storage.getStats", () => {
  test("counts buckets and files of the whole storage", TIMEOUT, async () => {
    const keys = ["bucketsCount", ...STATS_KEYS].sort();
    const initial = ok(await staff.storage.getStats(), "getStats");
    assert.deepEqual(Object.keys(initial).sort(), keys, JSON.stringify(initial));
    for (const key of keys) assert.ok(Number.isInteger(initial[key]) && initial[key] >= 0, JSON.stringify(initial));
    const tag = newTag();
    const name = await newBucket(tag);
    await upload(alice, name, "a.txt", "x".repeat(7));
    await upload(alice, name, "b.txt", "x".repeat(11));
    const after = ok(await staff.storage.getStats(), "getStats");
    const context = JSON.stringify({ initial, after });
    assert.equal(after.bucketsCount, initial.bucketsCount + 1, context);
    assert.equal(after.objectsCount, initial.objectsCount + 2, context);
    assert.equal(after.totalStorageSize, initial.totalStorageSize + 18, context);
    assert.ok(after.minObjectSize <= 7 && after.maxObjectSize >= 11, context);
    assert.ok(Math.abs(after.averageObjectSize - after.totalStorageSize / after.objectsCount) <= 0.5, context);
    ok(await staff.storage.bucket(name).delete());
    const gone = ok(await staff.storage.getStats(), "getStats");
    assert.deepEqual(
      [gone.bucketsCount, gone.objectsCount, gone.totalStorageSize],
      [initial.bucketsCount, initial.objectsCount, initial.totalStorageSize],
    );
  });
});
