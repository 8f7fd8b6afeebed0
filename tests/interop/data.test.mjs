// Every DatabaseManager, QueryBuilder and DBObject method of the unmodified altogic@2.3.9
// client against a running agnost_django server (spec 3.2 and 4). Run by
// test_data_interop.py through server.py, which sets AGNOST_ENV_URL / AGNOST_CLIENT_KEY and
// preloads localhost-dns.cjs. By hand:
//   AGNOST_ENV_URL=http://realtime.agnost.app.localhost:8000 AGNOST_CLIENT_KEY=... \
//   NODE_OPTIONS="--require $PWD/localhost-dns.cjs" node --test data.test.mjs
//
// The server is tests/interop/server_settings.py: the example project (`todos`, owner rules)
// plus tests/dataapp (`categories`, `products` with the sub-models `products.reviews` and
// `products.detail`, `reviews`, `productdetails`; rules "anyone"; `secret` hidden).
// Every test works on objects whose `name` starts with a tag of random letters unique to the
// test and filters on it, so reruns against the same server and other tests never interfere.
// A call whose promise never settles (test timeout) means the server sent a non-JSON error
// body (spec 2.3): that is a server bug, not a flaky test.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createClient } from "altogic";

const ENV_URL = process.env.AGNOST_ENV_URL;
const CLIENT_KEY = process.env.AGNOST_CLIENT_KEY;
assert.ok(ENV_URL && CLIENT_KEY, "AGNOST_ENV_URL and AGNOST_CLIENT_KEY must be set");

const db = createClient(ENV_URL, CLIENT_KEY).db;
const TIMEOUT = { timeout: 30_000 }; // per test: a hung call fails its own test only

// -- names ------------------------------------------------------------------------------------

/** A fresh tag of 12 lower-case letters: one word for full-text search, no regex or quote
 * characters for filters, short enough for a category `code` (20). */
// A fixed first letter that starts none of the fuzzy-search words below ("hamme", "qqqqqqq"): a
// tag starting like one ("ha...", "qq...") shares its word-start trigrams, and every tagged name
// then passes pg_trgm's similarity threshold.
function newTag() {
  return "z" + Array.from(randomBytes(11), (byte) => String.fromCharCode(97 + (byte % 26))).join("");
}

// -- results ----------------------------------------------------------------------------------

/** Assert a successful call and return its data; show the server's errors if any. */
function ok(result, what = "call") {
  assert.equal(result.errors, null, `${what} failed: ${JSON.stringify(result.errors)}`);
  return result.data;
}

/** Assert an error result with the given status and first error code (spec 2.3); `data` is
 * null. Returns the first error entry. */
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
  assert.equal(result.data, null, `${what}: data of an error result`);
  return item;
}

function isoString(value, what) {
  assert.equal(typeof value, "string", `${what} is not a string: ${JSON.stringify(value)}`);
  assert.ok(!Number.isNaN(Date.parse(value)), `${what} is not an ISO date: ${value}`);
}

function names(rows) {
  assert.ok(Array.isArray(rows), `not an array: ${JSON.stringify(rows)}`);
  return rows.map((row) => row.name);
}

function sortedNames(rows) {
  return names(rows).sort();
}

// -- fixtures ---------------------------------------------------------------------------------

const products = () => db.model("products");
const startsWith = (tag) => `STARTSWITH(name, '${tag}')`;
/** A fresh builder for the products of `tag`. */
const tagged = (tag) => products().filter(startsWith(tag));

/** The products of `tag`, by name, as the server has them now. */
async function snapshot(tag) {
  return ok(await tagged(tag).sort("name", "asc").get(), "snapshot");
}

/** Two categories and four products named `<tag> <short name>` (spec 4.5 conventions).
 * Prices and weights are exact binary fractions: see the decimal test for why. */
async function seedCatalog(tag) {
  const [tools, toys] = ok(await db.model("categories").create([
    { name: "Tools", code: `${tag}T` },
    { name: "Toys", code: `${tag}Y` },
  ]), "create categories");
  const rows = ok(await products().create([
    {
      name: `${tag} hammer`, description: "forged steel head", quantity: 150, price: 19.5, weight: 1.5,
      in_stock: true, tags: ["steel", "tool"], category: tools._id, maker: toys._id,
      released_at: "2024-05-01T10:00:00.000Z", release_date: "2024-05-01",
    },
    {
      name: `${tag} saw`, description: "steel blade", quantity: 120, price: 25, weight: 0.75,
      in_stock: false, tags: ["steel"], category: tools._id,
      released_at: "2023-01-15T08:30:00.000Z", release_date: "2023-01-15",
    },
    {
      name: `${tag} ball`, description: "rubber", quantity: 30, price: 4.5, weight: 0.25,
      in_stock: true, tags: ["toy"], category: toys._id,
    },
    { name: `${tag} kite`, description: "paper and string", quantity: 0, price: 12, in_stock: true },
  ]), "create products");
  const byName = Object.fromEntries(rows.map((row) => [row.name.slice(tag.length + 1), row]));
  return { tag, tools, toys, ...byName };
}

// -- DatabaseManager --------------------------------------------------------------------------

describe("db.getStats", () => {
  test("models the caller may read, with counts that grow", TIMEOUT, async () => {
    const before = ok(await db.getStats(), "getStats");
    assert.equal(typeof before.database, "string", JSON.stringify(before));
    assert.ok(["sqlite", "postgresql"].includes(before.vendor), JSON.stringify(before));
    assert.ok(Array.isArray(before.models), JSON.stringify(before));
    const count = (stats, name) => stats.models.find((m) => m.name === name)?.count;
    for (const name of ["categories", "products", "reviews", "productdetails"]) {
      assert.equal(typeof count(before, name), "number", `${name}: ${JSON.stringify(before)}`);
    }
    // todos needs a session: an anonymous caller's stats leave it out.
    assert.equal(count(before, "todos"), undefined, JSON.stringify(before));
    await seedCatalog(newTag());
    const after = ok(await db.getStats(), "getStats");
    assert.ok(count(after, "products") >= count(before, "products") + 4, JSON.stringify({ before, after }));
    assert.ok(count(after, "categories") >= count(before, "categories") + 2, JSON.stringify({ before, after }));
  });
});

// -- create -----------------------------------------------------------------------------------

