"""Realtime benchmark: idle memory per connection and fan-out across two server processes,
next to a plain Node.js socket.io server with its Redis adapter, measured in the same run.

Servers (all started by this script; services stack: PostgreSQL + Redis):

* agnost — the example project through the interop harness (``InteropServer("services")``)
  plus a second uvicorn process on the same database, ``REDIS_URL`` and ``CACHE_KEY_PREFIX``
  (``InteropServer.spawn_peer``), so both share the channels_redis layer and the presence
  registry;
* node — ``bench/realtime/server.mjs`` twice: socket.io 4.8 with ``@socket.io/redis-adapter``
  on the same Redis under a unique adapter key, doing what the consumer does for this
  traffic (client-key check at CONNECT, ``join`` + ``channel:join`` notification to the
  room + ack, ``message`` relayed to the room as ``42[eventName, {channel, message}]``).

One load client drives both: ``bench/realtime/client.mjs``, a single Node process with raw
websockets (``ws``) speaking the Engine.IO 4 / Socket.IO 5 frames socket.io-client sends
(CONNECT with ``{"clientKey", "echoMessages": true}``, answers pings). It shares the two
cores with the four servers and Redis, and is the same for both sides. Each side is warmed
up first (a small fan-out), and every measurement starts once all servers are idle again
(under 5 % of a core), so that one side's leftover work does not slow the other.

1. Idle memory. ``--connections`` sockets are opened against ONE server process (64
   handshakes in flight) and left idle; that process's RSS (``/proc/<pid>/status`` VmRSS) is
   read before, 3 s after the last CONNECT was answered, and after closing them all. Node's
   reading follows a forced full GC (``--expose-gc``, SIGUSR2); Python frees by reference
   counting. Per connection = (with - before) / connections.
2. Fan-out. ``--subscribers`` sockets split round robin over the two processes join one
   channel (acked); the client then waits until the ``channel:join`` notifications stop (one
   frame per member per join: about subscribers² / 2). Each phase then gets a new publisher
   socket on the first process (not a member), which sends messages ``{phase, i, t}``, ``t``
   its send time (``performance.now()`` of the client process, where publisher and
   subscribers live):
   * burst — ``--messages`` messages back to back: deliveries/s = deliveries / (last
     delivery - first send); latency = receive - send per delivery, so p50/p99 include the
     queueing of the whole burst;
   * sequential — ``--sequential`` messages, each sent once every subscriber got the previous
     one: the latency of one fan-out alone;
   * paced — ``--paced`` messages (100) sent at ``--rate`` per second (20), on time whatever
     the deliveries do: the latency of a live app's traffic at the same offered load.
   A phase ends when every subscriber the server did not close got every message, or after
   10 s without a delivery. Lost and duplicate deliveries, sockets closed by the servers
   (with their close codes), server CPU seconds per phase and, for agnost on channels_redis's
   list-based layer, the backlog of its per-process queues in Redis (sampled every 0.5 s;
   the default pub/sub layer keeps none) are printed too.

``--rounds`` (3) repeats 1 and 2 for each side in turn (agnost, node, agnost, node, ...); the
table shows the medians (idle memory: round 1's, a process's first sockets) and the totals
of lost and duplicate deliveries; the headline figures of each round are printed above it.
agnost runs as the README's production command does (``agnost_serve --no-access-log``).

At the end the agnost logs are scanned: exceptions counted by class, with the agnost_django
and channels / channels_redis / uvicorn frames they came from.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_DIR = Path(__file__).resolve().parent / "realtime"
sys.path.insert(0, str(ROOT))

from tests.interop.server import REDIS_DB, InteropServer, free_port  # noqa: E402

SETTLE = 3.0  # seconds between the last handshake (or close) and the RSS reading


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


_T0 = time.monotonic()


def progress(text: str) -> None:
    print(f"[{time.monotonic() - _T0:6.1f} s] {text}", file=sys.stderr, flush=True)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


SERVER_PIDS: list[int] = []  # every server process of both sides


def wait_quiet(pids: list[int] | None = None, cap: float = 180.0) -> float:
    """Wait until the processes (default: all servers) use under 5 % of a core over half a
    second (what the last phase left them to do, e.g. disconnect handling); returns the
    seconds waited."""
    pids = SERVER_PIDS if pids is None else pids
    started = time.monotonic()
    while time.monotonic() - started < cap:
        before = sum(cpu_seconds(pid) for pid in pids)
        time.sleep(0.5)
        if sum(cpu_seconds(pid) for pid in pids) - before < 0.025:
            break
    return time.monotonic() - started


def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/") + f"/{REDIS_DB}"


class QueueMonitor:
    """Samples channels_redis's per-process queues every half second: for a process-specific
    channel (``specific.<process>!<id>``) a message waits in one sorted set per *process*,
    ``<layer prefix>specific.<process>!``, whose ``capacity`` (1500) and ``expiry`` (30 s,
    also the key's TTL) apply to all of the process's connections together. Counts the
    largest backlog and what was still queued when a key expired (its last sample had
    TTL <= 1 s). ``prefixes``: the layer prefixes to watch (the settings use the server's
    ``CACHE_KEY_PREFIX``, or channels_redis's default ``asgi``); keys that existed before
    are ignored."""

    def __init__(self, prefixes: list[str]) -> None:
        import redis

        self.redis = redis.Redis.from_url(redis_url())
        self.patterns = [f"{prefix}specific.*" for prefix in prefixes]
        self.ignored = set(self._keys())
        self.last: dict[bytes, tuple[int, int]] = {}
        self.max_pending = 0
        self.expired = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _keys(self) -> list[bytes]:
        return [key for pattern in self.patterns for key in self.redis.scan_iter(pattern, count=1000)
                if key.endswith(b"!")]

    def _run(self) -> None:
        while not self.stopped.wait(0.5):
            try:
                keys = [key for key in self._keys() if key not in self.ignored]
                pipe = self.redis.pipeline()
                for key in keys:
                    pipe.zcard(key)
                    pipe.ttl(key)
                values = pipe.execute()
            except Exception:  # noqa: BLE001 - a missed sample only
                continue
            now = {key: (values[2 * n], values[2 * n + 1]) for n, key in enumerate(keys)}
            for key, (pending, ttl) in self.last.items():
                if key not in now and pending and 0 <= ttl <= 1:
                    self.expired += pending
            for pending, _ttl in now.values():
                self.max_pending = max(self.max_pending, pending)
            self.last = now

    def mark(self) -> dict:
        """Figures since the previous mark."""
        figures = {"max_pending": self.max_pending, "expired": self.expired}
        self.max_pending = max((pending for pending, _ttl in self.last.values()), default=0)
        self.expired = 0
        return figures

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()


# -- servers -------------------------------------------------------------------------------

class NodeServers:
    """``count`` processes of server.mjs on one adapter key."""

    def __init__(self, count: int, client_key: str, logdir: Path) -> None:
        self.key = f"bench-rt-{secrets.token_hex(6)}"
        self.client_key = client_key
        self.logdir = logdir
        self.count = count
        self.processes: list[subprocess.Popen] = []
        self.ports: list[int] = []

    def __enter__(self) -> NodeServers:
        try:
            for n in range(self.count):
                port = free_port()
                env = {**os.environ, "PORT": str(port), "REDIS_URL": redis_url(),
                       "ADAPTER_KEY": self.key, "CLIENT_KEY": self.client_key}
                log = open(self.logdir / f"node-server-{n}.log", "w")
                process = subprocess.Popen(["node", "--expose-gc", "server.mjs"], cwd=NODE_DIR, env=env,
                                           stdout=log, stderr=subprocess.STDOUT)
                log.close()
                self.processes.append(process)
                self.ports.append(port)
                deadline = time.monotonic() + 15
                while f"listening {port}" not in self.log(n):
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"node server did not start:\n{self.log(n)}")
                    time.sleep(0.05)
        except BaseException:
            self.__exit__()
            raise
        return self

    def collect(self, pid: int) -> None:
        """A full V8 garbage collection in that server process (SIGUSR2, see server.mjs)."""
        n = next(i for i, process in enumerate(self.processes) if process.pid == pid)
        done = f"gc {self.log(n).count('gc ') + 1}"
        os.kill(pid, signal.SIGUSR2)
        deadline = time.monotonic() + 10
        while done not in self.log(n):
            if time.monotonic() > deadline:
                raise RuntimeError(f"node server {pid} did not collect")
            time.sleep(0.02)

    def log(self, n: int) -> str:
        return (self.logdir / f"node-server-{n}.log").read_text(errors="replace")

    def __exit__(self, *exc_info) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# -- the load client -----------------------------------------------------------------------

class LoadClient:
    """client.mjs in a subprocess: JSON lines out, commands in."""

    def __init__(self, config: dict, logdir: Path) -> None:
        self.stderr_path = logdir / f"client-{secrets.token_hex(3)}.err"
        with open(self.stderr_path, "w") as err:
            self.process = subprocess.Popen(
                ["node", "client.mjs", json.dumps(config)], cwd=NODE_DIR, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=err, text=True)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(json.loads(line))
        self.lines.put(None)

    def expect(self, event: str, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            try:
                item = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                item = {"event": "timeout"}
            if item is not None and item["event"] == event:
                return item
            if item is None or item["event"] in ("error", "timeout") or time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError(f"load client: expected {event!r}, got {item!r}\n"
                                   f"{self.stderr_path.read_text(errors='replace')[-3000:]}")

    def command(self, line: str) -> None:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def wait(self) -> None:
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def fanout(name: str, urls: list[str], pids: list[int], client_key: str, subscribers: int, messages: int,
           sequential: int, logdir: Path, queues: QueueMonitor | None = None, paced: int = 0,
           rate: float = 20) -> dict:
    """The fan-out run; for each phase also the servers' CPU seconds and, with ``queues``,
    the channel layer's backlog."""
    result = {"quiet before": wait_quiet()}
    cpu = lambda: sum(cpu_seconds(pid) for pid in pids)  # noqa: E731
    if queues:
        queues.mark()
    started = cpu()
    client = LoadClient({"mode": "fanout", "urls": urls, "clientKey": client_key, "subscribers": subscribers,
                         "messages": messages, "sequential": sequential, "paced": paced, "rate": rate,
                         "channel": f"bench-{secrets.token_hex(4)}"}, logdir)
    result["joined"] = joined = client.expect("joined", 600)
    joined["cpu"] = (now := cpu()) - started
    joined["queues"] = queues.mark() if queues else None
    progress(f"{name}: {subscribers} subscribers joined in {joined['joinSeconds']:.1f} s, "
             f"{joined['notifications']} channel:join frames drained after {joined['settleSeconds']:.1f} s"
             + (f", channel layer: {joined['queues']}" if queues else ""))
    phases = ["burst"] + (["sequential"] if sequential else []) + (["paced"] if paced else [])
    for phase in phases:
        result[phase] = done = client.expect("result", 600)
        done["cpu"], now = cpu() - now, cpu()
        done["queues"] = queues.mark() if queues else None
        progress(f"{name}: {phase}: {done['deliveries']}/{done['expected']} deliveries "
                 f"{done['deliveriesByUrl']}, {done['rate'] or 0:.0f}/s, p50 {done['p50'] or 0:.1f} ms, "
                 f"closed by the server: {done['subscribersClosed']} subscribers"
                 f"{', the publisher' if done['publisherClosed'] else ''}"
                 + (f", channel layer: {done['queues']}" if queues else ""))
    result["closed"] = client.expect("closed", 120)
    client.wait()
    result["teardown"] = wait_quiet()
    return result


def idle_memory(name: str, url: str, pids: list[int], client_key: str, connections: int, logdir: Path,
                collect=lambda pid: None) -> dict:
    """RSS of pids[0] (which gets every connection); all pids are waited for to go quiet."""
    pid = pids[0]

    def rss() -> int:
        collect(pid)
        return rss_kb(pid)

    wait_quiet()
    before = rss()
    client = LoadClient({"mode": "idle", "urls": [url], "clientKey": client_key,
                         "connections": connections}, logdir)
    connected = client.expect("connected", 600)
    progress(f"{name}: {connections} sockets connected in {connected['seconds']:.1f} s")
    time.sleep(SETTLE)
    opened = rss()
    client.command("close")
    closed = client.expect("closed", 120)
    client.wait()
    time.sleep(SETTLE)
    wait_quiet(pids)
    after = rss()
    progress(f"{name}: RSS {before / 1024:.1f} -> {opened / 1024:.1f} -> {after / 1024:.1f} MB")
    return {"before": before, "open": opened, "after": after, "per_conn": (opened - before) / connections,
            "connect_seconds": connected["seconds"], "problems": closed["problems"]}


# -- report --------------------------------------------------------------------------------

#: Counts that add up over the rounds (nothing lost in any of them); other numbers are medians.
SUMMED = {"deliveries", "expected", "lost", "duplicates", "subscribersClosed", "closedEarly"}


def combine(runs: list):
    """One result from the rounds' results: the median of each number (the sum of the counts
    in SUMMED, any() of flags), the per-round values of the headline figures under "rounds"."""
    first = runs[0]
    if isinstance(first, dict):
        combined = {}
        for key in first:
            values = [run.get(key) for run in runs]
            if key in SUMMED and all(isinstance(v, (int, float)) for v in values):
                combined[key] = sum(values)
            elif key == "closeCodes":  # {code: count} of each round
                combined[key] = {}
                for codes in values:
                    for code, count in (codes or {}).items():
                        combined[key][code] = combined[key].get(code, 0) + count
            else:
                combined[key] = combine(values)
        return combined
    if isinstance(first, bool):
        return any(runs)
    if isinstance(first, (int, float)) and all(isinstance(v, (int, float)) for v in runs):
        return statistics.median(runs)
    return runs[-1]


def ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "—"
    return f"{a / b:.2f}"


def problems_text(problems: dict) -> str:
    found = {k: v for k, v in problems.items() if v and k != "closeCodes"}
    if problems.get("closeCodes"):
        found["close codes"] = problems["closeCodes"]
    return ", ".join(f"{k} {v}" for k, v in found.items()) or "none"


def log_findings(text: str) -> list[str]:
    """The exceptions in a uvicorn log, counted by class (a chained traceback counts each of
    its exceptions) with where they came from (the innermost agnost_django frame, then the
    innermost channels / channels_redis / uvicorn frame), and the ERROR / WARNING lines."""
    found: dict[str, int] = {}
    ours = theirs = ""
    for line in text.splitlines():
        if line.startswith("Traceback"):
            ours = theirs = ""
        match = re.match(r'\s+File ".*?/((agnost_django|channels_redis|channels|uvicorn)/[^"]+)", line (\d+), in (\w+)', line)
        if match:
            where = f"{match[1]}:{match[3]} {match[4]}"
            if match[2] == "agnost_django":
                ours = where
            else:
                theirs = where
        match = re.match(r"([A-Za-z_][\w.]*(?:Error|Exception|Disconnected)):?(.*)", line)
        if match:
            origin = "; ".join(part for part in (ours, theirs) if part)
            key = match[1] + (f":{match[2][:50]}" if match[2].strip() else "") + (f"  [{origin}]" if origin else "")
            found[key] = found.get(key, 0) + 1
        elif re.match(r"(ERROR|WARNING|CRITICAL)\b|Task exception was never retrieved", line):
            key = re.sub(r"\d+", "N", line.strip())[:100]
            found[key] = found.get(key, 0) + 1
    return [f"{count:>6} × {key}" for key, count in sorted(found.items(), key=lambda item: -item[1])]


def row(label: str, x, y, fmt: str = ".1f", width: int = 36) -> str:
    def cell(value) -> str:
        if value is None:
            return "—"
        return f"{value:{fmt}}" if isinstance(value, (int, float)) else str(value)

    with_ratio = isinstance(x, (int, float)) and isinstance(y, (int, float))
    return f"{label:<{width}}{cell(x):>14}{cell(y):>14}{ratio(x, y) if with_ratio else '':>14}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--messages", type=int, default=200, help="burst: messages sent back to back")
    parser.add_argument("--sequential", type=int, default=20, help="messages sent one fan-out at a time (0: skip)")
    parser.add_argument("--paced", type=int, default=100,
                        help="messages sent at --rate per second whatever the deliveries do (0: skip)")
    parser.add_argument("--rate", type=float, default=20, help="paced: messages per second")
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds (agnost, node, agnost, node, ...): the table shows medians")
    args = parser.parse_args()
    if shutil.which("node") is None or not (NODE_DIR / "node_modules" / "socket.io").is_dir():
        sys.exit("needs node and `npm ci` in bench/realtime")
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = args.connections + args.subscribers + 200
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, needed * 2), hard))  # inherited by the servers

    logdir = Path(tempfile.mkdtemp(prefix="agnost-rt-bench-"))
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    results: dict[str, dict] = {}
    # As the README's production command serves it (no line per request or websocket).
    with InteropServer("services", serve_args=("--no-access-log",)) as server:
        queues = QueueMonitor([server.env["CACHE_KEY_PREFIX"], "asgi"])
        peer = server.spawn_peer()  # stopped with the server
        try:
            with NodeServers(2, server.client_key, logdir) as node:
                sides = {
                    "agnost": ([f"ws://127.0.0.1:{server.port}", f"ws://127.0.0.1:{peer.port}"],
                               [server.pid, peer.pid]),
                    "node": ([f"ws://127.0.0.1:{port}" for port in node.ports],
                             [process.pid for process in node.processes]),
                }
                SERVER_PIDS.extend(pid for _urls, pids in sides.values() for pid in pids)
                # Python frees by reference counting; V8 only when it collects: force that.
                collectors = {"agnost": lambda pid: None, "node": node.collect}
                for name, (urls, pids) in sides.items():  # warm-up: every code path once
                    fanout(name, urls, pids, server.client_key, 10, 5, 2, logdir)
                rounds: dict[str, list[dict]] = {name: [] for name in sides}
                for number in range(1, args.rounds + 1):
                    progress(f"round {number} of {args.rounds}")
                    for name, (urls, pids) in sides.items():
                        rounds[name].append({"idle": idle_memory(name, urls[0], pids, server.client_key,
                                                                 args.connections, logdir, collectors[name])})
                    for name, (urls, pids) in sides.items():
                        rounds[name][-1]["fanout"] = fanout(name, urls, pids, server.client_key, args.subscribers,
                                                            args.messages, args.sequential, logdir,
                                                            queues if name == "agnost" else None,
                                                            args.paced, args.rate)
                        rounds[name][-1]["rss"] = [rss_kb(pid) for pid in pids]
                for runs in rounds.values():
                    for run in runs:  # per round, before the medians: CPU per delivery
                        for phase in ("burst", "sequential", "paced"):
                            if phase in run["fanout"]:
                                done = run["fanout"][phase]
                                done["cpu_per_1000"] = 1e6 * done["cpu"] / max(1, done["deliveries"])
                results = {name: combine(runs) for name, runs in rounds.items()}
                for name, runs in rounds.items():  # memory: a process's first sockets (later
                    results[name]["idle"] = {  # rounds reuse what it freed); handshakes: the median
                        **runs[0]["idle"], "connect_seconds": results[name]["idle"]["connect_seconds"]}
                node_logs = "\n".join(node.log(n) for n in range(2))
        finally:
            queues.stop()
            peer.stop()
            agnost_logs = ""
            for path in sorted(server.tmpdir.glob("uvicorn*.log")):
                text = path.read_text(errors="replace")
                (logdir / f"agnost-{path.name}").write_text(text)
                agnost_logs += text
    elapsed = time.monotonic() - started
    load_after = os.getloadavg()[0]

    a, n = results["agnost"], results["node"]
    print(f"\nrealtime benchmark — services stack (PostgreSQL + Redis), {os.cpu_count()} CPUs shared by "
          f"the 4 servers, Redis and one Node load client (raw ws); total {elapsed:.0f} s; "
          f"load average {load_before:.1f} before, {load_after:.1f} after; medians of {args.rounds} "
          f"interleaved rounds (counts: totals)")
    for name in rounds:
        per_round = [(args.connections / run["idle"]["connect_seconds"], run["fanout"]["burst"]["rate"] or 0,
                      1e6 * run["fanout"]["burst"]["cpu"] / max(1, run["fanout"]["burst"]["deliveries"]))
                     for run in rounds[name]]
        print(f"  {name} per round (handshakes/s, burst deliveries/s, burst CPU ms/1000): "
              + "; ".join(f"{h:.0f}, {r:.0f}, {c:.0f}" for h, r, c in per_round))
    print("agnost: 2 × agnost_serve --no-access-log (uvicorn) + Channels consumer, channels_redis pub/sub layer, "
          "presence in Redis")
    print("node:   2 × socket.io 4.8.4 + @socket.io/redis-adapter 8.3.0 (redis 4.7.1)\n")

    ai, ni = a["idle"], n["idle"]
    print(f"idle memory: {args.connections} connected sockets on one server process, RSS 3 s after the last "
          f"handshake (node: after a forced full GC); RSS of round 1 (later rounds reuse freed memory)")
    print(f"{'':<36}{'agnost':>14}{'node':>14}{'agnost/node':>14}")
    print("-" * 78)
    print(row("RSS before, MB", ai["before"] / 1024, ni["before"] / 1024))
    print(row(f"RSS with {args.connections} sockets, MB", ai["open"] / 1024, ni["open"] / 1024))
    print(row("RSS after closing them, MB", ai["after"] / 1024, ni["after"] / 1024))
    print(row("KB per connection", ai["per_conn"], ni["per_conn"]))
    print(row("handshakes / s (64 in flight)", args.connections / ai["connect_seconds"],
              args.connections / ni["connect_seconds"], ".0f"))
    print(row("sockets closed by the server", ai["problems"]["closedEarly"], ni["problems"]["closedEarly"], "d"))

    aj, nj = a["fanout"]["joined"], n["fanout"]["joined"]
    print(f"\nfan-out: {args.subscribers} subscribers round robin over 2 server processes; each phase's "
          f"publisher is a new socket on the first process, not a member")
    print(f"{'':<36}{'agnost':>14}{'node':>14}{'agnost/node':>14}")
    print("-" * 78)
    print(row("connect subscribers, s", aj["connectSeconds"], nj["connectSeconds"], ".2f"))
    print(row("join (acked), s", aj["joinSeconds"], nj["joinSeconds"], ".2f"))
    print(row("until channel:join frames stop, s", aj["settleSeconds"], nj["settleSeconds"], ".1f"))
    print(row("channel:join frames received", aj["notifications"], nj["notifications"], "d"))
    phases = [("burst", f"burst: {args.messages} messages back to back")]
    if args.sequential:
        phases.append(("sequential", f"sequential: {args.sequential} messages, each after the previous "
                                     f"reached every subscriber"))
    if args.paced:
        phases.append(("paced", f"paced: {args.paced} messages at {args.rate:g} per second"))
    for key, title in phases:
        ar, nr = a["fanout"][key], n["fanout"][key]
        print(title)
        print(row("  deliveries / s", ar["rate"], nr["rate"], ".0f"))
        print(row("  latency p50, ms", ar["p50"], nr["p50"]))
        print(row("  latency p99, ms", ar["p99"], nr["p99"]))
        print(row("  latency max, ms", ar["max"], nr["max"]))
        print(row("  last subscriber reached p50, ms", ar["completionP50"], nr["completionP50"]))
        print(row("  last subscriber reached p99, ms", ar["completionP99"], nr["completionP99"]))
        print(row("  server CPU, ms per 1000 deliveries", ar["cpu_per_1000"], nr["cpu_per_1000"], ".1f"))
        print(row("  delivered", f"{ar['deliveries']}/{ar['expected']}", f"{nr['deliveries']}/{nr['expected']}"))
        print(row("  lost, duplicates", f"{ar['lost']}, {ar['duplicates']}", f"{nr['lost']}, {nr['duplicates']}"))
        print(row("  closed by the server: subs, pub",
                  f"{ar['subscribersClosed']}, {'yes' if ar['publisherClosed'] else 'no'}",
                  f"{nr['subscribersClosed']}, {'yes' if nr['publisherClosed'] else 'no'}"))
    print(row("servers busy after closing, s", a["fanout"]["teardown"], n["fanout"]["teardown"]))
    print(row("RSS after fan-out, MB", " + ".join(f"{kb / 1024:.0f}" for kb in a["rss"]),
              " + ".join(f"{kb / 1024:.0f}" for kb in n["rss"])))
    close_codes = {side: results[side]["fanout"]["closed"]["problems"]["closeCodes"] for side in results}
    print(f"close codes from the servers: agnost {close_codes['agnost'] or 'none'}, node {close_codes['node'] or 'none'}")
    print("agnost channel layer (per-process queues in Redis): "
          + "; ".join(f"{phase} max {a['fanout'][phase]['queues']['max_pending']} queued, "
                      f"{a['fanout'][phase]['queues']['expired']} expired unread"
                      for phase in ["joined"] + [key for key, _title in phases]))

    findings = log_findings(agnost_logs)
    print(f"agnost server logs: {'no errors' if not findings else f'errors (logs kept in {logdir}):'}")
    for line in findings[:15]:
        print(f"  {line[:220]}")
    node_findings = [line for line in node_logs.splitlines() if "error" in line.lower()][:5]
    if node_findings:
        print("node server logs:")
        for line in node_findings:
            print(f"  {line[:200]}")
    if not findings and not node_findings:
        shutil.rmtree(logdir, ignore_errors=True)


if __name__ == "__main__":
    main()
