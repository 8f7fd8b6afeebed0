"use strict";
/**
 * Preload for the interop tests: `NODE_OPTIONS="--require /abs/path/localhost-dns.cjs"`.
 *
 * The altogic client derives its realtime URL from the envUrl (spec 1.8); the only local form
 * that keeps REST and the socket on one origin is `http://realtime.<a>.<b>.<c>:port`, e.g.
 * `http://realtime.agnost.app.localhost:8000`. Browsers resolve every `*.localhost` name to
 * loopback themselves, but Node uses the system resolver, which usually answers ENOTFOUND.
 * This module wraps `dns.lookup` and `dns.promises.lookup` (which http/net and therefore
 * node-fetch, ws and engine.io-client all go through) so that `localhost` and every name
 * ending in `.localhost` resolve to 127.0.0.1; every other name goes to the original
 * functions. The client code itself stays untouched.
 *
 * The answer is always IPv4 127.0.0.1, even if family 6 is asked for: the test server binds
 * 127.0.0.1 only, so ::1 would never connect.
 */

const dns = require("node:dns");
const util = require("node:util");

const LOOPBACK = { address: "127.0.0.1", family: 4 };

function isLocalhostName(hostname) {
  if (typeof hostname !== "string") return false;
  const name = hostname.toLowerCase().replace(/\.$/, ""); // "foo.localhost." is the same name
  return name === "localhost" || name.endsWith(".localhost");
}

function wantsAll(options) {
  return options !== null && typeof options === "object" && Boolean(options.all);
}

const originalLookup = dns.lookup;

// dns.lookup(hostname[, options], callback); options is an object or a family number.
function lookup(hostname, options, callback) {
  if (!isLocalhostName(hostname)) {
    return originalLookup.apply(this, arguments);
  }
  if (typeof options === "function") {
    callback = options;
    options = {};
  }
  if (typeof callback !== "function") {
    // Let the original raise its usual ERR_INVALID_ARG_TYPE.
    return originalLookup.apply(this, arguments);
  }
  // Real lookups never call back synchronously; callers may rely on that.
  process.nextTick(() => {
    if (wantsAll(options)) callback(null, [{ ...LOOPBACK }]);
    else callback(null, LOOPBACK.address, LOOPBACK.family);
  });
  return {}; // the original returns a GetAddrInfoReqWrap nobody uses
}

const originalPromisesLookup = dns.promises.lookup;

function promisesLookup(hostname, options) {
  if (!isLocalhostName(hostname)) {
    return originalPromisesLookup.apply(this, arguments);
  }
  return Promise.resolve(wantsAll(options) ? [{ ...LOOPBACK }] : { ...LOOPBACK });
}

// util.promisify(dns.lookup) resolves {address, family} (or the array with `all`), like the
// original, whose internal promisify hint is lost by wrapping.
Object.defineProperty(lookup, util.promisify.custom, {
  value: (hostname, options) => dns.promises.lookup(hostname, options),
});

dns.lookup = lookup;
// `require("dns/promises")` returns this same object, so both spellings are covered.
dns.promises.lookup = promisesLookup;