describe("create", () => {
  test("one object: every field type round-trips; hidden and system fields", TIMEOUT, async () => {
    const tag = newTag();
    const category = ok(await db.model("categories").create({ name: "Tools", code: `${tag}C` }), "category");
    assert.equal(typeof category._id, "string");
    assert.deepEqual(category, { _id: category._id, name: "Tools", code: `${tag}C` });
    const values = {
      name: `${tag} drill`, description: "cordless", quantity: 3, price: 99.5, weight: 1.25,
      in_stock: false, tags: ["power", "tool"], category: category._id,
      released_at: "2024-05-01T10:00:00.000Z", release_date: "2024-05-01",
    };
    const created = ok(await products().create(values), "create");
    assert.equal(typeof created._id, "string");
    assert.ok(created._id.length > 0);
    for (const key of ["name", "description", "quantity", "price", "weight", "in_stock", "tags", "category", "release_date"]) {
      assert.deepEqual(created[key], values[key], `${key}: ${JSON.stringify(created)}`);
    }
    assert.equal(Date.parse(created.released_at), Date.parse(values.released_at));
    assert.equal(created.maker, null);
    assert.ok(!("secret" in created), "the hidden field is returned");
    isoString(created.created_at, "created_at");
    isoString(created.updated_at, "updated_at");
    // What create returned is what get returns.
    const [read] = ok(await tagged(tag).omit("reviews").get(), "get");
    assert.deepEqual(read, created);
  });

  test("an array: all created in order, or none (all-or-nothing)", TIMEOUT, async () => {
    const tag = newTag();
    const created = ok(await products().create([
      { name: `${tag} a`, quantity: 1 },
      { name: `${tag} b`, quantity: 2 },
      { name: `${tag} c`, quantity: 3 },
    ]), "create array");
    assert.deepEqual(names(created), [`${tag} a`, `${tag} b`, `${tag} c`]);
    assert.deepEqual(created.map((p) => p.quantity), [1, 2, 3]);
    assert.equal(new Set(created.map((p) => p._id)).size, 3);
    const before = await snapshot(tag);
    const item = fails(await products().create([
      { name: `${tag} d` },
      { name: `${tag} ${"x".repeat(100)}` },
    ]), 400, "max_length_threshold_exceeded", "create with one invalid object");
    assert.equal(item.details?.field, "name", JSON.stringify(item));
    assert.deepEqual(await snapshot(tag), before, "the valid first object was written");
  });

  test("a client-supplied _id is kept (spec 4.5)", TIMEOUT, async () => {
    const tag = newTag();
    const id = String(2_000_000_000 + (randomBytes(4).readUInt32BE() % 100_000_000));
    const created = ok(await db.model("categories").create({ _id: id, name: "Own id", code: `${tag}I` }), "create");
    assert.equal(created._id, id);
    assert.equal(ok(await db.model("categories").object(id).get(), "get").code, `${tag}I`);
  });

  test("omit applies to the created object (spec 4.1)", TIMEOUT, async () => {
    const tag = newTag();
    const created = ok(await products().omit("description", "tags").create({ name: `${tag} x`, tags: ["a"] }), "create");
    assert.equal(created.name, `${tag} x`);
    assert.ok(!("description" in created) && !("tags" in created), JSON.stringify(created));
    assert.deepEqual(ok(await tagged(tag).get(), "get")[0].tags, ["a"], "omit changed what was stored");
  });

  test("a decimal given as a JS number with two decimals (19.9) is stored as is", TIMEOUT, async () => {
    // JSON has no decimal type: 19.9 arrives as the double 19.899999999999998578...; a
    // decimal(10, 2) field must take it as 19.90, not reject it for its binary expansion.
    const tag = newTag();
    const created = ok(await products().create({ name: `${tag} decimal`, price: 19.9 }), "create price 19.9");
    assert.equal(created.price, 19.9);
    const updated = ok(await products().object(created._id).update({ price: 0.1 }), "object update price 0.1");
    assert.equal(updated.price, 0.1);
    ok(await tagged(tag).update({ price: 2.3 }), "update price 2.3");
    assert.equal(ok(await tagged(tag).getSingle(), "getSingle").price, 2.3);
  });
});

// -- sub-models -------------------------------------------------------------------------------

describe("sub-models: set and append", () => {
  test("append one review, an array of reviews, and with returnTop", TIMEOUT, async () => {
    const { kite } = await seedCatalog(newTag());
    const reviews = db.model("products.reviews");
    const one = ok(await reviews.append({ rating: 4, text: "fine" }, kite._id), "append one");
    assert.equal(typeof one._id, "string");
    assert.equal(one._parent, kite._id);
    assert.equal(one.rating, 4);
    assert.equal(one.text, "fine");
    const many = ok(await db.model("products.reviews").append([{ rating: 2 }, { rating: 5 }], kite._id), "append array");
    assert.ok(Array.isArray(many), JSON.stringify(many));
    assert.deepEqual(many.map((r) => r.rating), [2, 5]);
    many.forEach((r) => assert.equal(r._parent, kite._id));
    const top = ok(await db.model("products.reviews").append({ rating: 1 }, kite._id, true), "append returnTop");
    assert.equal(top._id, kite._id);
    assert.equal(top.name, kite.name);
    assert.deepEqual(top.reviews.map((r) => r.rating).sort(), [1, 2, 4, 5]);
    top.reviews.forEach((r) => assert.equal(r._parent, kite._id));
    // Nested in the parent wherever it is read (spec 4.5).
    const read = ok(await products().object(kite._id).get(), "get parent");
    assert.deepEqual(read.reviews.map((r) => r._id).sort(), top.reviews.map((r) => r._id).sort());
  });

  test("set creates, then replaces, the one-to-one sub-object", TIMEOUT, async () => {
    const { kite } = await seedCatalog(newTag());
    const first = ok(await db.model("products.detail").set({ color: "red", width: 1.5 }, kite._id), "set");
    assert.equal(typeof first._id, "string");
    assert.equal(first._parent, kite._id);
    assert.equal(first.color, "red");
    assert.equal(first.width, 1.5);
    const second = ok(await db.model("products.detail").set({ color: "blue" }, kite._id), "set again");
    assert.equal(second.color, "blue");
    const stored = ok(await db.model("productdetails").filter(`product == '${kite._id}'`).get(), "details");
    assert.deepEqual(stored.map((d) => d.color), ["blue"], "set must replace, not add");
  });

  test("set with returnTop returns the parent with the sub-object nested (spec 3.2, 4.5)", TIMEOUT, async () => {
    const { kite } = await seedCatalog(newTag());
    const top = ok(await db.model("products.detail").set({ color: "green", width: 2.5 }, kite._id, true), "set returnTop");
    assert.equal(top._id, kite._id);
    assert.equal(top.name, kite.name);
    assert.ok(top.detail && typeof top.detail === "object" && !Array.isArray(top.detail),
      `an object field holds one nested object: ${JSON.stringify(top)}`);
    assert.equal(top.detail.color, "green");
    assert.equal(top.detail._parent, kite._id);
    assert.equal(ok(await products().object(kite._id).get(), "get").detail?.color, "green");
  });

  test("omit applies to the object set or appended (spec 4.1)", TIMEOUT, async () => {
    const { kite } = await seedCatalog(newTag());
    const review = ok(await db.model("products.reviews").omit("text").append({ rating: 4, text: "kept" }, kite._id), "append");
    assert.equal(review.rating, 4);
    assert.ok(!("text" in review), `append ignored omit: ${JSON.stringify(review)}`);
    const detail = ok(await db.model("products.detail").omit("width").set({ color: "red", width: 2 }, kite._id), "set");
    assert.equal(detail.color, "red");
    assert.ok(!("width" in detail), `set ignored omit: ${JSON.stringify(detail)}`);
  });

  test("set on a list sub-model and an unknown sub-model are refused", TIMEOUT, async () => {
    const { tag, kite } = await seedCatalog(newTag());
    const before = await snapshot(tag);
    fails(await db.model("products.reviews").set({ rating: 1 }, kite._id), 400, "validation_error", "set on a list");
    fails(await db.model("products.nothing").append({ rating: 1 }, kite._id), 404, "submodel_not_found");
    fails(await db.model("products.reviews").append({ rating: "five" }, kite._id), 400, "not_integer_value", "a text rating");
    assert.deepEqual(await snapshot(tag), before);
  });
});

