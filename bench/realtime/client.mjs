// The load client of bench/realtime_bench.py, the same for both servers: raw websockets (`ws`,
// the library socket.io-client uses in Node) speaking the Engine.IO 4 / Socket.IO 5 frames
// socket.io-client sends, without its per-socket machinery, so that one Node process can
// drive hundreds of sockets without being the bottleneck on a two-core machine.
//
//   node client.mjs '<json config>'
//
// Output: one JSON object per line on stdout ({"event": ...}); input: lines on stdin.
//
// mode "idle" {urls, connections, clientKey}: opens `connections` sockets (round robin over
//   urls, CONNECT answered by the server), prints {"event":"connected"}, waits for the line
//   "close" on stdin, closes them, prints {"event":"closed"} and exits.
// mode "fanout" {urls, subscribers, messages, sequential, paced, rate, channel, clientKey}: opens the
//   subscribers round robin over urls; every subscriber joins `channel` (acked), then the
//   client waits until the channel:join notifications stop. Then, each phase with a new
//   publisher on urls[0] (not a member; connected before the phase starts):
//   * burst: the publisher sends `messages` messages back to back, each {i, t} with t the
//     send time (performance.now(); publisher and subscribers share this process's clock);
//   * sequential: `sequential` messages, each sent once every subscriber got the previous
//     one (or 10 s passed), i.e. fan-out latency without queueing.
//   * paced: `paced` messages at `rate` per second (sent on time, whatever the deliveries do):
//     the latency of a live app's traffic.
//   Prints one {"event":"result"} per phase: deliveries, lost, duplicates, deliveries/s and
//   latency percentiles (send -> receive, ms).

import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import WebSocket from "ws";

const config = JSON.parse(process.argv[2]);
const CONNECT_CONCURRENCY = 64;
const QUIET_MS = 1000; // channel:join notifications are over once nothing arrives for this long
const JOIN_SETTLE_CAP_MS = 120_000;
const STALL_MS = 10_000; // a phase ends when no delivery arrived for this long

function emit(event, data = {}) {
  process.stdout.write(JSON.stringify({ event, ...data }) + "\n");
}

const problems = { connectErrors: 0, closedEarly: 0, agnostErrors: 0, ackErrors: 0, closeCodes: {} };
let lastFrameAt = performance.now();
let closing = false;

class Conn {
  constructor(url, index) {
    this.url = url;
    this.index = index;
    this.nextAck = 1;
    this.acks = new Map();
    this.onEvent = null; // (name, rawFrame) => void, for 42 frames
  }

  open() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${this.url}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: process.env.BENCH_DEFLATE !== "0" });
      this.ws = ws;
      let connected = false;
      ws.on("message", (data, isBinary) => {
        lastFrameAt = performance.now();
        if (isBinary) return;
        const text = data.toString();
        const kind = text[0];
        if (kind === "2") { ws.send("3"); return; }
        if (kind === "0") {
          ws.send("40" + JSON.stringify({ clientKey: config.clientKey, echoMessages: true }));
          return;
        }
        if (kind !== "4") return;
        const type = text[1];
        if (type === "0") { connected = true; resolve(this); return; }
        if (type === "4") { problems.connectErrors++; reject(new Error(`connect error: ${text}`)); return; }
        if (type === "3") {
          const match = /^43(\d+)(.*)$/s.exec(text);
          if (match && this.acks.has(Number(match[1]))) {
            const settle = this.acks.get(Number(match[1]));
            this.acks.delete(Number(match[1]));
            const body = JSON.parse(match[2]);
            if (body[0] !== null) problems.ackErrors++;
            settle(body[0]);
          }
          return;
        }
        if (type === "2") {
          if (text.startsWith('42["agnost:error"')) problems.agnostErrors++;
          this.onEvent?.(text);
        }
      });
      ws.on("error", (err) => { if (!connected) reject(err); });
      ws.on("close", (code) => {
        this.dead = true;
        if (!closing) {
          problems.closedEarly++;
          problems.closeCodes[code] = (problems.closeCodes[code] || 0) + 1;
        }
        if (!connected) reject(new Error(`closed before CONNECT (${code})`));
      });
    });
  }

  emitEvent(name, payload, withAck = false) {
    if (!withAck) {
      this.ws.send("42" + JSON.stringify([name, payload]));
      return Promise.resolve(null);
    }
    const id = this.nextAck++;
    return new Promise((resolve) => {
      this.acks.set(id, resolve);
      this.ws.send("42" + id + JSON.stringify([name, payload]));
    });
  }

  close() {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once("close", resolve);
      this.ws.close();
    });
  }
}

async function pool(items, concurrency, fn) {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  });
  await Promise.all(workers);
}

async function openAll(count) {
  const conns = Array.from({ length: count }, (_, i) => new Conn(config.urls[i % config.urls.length], i));
  const started = performance.now();
  await pool(conns, CONNECT_CONCURRENCY, (conn) => conn.open());
  return { conns, seconds: (performance.now() - started) / 1000 };
}

async function closeAll(conns) {
  closing = true;
  await Promise.all(conns.map((conn) => conn.close()));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted, fraction) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

async function waitForLine(expected) {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === expected) return;
  }
}

async function idle() {
  const { conns, seconds } = await openAll(config.connections);
  emit("connected", { connections: conns.length, seconds, problems });
  await waitForLine("close");
  await closeAll(conns);
  emit("closed", { problems });
}

