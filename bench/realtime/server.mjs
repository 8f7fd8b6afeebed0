// The baseline of bench/realtime_bench.py: a plain socket.io server with the Redis adapter,
// doing what agnost_django's realtime consumer does for the benchmark's traffic.
//
//   PORT=3001 REDIS_URL=redis://127.0.0.1:6379/15 ADAPTER_KEY=bench-xyz CLIENT_KEY=k node server.mjs
//
// Several processes started with the same REDIS_URL and ADAPTER_KEY form one server: the
// adapter relays room broadcasts between them over Redis pub/sub. Same semantics as the
// agnost consumer for the events the benchmark uses:
//   * the handshake's auth must carry the client key (compared with CLIENT_KEY; agnost
//     looks it up in its database), and its echoMessages (default true) is the echo default;
//   * `join` {channel}: join the room, then `channel:join` {channel, message: {id, data}}
//     to the room (the joiner included unless echo is false), ack with null;
//   * `message` {channel, eventName, message}: `eventName` {channel, message} to the room
//     (the sender included unless echo is false), ack with null if asked.
// Websocket only, pingInterval / pingTimeout / maxPayload as agnost's defaults.
// Prints "listening <port>" once it accepts connections. Started with --expose-gc, it runs a
// full garbage collection on SIGUSR2 (the benchmark does before each RSS reading, so that the
// reading does not depend on when V8 last collected) and prints "gc <n>".

import { createServer } from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import { Server } from "socket.io";

const port = Number(process.env.PORT);
const clientKey = process.env.CLIENT_KEY || "";

const pubClient = createClient({ url: process.env.REDIS_URL || "redis://127.0.0.1:6379" });
const subClient = pubClient.duplicate();
for (const client of [pubClient, subClient]) client.on("error", (err) => console.error("redis:", err));
await Promise.all([pubClient.connect(), subClient.connect()]);

const httpServer = createServer();
const io = new Server(httpServer, {
  transports: ["websocket"],
  pingInterval: 25000,
  pingTimeout: 20000,
  maxHttpBufferSize: 1_000_000,
  serveClient: false,
  cors: { origin: true },
  adapter: createAdapter(pubClient, subClient, { key: process.env.ADAPTER_KEY || "socket.io" }),
});

io.use((socket, next) => {
  const auth = socket.handshake.auth || {};
  if (auth.clientKey !== clientKey) {
    const err = new Error("The client key is not valid.");
    err.data = { status: 401, code: "invalid_client_key" };
    return next(err);
  }
  socket.data.echo = typeof auth.echoMessages === "boolean" ? auth.echoMessages : true;
  next();
});

function validChannel(value) {
  return typeof value === "string" && value.trim() !== "" && value.length <= 256;
}

io.on("connection", (socket) => {
  const target = (channel, payload) =>
    (typeof payload.echo === "boolean" ? payload.echo : socket.data.echo) ? io.to(channel) : socket.to(channel);

  socket.on("join", (payload = {}, ack) => {
    if (!validChannel(payload.channel)) return ack?.({ errors: [{ code: "invalid_channel" }] });
    const isNew = !socket.rooms.has(payload.channel);
    socket.join(payload.channel);
    if (isNew) {
      target(payload.channel, payload).emit("channel:join",
        { channel: payload.channel, message: { id: socket.id, data: null } });
    }
    ack?.(null);
  });

  socket.on("message", (payload = {}, ack) => {
    if (!validChannel(payload.channel) || typeof payload.eventName !== "string") {
      return ack?.({ errors: [{ code: "invalid_message" }] });
    }
    target(payload.channel, payload).emit(payload.eventName,
      { channel: payload.channel, message: payload.message });
    ack?.(null);
  });
});

httpServer.listen(port, "127.0.0.1", () => console.log(`listening ${port}`));

let collections = 0;
process.on("SIGUSR2", () => {
  globalThis.gc?.();
  console.log(`gc ${++collections}`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    io.close();
    Promise.allSettled([pubClient.quit(), subClient.quit()]).finally(() => process.exit(0));
  });
}