// -- get --------------------------------------------------------------------------------------

describe("get: filter, sort, limit, page, omit, lookup, returnCountInfo", () => {
  let c;
  before(async () => {
    c = await seedCatalog(newTag());
  });

  test("filter with the operators and functions of spec 4.2", TIMEOUT, async () => {
    const { tag } = c;
    const cases = [
      ["quantity > 100 && quantity < 200", ["hammer", "saw"]],
      ["(weight / price > 0.06 && in_stock == true) || quantity == 0", ["hammer", "kite"]],
      ["IN(tags, 'steel') && in_stock == false", ["saw"]],
      ["INCLUDES(description, 'steel')", ["hammer", "saw"]],
      ["!EXISTS(weight)", ["kite"]],
      ["this.quantity >= 120", ["hammer", "saw"]],
      ["released_at <= DATEVALUE('2024-01-01T00:00:00.000Z')", ["saw"]],
      ["price * 2 == 9", ["ball"]],
      ["NOT(in_stock) || IN(tags, 'tool')", ["hammer", "saw"]],
      ["quantity > 100 && INCLUDES(TOLOWER(name), TOLOWER('SAW')) == false", ["hammer"]],
      [`_id == '${c.ball._id}'`, ["ball"]],
      [`category == '${c.toys._id}'`, ["ball"]],
    ];
    for (const [expression, expected] of cases) {
      const rows = ok(await products().filter(`${startsWith(tag)} && (${expression})`).get(), expression);
      assert.deepEqual(sortedNames(rows), expected.map((n) => `${tag} ${n}`), expression);
    }
    // "" means no filter (spec 4.1).
    assert.ok(ok(await products().filter("").limit(1).get(), "empty filter").length === 1);
  });

  test("sort: one key, several keys in priority order", TIMEOUT, async () => {
    const { tag } = c;
    const short = (rows) => names(rows).map((n) => n.slice(tag.length + 1));
    assert.deepEqual(short(ok(await tagged(tag).sort("quantity", "asc").get())), ["kite", "ball", "saw", "hammer"]);
    assert.deepEqual(short(ok(await tagged(tag).sort("price", "desc").get())), ["saw", "hammer", "kite", "ball"]);
    assert.deepEqual(
      short(ok(await tagged(tag).sort("in_stock", "asc").sort("quantity", "desc").get())),
      ["saw", "hammer", "ball", "kite"],
    );
  });

  test("limit and page; a page beyond the last is []", TIMEOUT, async () => {
    const { tag } = c;
    const page = (n) => tagged(tag).sort("quantity", "asc").limit(3).page(n).get();
    assert.deepEqual(names(ok(await page(1))), [`${tag} kite`, `${tag} ball`, `${tag} saw`]);
    assert.deepEqual(names(ok(await page(2))), [`${tag} hammer`]);
    assert.deepEqual(ok(await page(3)), []);
    assert.deepEqual(names(ok(await tagged(tag).sort("quantity", "desc").limit(2).get())), [`${tag} hammer`, `${tag} saw`]);
  });

  test("returnCountInfo gives {info, data}, also as {returnCountInfo: true} (spec 4.4)", TIMEOUT, async () => {
    const { tag } = c;
    const body = ok(await tagged(tag).sort("quantity", "asc").limit(3).page(2).get(true), "get(true)");
    assert.deepEqual(Object.keys(body).sort(), ["data", "info"]);
    assert.deepEqual(body.info, { count: 4, totalPages: 2, currentPage: 2, pageSize: 3 });
    assert.deepEqual(names(body.data), [`${tag} hammer`]);
    // Real apps pass an object: it is sent as is and must count as true.
    const asObject = ok(await tagged(tag).limit(2).get({ returnCountInfo: true }), "get({returnCountInfo: true})");
    assert.deepEqual(asObject.info, { count: 4, totalPages: 2, currentPage: 1, pageSize: 2 });
    assert.equal(asObject.data.length, 2);
    const beyond = ok(await tagged(tag).limit(2).page(5).get(true), "beyond the last page");
    assert.deepEqual(beyond, { info: { count: 4, totalPages: 2, currentPage: 5, pageSize: 2 }, data: [] });
    const none = ok(await products().filter(startsWith(newTag())).get(true), "no match");
    assert.equal(none.info.count, 0);
    assert.deepEqual(none.data, []);
    // Without count info: a plain array.
    assert.ok(Array.isArray(ok(await tagged(tag).get(false))));
  });

  test("omit removes fields, also nested ones", TIMEOUT, async () => {
    const { tag } = c;
    const rows = ok(await tagged(tag).omit("description", "tags").omit("secret").get(), "omit");
    assert.equal(rows.length, 4);
    for (const row of rows) {
      assert.ok(!("description" in row) && !("tags" in row), JSON.stringify(row));
      assert.equal(typeof row.quantity, "number");
    }
    const [hammer] = ok(await tagged(tag).filter(`name == '${tag} hammer'`).lookup({ field: "category" }).omit("category.code").get());
    assert.deepEqual(hammer.category, { _id: c.tools._id, name: "Tools" });
  });

  test("lookup({field}) nests the referenced object; filter and sort can use it", TIMEOUT, async () => {
    const { tag } = c;
    const rows = ok(await tagged(tag).lookup({ field: "category" }).sort("name", "asc").get(), "lookup");
    const byName = Object.fromEntries(rows.map((row) => [row.name.slice(tag.length + 1), row]));
    assert.deepEqual(byName.hammer.category, { _id: c.tools._id, name: "Tools", code: `${tag}T` });
    assert.deepEqual(byName.ball.category, { _id: c.toys._id, name: "Toys", code: `${tag}Y` });
    assert.ok(!("category" in byName.kite), `nothing referenced: the field is omitted: ${JSON.stringify(byName.kite)}`);
    assert.equal(byName.hammer.maker, c.toys._id, "a field without lookup stays an id");
    // Filter on a looked-up field (spec 4.2 example).
    const filtered = ok(await products().lookup({ field: "category" })
      .filter(`${startsWith(tag)} && INCLUDES(TOLOWER(category.name), 'to')`).sort("name", "asc").get());
    assert.deepEqual(names(filtered), [`${tag} ball`, `${tag} hammer`, `${tag} saw`]);
    // Sort on a looked-up field, then by quantity.
    const sorted = ok(await products().lookup({ field: "category" }).filter(`${startsWith(tag)} && EXISTS(category)`)
      .sort("category.name", "desc").sort("quantity", "asc").get());
    assert.deepEqual(names(sorted), [`${tag} ball`, `${tag} saw`, `${tag} hammer`]);
    // Two lookups.
    const [hammer] = ok(await tagged(tag).filter(`name == '${tag} hammer'`).lookup({ field: "category" }).lookup({ field: "maker" }).get());
    assert.equal(hammer.category.name, "Tools");
    assert.equal(hammer.maker.name, "Toys");
    fails(await tagged(tag).lookup({ field: "name" }).get(), 400, "invalid_join_or_lookup", "lookup on a text field");
  });

  test("modifiers persist on one builder across calls (spec 3.2)", TIMEOUT, async () => {
    const { tag } = c;
    const builder = tagged(tag).sort("quantity", "desc").limit(1);
    assert.deepEqual(names(ok(await builder.get())), [`${tag} hammer`]);
    assert.deepEqual(names(ok(await builder.page(2).get())), [`${tag} saw`]);
    // limit(1) and page(2) still apply: compute pages through groups, and there is one.
    assert.deepEqual(ok(await builder.compute({ name: "n", type: "count" })), []);
    assert.deepEqual(ok(await builder.page(1).compute({ name: "n", type: "count" })), [{ n: 4 }]);
  });
});