async function fanout() {
  const { subscribers, messages, sequential, channel } = config;
  const { conns: subs, seconds: connectSeconds } = await openAll(subscribers);
  const publishers = [];

  // Joins (acked), then wait for the channel:join notifications to stop.
  let notifications = 0;
  for (const sub of subs) {
    sub.onEvent = (text) => { if (text.startsWith('42["channel:join"')) notifications++; };
  }
  let started = performance.now();
  await pool(subs, CONNECT_CONCURRENCY, (sub) => sub.emitEvent("join", { channel }, true));
  const joinSeconds = (performance.now() - started) / 1000;
  while (performance.now() - lastFrameAt < QUIET_MS && performance.now() - started < JOIN_SETTLE_CAP_MS) {
    await sleep(100);
  }
  const settleSeconds = (lastFrameAt - started) / 1000;
  emit("joined", { connectSeconds, joinSeconds, settleSeconds, notifications, problems });

  // One phase: `count` messages, sent by `sendAll(send, waitForMessage)`, each received
  // by every subscriber.
  async function phase(name, count, sendAll) {
    const publisher = new Conn(config.urls[0], -1 - publishers.length);
    await publisher.open();
    publishers.push(publisher);
    const sentAt = new Float64Array(count);
    const lastAt = new Float64Array(count); // when the last subscriber got message i
    const received = new Uint32Array(count);
    const latencies = new Float64Array(count * subscribers);
    const seen = subs.map(() => new Uint8Array(count));
    let deliveries = 0;
    let duplicates = 0;
    const byUrl = Object.fromEntries(config.urls.map((url) => [url, 0]));
    let lastDelivery = 0;
    subs.forEach((sub, s) => {
      sub.onEvent = (text) => {
        if (!text.startsWith('42["e",')) return;
        const now = performance.now();
        const message = JSON.parse(text.slice(2))[1].message;
        if (message.phase !== name) return;
        if (seen[s][message.i]) { duplicates++; return; }
        seen[s][message.i] = 1;
        received[message.i]++;
        byUrl[sub.url]++;
        lastAt[message.i] = now;
        latencies[deliveries++] = now - message.t;
        lastDelivery = now;
      };
    });
    // Resolves true once `done()`, false after `stallMs` without a delivery.
    const waitUntil = async (done, stallMs, pollMs = 1) => {
      let last = deliveries;
      let lastChange = performance.now();
      while (!done()) {
        if (publisher.dead && performance.now() - lastChange > 1000) return false;
        await sleep(pollMs);
        if (deliveries > last) { last = deliveries; lastChange = performance.now(); }
        else if (performance.now() - lastChange > stallMs) return false;
      }
      return true;
    };
    const send = (i) => {
      const t = performance.now();
      sentAt[i] = t;
      publisher.emitEvent("message", { channel, eventName: "e", message: { phase: name, i, t } });
    };
    // A subscriber the server closed gets nothing more: wait for the living ones only.
    const alive = () => subs.reduce((n, sub) => n + (sub.dead ? 0 : 1), 0);
    const waitForMessage = (i) => waitUntil(() => received[i] >= alive(), STALL_MS);
    const first = performance.now();
    await sendAll(send, waitForMessage, publisher);
    await waitUntil(() => { const n = alive(); return received.every((got) => got >= n); }, STALL_MS, 20);
    const elapsed = (lastDelivery - first) / 1000;
    const sorted = latencies.slice(0, deliveries).sort();
    const completions = [];
    const living = alive();
    for (let i = 0; i < count; i++) if (received[i] >= living) completions.push(lastAt[i] - sentAt[i]);
    const sortedCompletions = Float64Array.from(completions).sort();
    emit("result", {
      phase: name, messages: count, subscribers, expected: count * subscribers, deliveries,
      lost: count * subscribers - deliveries, duplicates, messagesFullyDelivered: completions.length,
      subscribersClosed: subscribers - living, publisherClosed: publisher.dead === true, deliveriesByUrl: byUrl,
      seconds: elapsed, rate: deliveries / elapsed,
      p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? null,
      completionP50: percentile(sortedCompletions, 0.5), completionP99: percentile(sortedCompletions, 0.99),
      problems,
    });
  }

  await phase("burst", messages, async (send) => {
    for (let i = 0; i < messages; i++) send(i);
  });
  if (sequential > 0) {
    await phase("sequential", sequential, async (send, waitForMessage, publisher) => {
      for (let i = 0; i < sequential && !publisher.dead; i++) {
        send(i);
        await waitForMessage(i);
      }
    });
  }
  if (config.paced > 0) {
    // The offered load of a live app: messages at a fixed rate, whatever the deliveries do.
    const interval = 1000 / config.rate;
    await phase("paced", config.paced, async (send, _waitForMessage, publisher) => {
      const start = performance.now();
      for (let i = 0; i < config.paced && !publisher.dead; i++) {
        const wait = start + i * interval - performance.now();
        if (wait > 0) await sleep(wait);
        send(i);
      }
    });
  }
  await closeAll([...subs, ...publishers]);
  emit("closed", { problems });
}

try {
  if (config.mode === "idle") await idle();
  else if (config.mode === "fanout") await fanout();
  else throw new Error(`unknown mode ${config.mode}`);
  process.exit(0);
} catch (err) {
  emit("error", { message: String(err?.stack || err), problems });
  process.exit(1);
}