// -- compute ----------------------------------------------------------------------------------

describe("compute", () => {
  let c;
  before(async () => {
    c = await seedCatalog(newTag());
  });

  const all = [
    { name: "count", type: "count", expression: "" },
    { name: "total", type: "sum", expression: "quantity", sort: "desc" },
    { name: "average", type: "avg", expression: "quantity" },
    { name: "cheapest", type: "min", expression: "price" },
    { name: "dearest", type: "max", expression: "price" },
    { name: "heavy", type: "countif", expression: "weight > 1" },
  ];

  test("group(['category']) with every computation, groups sorted by a computed value", TIMEOUT, async () => {
    const rows = ok(await tagged(c.tag).group(["category"]).compute(all), "compute");
    assert.deepEqual(rows, [
      { groupby: { category: c.tools._id }, count: 2, total: 270, average: 135, cheapest: 19.5, dearest: 25, heavy: 1 },
      { groupby: { category: c.toys._id }, count: 1, total: 30, average: 30, cheapest: 4.5, dearest: 4.5, heavy: 0 },
      { groupby: { category: null }, count: 1, total: 0, average: 0, cheapest: 12, dearest: 12, heavy: 0 },
    ]);
    const ascending = ok(await tagged(c.tag).group(["category"]).compute([
      { name: "n", type: "count", expression: "" },
      { name: "total", type: "sum", expression: "quantity", sort: "asc" },
    ]));
    assert.deepEqual(ascending.map((row) => row.total), [0, 30, 270]);
  });

  test("group('in_stock') groups by an expression: {groupby: {group}}", TIMEOUT, async () => {
    const rows = ok(await tagged(c.tag).group("in_stock").compute([
      { name: "n", type: "count", expression: "" },
      { name: "quantity", type: "sum", expression: "quantity", sort: "asc" },
    ]), "compute");
    assert.deepEqual(rows, [
      { groupby: { group: false }, n: 1, quantity: 120 },
      { groupby: { group: true }, n: 3, quantity: 180 },
    ]);
    const computed = ok(await tagged(c.tag).group("quantity > 100").compute({ name: "n", type: "count", sort: "desc" }));
    assert.deepEqual(computed.map((row) => [row.groupby.group, row.n]).sort(), [[false, 2], [true, 2]]);
  });

  test("without group: one row, no groupby; no match: []; a single computation object", TIMEOUT, async () => {
    const rows = ok(await tagged(c.tag).compute(all), "compute");
    assert.deepEqual(rows, [{ count: 4, total: 300, average: 75, cheapest: 4.5, dearest: 25, heavy: 1 }]);
    assert.deepEqual(ok(await products().filter(startsWith(newTag())).compute(all)), []);
    assert.deepEqual(ok(await tagged(c.tag).compute({ name: "n", type: "countif", expression: "in_stock" })), [{ n: 3 }]);
  });

  test("limit and page paginate the groups", TIMEOUT, async () => {
    const page = (n) => tagged(c.tag).group(["category"]).limit(1).page(n).compute(all);
    assert.deepEqual(ok(await page(1)).map((row) => row.total), [270]);
    assert.deepEqual(ok(await page(2)).map((row) => row.total), [30]);
    assert.deepEqual(ok(await page(4)), []);
  });

  test("invalid computations are refused", TIMEOUT, async () => {
    fails(await tagged(c.tag).compute({ name: "m", type: "median", expression: "quantity" }), 400, "invalid_computation_entry");
    fails(await tagged(c.tag).compute([]), 400, "invalid_computations");
    fails(await tagged(c.tag).compute({ name: "s", type: "sum", expression: "quantity +" }), 400, "invalid_expression");
    fails(await tagged(c.tag).group(["secret"]).compute({ name: "n", type: "count" }), 400, "invalid_field");
  });
});

// -- getSingle, getRandom ---------------------------------------------------------------------

describe("getSingle and getRandom", () => {
  let c;
  before(async () => {
    c = await seedCatalog(newTag());
  });

  test("getSingle: the match, with lookups and omit; no match gives null", TIMEOUT, async () => {
    const saw = ok(await tagged(c.tag).filter(`name == '${c.tag} saw'`).getSingle(), "getSingle");
    assert.equal(saw._id, c.saw._id);
    assert.equal(saw.in_stock, false);
    assert.ok(!("secret" in saw));
    const looked = ok(await products().filter(`name == '${c.tag} saw'`).lookup({ field: "category" }).omit("tags").getSingle());
    assert.equal(looked.category.name, "Tools");
    assert.ok(!("tags" in looked));
    const none = await products().filter(`name == '${c.tag} none'`).getSingle();
    assert.deepEqual(none, { data: null, errors: null });
  });

  test("getRandom(n): n distinct matches, at most all of them", TIMEOUT, async () => {
    const sample = ok(await tagged(c.tag).filter(`${startsWith(c.tag)} && quantity > 0`).getRandom(2), "getRandom(2)");
    assert.equal(sample.length, 2);
    assert.equal(new Set(sample.map((p) => p._id)).size, 2);
    for (const p of sample) assert.ok(p.quantity > 0 && p.name.startsWith(c.tag), JSON.stringify(p));
    const everything = ok(await tagged(c.tag).omit("description").lookup({ field: "category" }).getRandom(10), "getRandom(10)");
    assert.deepEqual(sortedNames(everything), ["ball", "hammer", "kite", "saw"].map((n) => `${c.tag} ${n}`));
    for (const p of everything) assert.ok(!("description" in p), JSON.stringify(p));
    assert.equal(everything.find((p) => p._id === c.ball._id).category.name, "Toys");
    assert.deepEqual(ok(await products().filter(startsWith(newTag())).getRandom(3)), []);
  });
});

// -- update, updateFields, delete -------------------------------------------------------------

describe("update, updateFields and delete", () => {
  test("update(values) changes every match and reports {totalMatch, updated}", TIMEOUT, async () => {
    const c = await seedCatalog(newTag());
    const result = ok(await products().filter(`${startsWith(c.tag)} && quantity > 100`).update({ in_stock: false, description: "sale" }), "update");
    assert.deepEqual(result, { totalMatch: 2, updated: 2 });
    const rows = Object.fromEntries((await snapshot(c.tag)).map((p) => [p._id, p]));
    for (const p of [c.hammer, c.saw]) {
      assert.equal(rows[p._id].in_stock, false);
      assert.equal(rows[p._id].description, "sale");
    }
    assert.equal(rows[c.ball._id].description, "rubber", "a non-match changed");
    // Filters may use looked-up fields.
    const byCategory = ok(await products().lookup({ field: "category" })
      .filter(`${startsWith(c.tag)} && category.code == '${c.tag}Y'`).update({ quantity: 31 }), "update with lookup");
    assert.deepEqual(byCategory, { totalMatch: 1, updated: 1 });
    assert.equal(ok(await products().object(c.ball._id).get()).quantity, 31);
    assert.deepEqual(ok(await products().filter(startsWith(newTag())).update({ quantity: 1 })), { totalMatch: 0, updated: 0 });
  });

  test("updateFields: increment, decrement, set, unset, min, max, multiply", TIMEOUT, async () => {
    const c = await seedCatalog(newTag());
    const hammer = tagged(c.tag).filter(`name == '${c.tag} hammer'`);
    const apply = async (updates) => ok(await hammer.updateFields(updates), JSON.stringify(updates));
    const read = async () => ok(await products().object(c.hammer._id).get());
    assert.deepEqual(await apply([
      { field: "quantity", updateType: "increment", value: 5 },
      { field: "price", updateType: "multiply", value: 2 },
    ]), { totalMatch: 1, updated: 1 });
    let p = await read();
    assert.equal(p.quantity, 155);
    assert.equal(p.price, 39);
    await apply({ field: "quantity", updateType: "decrement", value: 55 });
    assert.equal((await read()).quantity, 100);
    await apply([{ field: "quantity", updateType: "min", value: 40 }, { field: "weight", updateType: "max", value: 3.5 }]);
    p = await read();
    assert.equal(p.quantity, 40);
    assert.equal(p.weight, 3.5);
    await apply([{ field: "quantity", updateType: "min", value: 90 }, { field: "weight", updateType: "max", value: 0.5 }]);
    p = await read();
    assert.equal(p.quantity, 40, "min with a larger value changed the field");
    assert.equal(p.weight, 3.5, "max with a smaller value changed the field");
    await apply([{ field: "quantity", updateType: "max", value: 41 }, { field: "weight", updateType: "min", value: 2.25 }]);
    p = await read();
    assert.equal(p.quantity, 41);
    assert.equal(p.weight, 2.25);
    await apply([
      { field: "description", updateType: "set", value: "reforged" },
      { field: "tags", updateType: "set", value: ["x", "y"] },
      { field: "weight", updateType: "unset" },
      { field: "quantity", updateType: "multiply", value: 3 },
    ]);
    p = await read();
    assert.equal(p.description, "reforged");
    assert.deepEqual(p.tags, ["x", "y"]);
    assert.equal(p.weight, null);
    assert.equal(p.quantity, 123);
    // Several objects at once.
    assert.deepEqual(ok(await tagged(c.tag).updateFields({ field: "quantity", updateType: "increment", value: 1 })),
      { totalMatch: 4, updated: 4 });
    const quantities = Object.fromEntries((await snapshot(c.tag)).map((x) => [x._id, x.quantity]));
    assert.deepEqual(quantities, { [c.hammer._id]: 124, [c.saw._id]: 121, [c.ball._id]: 31, [c.kite._id]: 1 });
  });

  test("delete() removes the matches and reports {totalMatch, deleted}", TIMEOUT, async () => {
    const c = await seedCatalog(newTag());
    assert.deepEqual(ok(await tagged(c.tag).filter(`${startsWith(c.tag)} && in_stock == false`).delete(), "delete"),
      { totalMatch: 1, deleted: 1 });
    assert.deepEqual(sortedNames(await snapshot(c.tag)), ["ball", "hammer", "kite"].map((n) => `${c.tag} ${n}`));
    assert.equal(ok(await products().object(c.saw._id).get()), null);
    assert.deepEqual(ok(await tagged(c.tag).delete()), { totalMatch: 3, deleted: 3 });
    assert.deepEqual(await snapshot(c.tag), []);
    assert.deepEqual(ok(await tagged(c.tag).delete()), { totalMatch: 0, deleted: 0 });
  });
});

// -- search -----------------------------------------------------------------------------------

describe("searchText and searchFuzzy", () => {
  let c;
  before(async () => {
    c = await seedCatalog(newTag());
  });

  test("searchText: every word in a searchable field; returnCountInfo", TIMEOUT, async () => {
    const rows = ok(await products().searchText(`${c.tag} steel`), "searchText");
    assert.deepEqual(sortedNames(rows), [`${c.tag} hammer`, `${c.tag} saw`]);
    const body = ok(await products().searchText(`${c.tag} steel hammer`, true), "searchText with count info");
    assert.deepEqual(names(body.data), [`${c.tag} hammer`]);
    assert.equal(body.info.count, 1);
    assert.equal(body.info.currentPage, 1);
    const limited = ok(await products().filter("in_stock == true").omit("description").limit(5).searchText(`${c.tag} steel`));
    assert.deepEqual(names(limited), [`${c.tag} hammer`]);
    assert.ok(!("description" in limited[0]));
    assert.deepEqual(ok(await products().searchText(`${c.tag} nothingmatcheshere`)), []);
    fails(await db.model("categories").searchText("tools"), 400, "not_searchable_model");
  });

  test("searchFuzzy(field, text): close matches on one field", TIMEOUT, async () => {
    const rows = ok(await tagged(c.tag).searchFuzzy("name", "hamme"), "searchFuzzy");
    assert.deepEqual(names(rows), [`${c.tag} hammer`]);
    const looked = ok(await tagged(c.tag).lookup({ field: "category" }).searchFuzzy("name", "hamme"));
    assert.equal(looked[0].category.name, "Tools");
    assert.deepEqual(ok(await tagged(c.tag).searchFuzzy("name", "qqqqqqq")), []);
    fails(await tagged(c.tag).searchFuzzy("quantity", "12"), 400, "invalid_field", "a number field");
    fails(await tagged(c.tag).searchFuzzy("secret", "x"), 400, "invalid_field", "the hidden field");
  });
});

// -- DBObject ---------------------------------------------------------------------------------

describe("DBObject", () => {
  test("create, get (with and without lookups and options), get of a missing id", TIMEOUT, async () => {
    const tag = newTag();
    const category = ok(await db.model("categories").object().create({ name: "Garden", code: `${tag}G` }), "object().create");
    assert.deepEqual(category, { _id: category._id, name: "Garden", code: `${tag}G` });
    // The client never sends the DBObject's id on create.
    const created = ok(await products().object("ignored").create({ name: `${tag} rake`, quantity: 2, category: category._id }, { cache: "nocache" }), "create");
    assert.notEqual(created._id, "ignored");
    assert.equal(created.quantity, 2);
    const read = ok(await products().object(created._id).get(), "get");
    assert.equal(read.name, `${tag} rake`);
    assert.equal(read.category, category._id);
    assert.ok(!("secret" in read));
    const withOptions = ok(await products().object(created._id).get({ cache: "nocache" }), "get(options)");
    assert.deepEqual(withOptions, read);
    const looked = ok(await products().object(created._id).get([{ field: "category" }], { cache: "nocache" }), "get(lookups)");
    assert.deepEqual(looked.category, category);
    assert.deepEqual(await products().object("2147483000").get(), { data: null, errors: null });
    fails(await products().object("not-a-number").get(), 400, "invalid_id_value");
  });

  test("update(values) returns the updated object; invalid values change nothing", TIMEOUT, async () => {
    const c = await seedCatalog(newTag());
    const updated = ok(await products().object(c.ball._id).update({ quantity: 33, tags: ["toy", "red"], category: c.tools._id }), "update");
    assert.equal(updated._id, c.ball._id);
    assert.equal(updated.quantity, 33);
    assert.deepEqual(updated.tags, ["toy", "red"]);
    assert.equal(updated.category, c.tools._id);
    assert.equal(updated.name, c.ball.name, "update touched a field it was not given");
    assert.deepEqual(ok(await products().object(c.ball._id).get()), updated);
    const before = await snapshot(c.tag);
    const item = fails(await products().object(c.ball._id).update({ quantity: "many" }), 400, "not_integer_value");
    assert.equal(item.details?.field, "quantity");
    fails(await products().object(c.ball._id).update({ secret: "x" }), 400, "invalid_field");
    fails(await products().object(c.ball._id).update({ created_at: "2020-01-01T00:00:00Z" }), 400, "invalid_field");
    assert.deepEqual(await snapshot(c.tag), before);
    assert.deepEqual(await products().object("2147483000").update({ quantity: 1 }), { data: null, errors: null });
  });

  test("updateFields returns the updated object", TIMEOUT, async () => {
    const c = await seedCatalog(newTag());
    const p = ok(await products().object(c.saw._id).updateFields([
      { field: "quantity", updateType: "decrement", value: 20 },
      { field: "weight", updateType: "max", value: 2.5 },
      { field: "in_stock", updateType: "set", value: true },
    ]), "updateFields");
    assert.equal(p._id, c.saw._id);
    assert.equal(p.quantity, 100);
    assert.equal(p.weight, 2.5);
    assert.equal(p.in_stock, true);
    const single = ok(await products().object(c.saw._id).updateFields({ field: "weight", updateType: "unset" }));
    assert.equal(single.weight, null);
    // "same as update" (spec 3.2): the whole object as get returns it, sub-model lists
    // included (spec 4.5).
    assert.deepEqual(single, ok(await products().object(c.saw._id).get()));
  });

  test("delete() returns null and removes the object", TIMEOUT, async () => {
    const c = await seedCatalog(newTag());
    assert.deepEqual(await products().object(c.kite._id).delete(), { data: null, errors: null });
    assert.equal(ok(await products().object(c.kite._id).get()), null);
    assert.deepEqual(sortedNames(await snapshot(c.tag)), ["ball", "hammer", "saw"].map((n) => `${c.tag} ${n}`));
    // Deleting it again changes nothing and is not an error.
    ok(await products().object(c.kite._id).delete(), "delete again");
  });

  test("set and append on sub-models, with options.returnTop", TIMEOUT, async () => {
    const { kite } = await seedCatalog(newTag());
    const review = ok(await db.model("products.reviews").object().append({ rating: 3 }, kite._id), "append");
    assert.equal(review.rating, 3);
    assert.equal(review._parent, kite._id);
    const top = ok(await db.model("products.reviews").object().append({ rating: 4 }, kite._id, { returnTop: true }), "append returnTop");
    assert.equal(top._id, kite._id);
    assert.deepEqual(top.reviews.map((r) => r.rating).sort(), [3, 4]);
    const detail = ok(await db.model("products.detail").object().set({ color: "red" }, kite._id), "set");
    assert.equal(detail.color, "red");
    assert.equal(detail._parent, kite._id);
    const topAfterSet = ok(await db.model("products.detail").object().set({ color: "blue" }, kite._id, { returnTop: true }), "set returnTop");
    assert.equal(topAfterSet._id, kite._id);
    const stored = ok(await db.model("productdetails").filter(`product == '${kite._id}'`).get(), "details");
    assert.deepEqual(stored.map((d) => d.color), ["blue"]);
  });

  test("a sub-object by id: get, update, updateFields and delete", TIMEOUT, async () => {
    const { kite } = await seedCatalog(newTag());
    const reviews = () => db.model("products.reviews");
    const [first, second] = ok(await reviews().append([{ rating: 2 }, { rating: 3 }], kite._id), "append");
    const read = ok(await reviews().object(first._id).get(), "get");
    assert.equal(read._id, first._id);
    assert.equal(read.rating, 2);
    const updated = ok(await reviews().object(first._id).update({ rating: 4, text: "better" }), "update");
    assert.equal(updated._id, first._id);
    assert.equal(updated.rating, 4);
    assert.equal(updated.text, "better");
    const fields = ok(await reviews().object(first._id).updateFields({ field: "rating", updateType: "increment", value: 1 }), "updateFields");
    assert.equal(fields.rating, 5);
    assert.equal(ok(await reviews().object(first._id).delete(), "delete"), null);
    assert.equal(ok(await reviews().object(first._id).get()), null);
    assert.deepEqual(ok(await products().object(kite._id).get()).reviews.map((r) => r._id), [second._id]);
  });

  test("a sub-object read by id carries _parent (spec 4.5)", TIMEOUT, async () => {
    const { kite } = await seedCatalog(newTag());
    const review = ok(await db.model("products.reviews").append({ rating: 2 }, kite._id), "append");
    assert.equal(review._parent, kite._id);
    const read = ok(await db.model("products.reviews").object(review._id).get(), "get");
    assert.equal(read._parent, kite._id, `get: ${JSON.stringify(read)}`);
  });

  // returnTop (spec 3.2, 4.6): the updated top-level object instead of the sub-object.
  for (const [method, call, expected] of [
    ["update", (o) => o.update({ rating: 1 }, { returnTop: true }), [1]],
    ["updateFields", (o) => o.updateFields({ field: "rating", updateType: "increment", value: 1 }, { returnTop: true }), [4]],
    ["delete", (o) => o.delete({ returnTop: true }), []],
  ]) {
    test(`a sub-object's ${method} with options.returnTop returns the parent`, TIMEOUT, async () => {
      const { kite } = await seedCatalog(newTag());
      const review = ok(await db.model("products.reviews").append({ rating: 3 }, kite._id), "append");
      const top = ok(await call(db.model("products.reviews").object(review._id)), `${method} returnTop`);
      assert.equal(top?._id, kite._id, `${method} with returnTop: ${JSON.stringify(top)}`);
      assert.equal(top.name, kite.name);
      assert.deepEqual(top.reviews.map((r) => r.rating), expected);
    });
  }
});

// -- todos: owner rules -----------------------------------------------------------------------

/** The subset of the Web Storage API the client uses (spec 1.7), in memory. */
function memoryStorage() {
  const items = new Map();
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key),
  };
}

/** A fresh client signed up (email confirmation is off on this server) with a new user. */
async function signedUpClient(label) {
  const client = createClient(ENV_URL, CLIENT_KEY, { localStorage: memoryStorage() });
  const email = `it-data-${newTag()}-${label}@example.com`;
  const password = `Pw-${randomBytes(6).toString("hex")}-Zq!`;
  const result = await client.auth.signUpWithEmail(email, password, label);
  assert.equal(result.errors, null, `signUpWithEmail: ${JSON.stringify(result.errors)}`);
  assert.ok(result.session?.token, `no session: email confirmation must be off: ${JSON.stringify(result)}`);
  return { client, user: result.user };
}

describe("todos: each signed-in user sees only their own", () => {
  let alice;
  let bob;
  before(async () => {
    [alice, bob] = await Promise.all([signedUpClient("alice"), signedUpClient("bob")]);
  });

  const todos = (who) => who.client.db.model("todos");
  const titles = (rows) => rows.map((row) => row.title).sort();

  test("create sets the owner; get, getSingle, compute and search see only one's own", TIMEOUT, async () => {
    const mine = ok(await todos(alice).create([{ title: "alice one" }, { title: "alice two", priority: 2 }]), "alice create");
    for (const todo of mine) assert.equal(todo.owner, alice.user._id);
    const bobs = ok(await todos(bob).object().create({ title: "bob one", done: true }), "bob create");
    assert.equal(bobs.owner, bob.user._id);
    assert.deepEqual(titles(ok(await todos(alice).get())), ["alice one", "alice two"]);
    assert.deepEqual(titles(ok(await todos(bob).get())), ["bob one"]);
    assert.equal(ok(await todos(bob).filter("title == 'alice one'").getSingle()), null);
    assert.deepEqual(ok(await todos(alice).compute({ name: "n", type: "count" })), [{ n: 2 }]);
    assert.deepEqual(titles(ok(await todos(bob).searchText("one"))), ["bob one"]);
    assert.deepEqual(ok(await todos(bob).get(true)).info.count, 1);
    const stats = ok(await bob.client.db.getStats(), "getStats");
    assert.equal(stats.models.find((m) => m.name === "todos")?.count, 1, JSON.stringify(stats));
    // The owner field cannot be given by the client.
    fails(await todos(alice).create({ title: "forged", owner: bob.user._id }), 400, "invalid_field");
    assert.deepEqual(titles(ok(await todos(bob).get())), ["bob one"]);
  });

  test("another user's todo cannot be read, changed or deleted", TIMEOUT, async () => {
    const todo = ok(await todos(alice).object().create({ title: "private", priority: 1 }), "create");
    assert.equal(ok(await todos(bob).object(todo._id).get()), null);
    assert.equal(ok(await todos(bob).object(todo._id).update({ title: "stolen" })), null);
    assert.equal(ok(await todos(bob).object(todo._id).updateFields({ field: "priority", updateType: "increment", value: 5 })), null);
    ok(await todos(bob).object(todo._id).delete(), "bob delete");
    assert.deepEqual(ok(await todos(bob).filter(`_id == '${todo._id}'`).update({ done: true })), { totalMatch: 0, updated: 0 });
    assert.deepEqual(ok(await todos(bob).filter(`_id == '${todo._id}'`).updateFields({ field: "priority", updateType: "set", value: 9 })), { totalMatch: 0, updated: 0 });
    assert.deepEqual(ok(await todos(bob).filter(`_id == '${todo._id}'`).delete()), { totalMatch: 0, deleted: 0 });
    const after = ok(await todos(alice).object(todo._id).get(), "alice get");
    assert.deepEqual(
      { title: after.title, priority: after.priority, done: after.done, owner: after.owner },
      { title: "private", priority: 1, done: false, owner: alice.user._id },
    );
    // The owner can.
    assert.equal(ok(await todos(alice).object(todo._id).update({ done: true })).done, true);
    assert.deepEqual(ok(await todos(alice).filter(`_id == '${todo._id}'`).delete()), { totalMatch: 1, deleted: 1 });
  });

  test("without a session: 401 missing_session_token, nothing changes", TIMEOUT, async () => {
    const anonymous = db.model("todos");
    const before = ok(await todos(alice).get());
    fails(await anonymous.get(), 401, "missing_session_token", "get");
    fails(await db.model("todos").create({ title: "anonymous" }), 401, "missing_session_token", "create");
    fails(await db.model("todos").object(before[0]._id).get(), 401, "missing_session_token", "object get");
    fails(await db.model("todos").object(before[0]._id).update({ title: "x" }), 401, "missing_session_token", "object update");
    fails(await db.model("todos").delete(), 401, "missing_session_token", "delete");
    fails(await db.model("todos").updateFields({ field: "priority", updateType: "increment", value: 1 }), 401, "missing_session_token", "updateFields");
    assert.deepEqual(ok(await todos(alice).get()), before);
  });
});

// -- errors -----------------------------------------------------------------------------------

describe("errors", () => {
  let c;
  let before0;
  before(async () => {
    c = await seedCatalog(newTag());
    before0 = await snapshot(c.tag);
  });
  after(async () => {
    // None of the refused calls below may have changed anything.
    assert.deepEqual(await snapshot(c.tag), before0);
  });

  test("an invalid expression: 400 invalid_expression with details.position", TIMEOUT, async () => {
    for (const call of [
      (q) => q.get(), (q) => q.getSingle(), (q) => q.getRandom(1), (q) => q.compute({ name: "n", type: "count" }),
      (q) => q.update({ quantity: 1 }), (q) => q.updateFields({ field: "quantity", updateType: "increment", value: 1 }),
      (q) => q.delete(),
    ]) {
      const item = fails(await call(products().filter("quantity >")), 400, "invalid_expression", call.toString());
      assert.equal(item.details?.position, "quantity >".length, JSON.stringify(item));
    }
    const item = fails(await products().filter(`${startsWith(c.tag)} && (quantity > 'a' ||`).get(), 400, "invalid_expression");
    assert.ok(Number.isInteger(item.details?.position), JSON.stringify(item));
  });

  test("an unknown or hidden field: 400 invalid_field", TIMEOUT, async () => {
    let item = fails(await products().filter("nope == 1").get(), 400, "invalid_field", "unknown field");
    assert.equal(item.details?.field, "nope", JSON.stringify(item));
    item = fails(await products().filter("secret == 's'").get(), 400, "invalid_field", "hidden field in a filter");
    assert.equal(item.details?.field, "secret", JSON.stringify(item));
    fails(await products().filter(`${startsWith(c.tag)} && secret == ''`).delete(), 400, "invalid_field", "hidden field in a delete");
    fails(await products().filter(`${startsWith(c.tag)} && nope == 1`).update({ quantity: 0 }), 400, "invalid_field", "unknown field in an update");
    item = fails(await tagged(c.tag).sort("secret", "asc").get(), 400, "invalid_field", "hidden field in a sort");
    assert.equal(item.details?.field, "secret", JSON.stringify(item));
    fails(await tagged(c.tag).sort("nope", "desc").get(), 400, "invalid_field", "unknown field in a sort");
    // The hidden field is never returned, nor writable.
    for (const p of await snapshot(c.tag)) assert.ok(!("secret" in p));
    fails(await tagged(c.tag).update({ secret: "x" }), 400, "invalid_field", "update of the hidden field");
    fails(await tagged(c.tag).updateFields({ field: "secret", updateType: "set", value: "x" }), 400, "invalid_field", "updateFields of the hidden field");
    fails(await products().create({ name: `${c.tag} secret`, secret: "x" }), 400, "invalid_field", "create with the hidden field");
    fails(await products().create({ name: `${c.tag} nope`, nope: 1 }), 400, "invalid_field", "create with an unknown field");
  });

  test("an unknown model: 404 model_not_found", TIMEOUT, async () => {
    const missing = () => db.model(`nomodel${c.tag}`);
    fails(await missing().get(), 404, "model_not_found", "get");
    fails(await missing().create({ name: "x" }), 404, "model_not_found", "create");
    fails(await missing().compute({ name: "n", type: "count" }), 404, "model_not_found", "compute");
    fails(await missing().object("1").get(), 404, "model_not_found", "object get");
    fails(await missing().object().create({ name: "x" }), 404, "model_not_found", "object create");
  });

  test("values that fail validation: 400 with details.field", TIMEOUT, async () => {
    for (const [values, code, field] of [
      [{ name: `${c.tag} q`, quantity: "many" }, "not_integer_value", "quantity"],
      [{ name: `${c.tag} ${"x".repeat(100)}` }, "max_length_threshold_exceeded", "name"],
      [{ quantity: 1 }, "missing_required_field_value", "name"],
      [{ name: `${c.tag} q`, released_at: "yesterday" }, "not_datetime_value", "released_at"],
    ]) {
      const what = `create ${JSON.stringify(values).slice(0, 60)}`;
      let item = fails(await products().create(values), 400, code, what);
      assert.equal(item.details?.field, field, `${what}: ${JSON.stringify(item)}`);
      item = fails(await products().object().create(values), 400, code, `object ${what}`);
      assert.equal(item.details?.field, field, JSON.stringify(item));
    }
    let item = fails(await tagged(c.tag).update({ quantity: "many" }), 400, "not_integer_value", "update");
    assert.equal(item.details?.field, "quantity", JSON.stringify(item));
    item = fails(await products().object(c.saw._id).update({ name: "y".repeat(101) }), 400, "max_length_threshold_exceeded", "object update");
    assert.equal(item.details?.field, "name", JSON.stringify(item));
    item = fails(await products().object(c.saw._id).update({ name: "" }), 400, "missing_required_field_value", "object update");
    assert.equal(item.details?.field, "name", JSON.stringify(item));
  });

  test("an unknown update type: 400 invalid_update_instruction", TIMEOUT, async () => {
    fails(await tagged(c.tag).updateFields({ field: "quantity", updateType: "explode", value: 1 }), 400, "invalid_update_instruction");
    fails(await tagged(c.tag).updateFields([
      { field: "quantity", updateType: "increment", value: 1 },
      { field: "quantity", updateType: "divideby", value: 2 },
    ]), 400, "invalid_update_instruction", "the first, valid, instruction must not be applied");
    fails(await products().object(c.saw._id).updateFields({ field: "quantity", updateType: "explode" }), 400, "invalid_update_instruction", "object");
    fails(await tagged(c.tag).updateFields({ field: "name", updateType: "increment", value: 1 }), 400, "invalid_update_instruction", "increment of a text field");
    fails(await tagged(c.tag).updateFields({ field: "quantity", updateType: "increment", value: "one" }), 400, "invalid_update_instruction", "a text amount");
  });
});

// -- concurrency ------------------------------------------------------------------------------

describe("concurrency", () => {
  test("50 concurrent increments through updateFields end at exactly +50", TIMEOUT, async () => {
    const tag = newTag();
    const counter = ok(await products().create({ name: `${tag} counter`, quantity: 7 }), "create");
    const results = await Promise.all(Array.from({ length: 50 }, () =>
      tagged(tag).updateFields([{ field: "quantity", updateType: "increment", value: 1 }])));
    results.forEach((result) => assert.deepEqual(ok(result, "updateFields"), { totalMatch: 1, updated: 1 }));
    assert.equal(ok(await products().object(counter._id).get()).quantity, 57);
  });

  test("50 concurrent DBObject updateFields increments end at exactly +50", TIMEOUT, async () => {
    const tag = newTag();
    const counter = ok(await products().create({ name: `${tag} counter`, quantity: -20 }), "create");
    const results = await Promise.all(Array.from({ length: 50 }, () =>
      products().object(counter._id).updateFields({ field: "quantity", updateType: "increment", value: 1 })));
    results.forEach((result) => assert.equal(ok(result, "updateFields")._id, counter._id));
    assert.equal(ok(await products().object(counter._id).get()).quantity, 30);
  });
});
