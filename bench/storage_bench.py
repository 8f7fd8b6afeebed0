"""Storage benchmark: a large upload and download through the client REST API, measuring the
server's memory, next to a minimal ASGI baseline.

Claim under test: a 200 MB upload and download keep the server's peak RSS under 100 MB above
its idle size. The example project runs with uvicorn (one process, through the interop
harness, ``AGNOST_STORAGE_MAX_UPLOAD_SIZE`` raised to the file's size); a signed-up user
uploads one file of ``--size-mb`` MiB of random bytes into the ``root`` bucket as a raw body
(``upload-object``, ``application/octet-stream``) and as multipart (``upload-formdata``),
then downloads it through ``storage/bucket/file/download`` and the public route
``GET /_storage/<id>`` (with the owner's ``Session``). Every download is checked (size and
SHA-256), every upload's answer too (size and checksum).

The server's RSS (the uvicorn process and any children, ``/proc/<pid>/status`` VmRSS) is
sampled every 20 ms during each request; the kernel's own peak (VmHWM, reset through
``/proc/<pid>/clear_refs`` before each request) catches what falls between samples. Idle is
the RSS after a 1 MiB warm-up of every route, before the first large request; "start" is
the RSS when a request begins (what earlier requests left behind), "peak" the highest RSS
during it, both given above idle.

The baseline is a tiny ASGI app (``baseline_app`` below) served by the same uvicorn: it
streams the request body to a temporary file (hashing it, as the server does) and streams
the file back in 256 KiB chunks. It gets the same requests with the same bodies (the
multipart body is stored as it comes, unparsed).

The client streams too: the file is written to disk once and sent in 1 MiB chunks, and
downloads are read in 1 MiB chunks, so the benchmark itself holds no whole file.

Stacks: ``embedded`` (SQLite, files on disk in the interop server's temporary directory) and
``services`` (PostgreSQL + Redis, files on S3: moto's standalone server in a subprocess).
Uploaded files are deleted through the API at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from urllib.parse import parse_qs

MIB = 1024 * 1024
CHUNK = MIB  # client side: bytes sent / read at a time
BASELINE_CHUNK = 256 * 1024  # AGNOST_STORAGE_CHUNK_SIZE's default
SAMPLE_INTERVAL = 0.02
LIMIT_ABOVE_IDLE = 100 * MIB
API = "/_api/rest/v1"


# -- the baseline: a minimal streaming ASGI app ----------------------------------------------
# Imported by its own uvicorn process as ``bench.storage_bench:baseline_app``; only the
# standard library modules above are loaded there.

async def baseline_app(scope, receive, send):
    if scope["type"] != "http":
        return
    folder = Path(os.environ.get("STORAGE_BENCH_BASELINE_DIR", tempfile.gettempdir()))
    name = parse_qs(scope["query_string"].decode()).get("name", [""])[0]
    path = folder / f"baseline-{name if name in ('a', 'b') else 'none'}.bin"
    if scope["method"] == "POST" and scope["path"] == "/upload":
        digest, size = hashlib.sha256(), 0
        with open(path, "wb") as out:
            while True:
                message = await receive()
                chunk = message.get("body", b"")
                if chunk:
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                if not message.get("more_body", False):
                    break
        body = json.dumps({"size": size, "checksum": digest.hexdigest()}).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
    elif scope["path"] == "/download" and path.exists():
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/octet-stream"),
                                (b"content-length", str(path.stat().st_size).encode())]})
        with open(path, "rb") as source:
            while chunk := source.read(BASELINE_CHUNK):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    else:
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})


# -- memory of a process tree ----------------------------------------------------------------

def _status_kib(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (uvicorn with one worker has none)."""
    pids, pending = [], [pid]
    while pending:
        current = pending.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                pending.extend(int(child) for child in (task / "children").read_text().split())
            except (FileNotFoundError, ProcessLookupError):
                pass
    return pids


def rss(pid: int) -> int:
    """Resident bytes of ``pid`` and its descendants."""
    return sum(_status_kib(p, "VmRSS") for p in process_tree(pid)) * 1024


class PeakSampler:
    """Samples :func:`rss` every 20 ms in a thread; ``peak`` is the highest sample or the
    kernel's peak (VmHWM, reset on entry), whichever is higher."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples = 0
        self.sampled_peak = 0
        self.kernel_peak = 0

    def __enter__(self) -> PeakSampler:
        import threading

        self.hwm_reset = all(self._reset_hwm(p) for p in process_tree(self.pid))
        self.sampled_peak = rss(self.pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _reset_hwm(self, pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/clear_refs", "w") as clear_refs:
                clear_refs.write("5")  # resets VmHWM to the current RSS (Linux 4.0+)
            return True
        except OSError:
            return False

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_INTERVAL):
            self.sampled_peak = max(self.sampled_peak, rss(self.pid))
            self.samples += 1

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()
        self.sampled_peak = max(self.sampled_peak, rss(self.pid))
        if self.hwm_reset:
            self.kernel_peak = sum(_status_kib(p, "VmHWM") for p in process_tree(self.pid)) * 1024

    @property
    def peak(self) -> int:
        return max(self.sampled_peak, self.kernel_peak)


def idle_rss(pid: int, seconds: float = 0.5) -> int:
    """Median RSS over ``seconds``, after a short settle."""
    import statistics
    import time

    time.sleep(0.5)
    samples = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        samples.append(rss(pid))
        time.sleep(SAMPLE_INTERVAL)
    return int(statistics.median(samples))


# -- the client: streamed bodies over http.client --------------------------------------------

class TestFile:
    """``size`` bytes of random data written to ``path`` once, with their SHA-256."""

    def __init__(self, folder: Path, size: int, seed: int = 20240601) -> None:
        import random

        self.path = folder / "upload.bin"
        self.size = size
        rng = random.Random(seed)
        digest = hashlib.sha256()
        with open(self.path, "wb") as out:
            left = size
            while left:
                block = rng.randbytes(min(CHUNK, left))
                out.write(block)
                digest.update(block)
                left -= len(block)
        self.sha256 = digest.hexdigest()

    def chunks(self):
        with open(self.path, "rb") as source:
            while block := source.read(CHUNK):
                yield block


def multipart(file: TestFile, name: str) -> tuple[str, int, object]:
    """Content type, length and a chunk generator of a multipart body with one part ``file``."""
    boundary = "----storage-bench-" + hashlib.sha256(name.encode()).hexdigest()[:16]
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body():
        yield head
        yield from file.chunks()
        yield tail

    return f"multipart/form-data; boundary={boundary}", len(head) + file.size + len(tail), body()


class Client:
    """One HTTP request per connection, bodies streamed both ways."""

    def __init__(self, port: int, headers: dict[str, str] | None = None) -> None:
        self.port = port
        self.headers = {"Host": f"realtime.agnost.app.localhost:{port}", **(headers or {})}

    def _connection(self):
        import http.client

        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)

    def json(self, method: str, path: str, body=None, headers: dict[str, str] | None = None):
        connection = self._connection()
        try:
            extra = {"Content-Type": "application/json"} if body is not None else {}
            connection.request(method, path, body=None if body is None else json.dumps(body),
                               headers={**self.headers, **extra, **(headers or {})})
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: HTTP {response.status} {content[:500]!r}")
        return json.loads(content) if content else None

    def upload(self, path: str, content_type: str, length: int, chunks, headers=None) -> dict:
        """POST a streamed body of ``length`` bytes; the JSON answer."""
        connection = self._connection()
        try:
            connection.request("POST", path, body=chunks, headers={
                **self.headers, **(headers or {}), "Content-Type": content_type, "Content-Length": str(length)})
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise RuntimeError(f"POST {path}: HTTP {response.status} {content[:500]!r}")
        return json.loads(content)

    def download(self, method: str, path: str, body=None, headers=None) -> tuple[int, str]:
        """Size and SHA-256 of a response body read in chunks."""
        connection = self._connection()
        try:
            extra = {"Content-Type": "application/json"} if body is not None else {}
            connection.request(method, path, body=None if body is None else json.dumps(body),
                               headers={**self.headers, **extra, **(headers or {})})
            response = connection.getresponse()
            if response.status != 200:
                raise RuntimeError(f"{method} {path}: HTTP {response.status} {response.read()[:500]!r}")
            digest, size = hashlib.sha256(), 0
            while block := response.read(CHUNK):
                digest.update(block)
                size += len(block)
        finally:
            connection.close()
        return size, digest.hexdigest()


# -- the two servers -------------------------------------------------------------------------

OPERATIONS = (
    ("upload-object (raw body)", "upload", "raw"),
    ("upload-formdata (multipart)", "upload", "multipart"),
    ("file/download", "download", "post"),
    ("GET /_storage/<id>", "download", "get"),
)


class AgnostTarget:
    """The example project through the interop harness, a signed-up user's session."""

    def __init__(self, server) -> None:
        self.server = server
        self.pid = server.process.pid
        self.client = Client(server.port, {"X-Client-Key": server.client_key, "X-Client": "altogic-js"})
        signed = self.client.json("POST", f"{API}/auth/signup-email", {
            "email": "storage-bench@example.com", "password": "Storage-bench-2024!"})
        self.client.headers["Session"] = signed["session"]["token"]
        self.uploaded: list[str] = []
        self.last_id: str | None = None

    def upload(self, kind: str, file: TestFile, name: str) -> dict:
        route = "upload-object" if kind == "raw" else "upload-formdata"
        path = f"{API}/storage/bucket/{route}?bucket=root&fileName={name}"
        if kind == "raw":
            answer = self.client.upload(path, "application/octet-stream", file.size, file.chunks())
        else:
            answer = self.client.upload(path, *multipart(file, name))
        self.uploaded.append(answer["_id"])
        if answer["size"] != file.size or answer["checksum"] != file.sha256:
            raise RuntimeError(f"{route} stored {answer['size']} bytes, checksum {answer['checksum']}; "
                               f"sent {file.size}, {file.sha256}")
        self.last_id = answer["_id"]
        return answer

    def download(self, kind: str) -> tuple[int, str]:
        if kind == "post":
            return self.client.download("POST", f"{API}/storage/bucket/file/download",
                                        {"bucket": "root", "file": self.last_id})
        return self.client.download("GET", f"/_storage/{self.last_id}")

    def cleanup(self) -> None:
        for file_id in self.uploaded:
            try:
                self.client.json("POST", f"{API}/storage/bucket/file/delete", {"bucket": "root", "file": file_id})
            except Exception as exc:  # noqa: BLE001 - reported, the run goes on
                print(f"warning: could not delete file {file_id}: {exc}")
        self.uploaded.clear()


class BaselineTarget:
    """``baseline_app`` in its own uvicorn process, started like the interop server's."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process = None

    def start(self) -> BaselineTarget:
        import subprocess
        import sys
        import time

        from tests.interop.server import REPO_ROOT, free_port

        self.port = free_port()
        self.log = open(self.folder / "baseline-uvicorn.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bench.storage_bench:baseline_app",
             "--host", "127.0.0.1", "--port", str(self.port), "--lifespan", "off"],
            cwd=REPO_ROOT, env={**os.environ, "STORAGE_BENCH_BASELINE_DIR": str(self.folder)},
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        self.pid = self.process.pid
        self.client = Client(self.port)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.client.download("GET", "/ready")
            except RuntimeError:
                return self  # a 404: up
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the baseline server did not start: "
                                       f"{(self.folder / 'baseline-uvicorn.log').read_text()}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
        self.log.close()

    def upload(self, kind: str, file: TestFile, name: str) -> dict:
        slot = "a" if kind == "raw" else "b"
        if kind == "raw":
            answer = self.client.upload(f"/upload?name={slot}", "application/octet-stream", file.size, file.chunks())
        else:
            content_type, length, body = multipart(file, name)
            answer = self.client.upload(f"/upload?name={slot}", content_type, length, body)
            if answer["size"] != length:
                raise RuntimeError(f"the baseline stored {answer['size']} of {length} bytes")
            return answer
        if answer["size"] != file.size or answer["checksum"] != file.sha256:
            raise RuntimeError(f"the baseline stored {answer['size']} bytes, checksum {answer['checksum']}")
        return answer

    def download(self, kind: str) -> tuple[int, str]:
        return self.client.download("POST" if kind == "post" else "GET", "/download?name=a")


def measure(target, file: TestFile, warm: TestFile) -> dict:
    """Warm every route up with the small file, take the idle RSS, then time and sample
    each operation with the large file."""
    import time

    cold = rss(target.pid)
    for _label, action, kind in OPERATIONS:
        if action == "upload":
            target.upload(kind, warm, f"warm-{kind}.bin")
        else:
            size, digest = target.download(kind)
            if (size, digest) != (warm.size, warm.sha256):
                raise RuntimeError(f"warm-up download {kind}: {size} bytes, sha256 {digest}")
    if isinstance(target, AgnostTarget):
        target.cleanup()
    idle = idle_rss(target.pid)
    rows = {}
    for label, action, kind in OPERATIONS:
        start = idle_rss(target.pid, 0.2)
        with PeakSampler(target.pid) as sampler:
            began = time.perf_counter()
            if action == "upload":
                target.upload(kind, file, f"bench-{kind}.bin")
            else:
                size, digest = target.download(kind)
                if (size, digest) != (file.size, file.sha256):
                    raise RuntimeError(f"{label}: downloaded {size} bytes, sha256 {digest}; "
                                       f"expected {file.size}, {file.sha256}")
            elapsed = time.perf_counter() - began
        rows[label] = {"mbps": file.size / MIB / elapsed, "seconds": elapsed, "start": start,
                       "peak": sampler.peak, "sampled": sampler.sampled_peak, "kernel": sampler.kernel_peak,
                       "samples": sampler.samples, "hwm": sampler.hwm_reset}
    return {"cold": cold, "idle": idle, "rows": rows}


# -- S3 for the services stack ---------------------------------------------------------------

class MotoS3:
    """moto's standalone S3 server in a subprocess, handed to the interop harness through
    ``TEST_S3_ENDPOINT_URL`` (else the harness would run moto inside this process, whose
    memory would then hold every uploaded object). Not started if that variable is set."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process = None
        self.log = None

    def start(self) -> MotoS3:
        import subprocess
        import sys
        import time
        import urllib.request

        from tests import s3
        from tests.interop.server import free_port

        if os.environ.get("TEST_S3_ENDPOINT_URL"):
            return self
        port = free_port()
        endpoint = f"http://127.0.0.1:{port}"
        moto = Path(sys.executable).with_name("moto_server")
        self.log = open(self.folder / "moto.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen([str(moto), "-H", "127.0.0.1", "-p", str(port)],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while True:
            try:
                opener.open(f"{endpoint}/moto-api/", timeout=2).read()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto_server did not start: {(self.folder / 'moto.log').read_text()}") from None
                time.sleep(0.2)
        import boto3

        boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=s3.ACCESS_KEY,
                     aws_secret_access_key=s3.SECRET_KEY, region_name=s3.REGION).create_bucket(Bucket=s3.BUCKET)
        os.environ["TEST_S3_ENDPOINT_URL"] = endpoint
        return self

    def stop(self) -> None:
        if self.process is not None:
            os.environ.pop("TEST_S3_ENDPOINT_URL", None)
            if self.process.poll() is None:
                self.process.terminate()
                self.process.wait(timeout=10)
        self.process = None
        if self.log is not None:
            self.log.close()


# -- report ----------------------------------------------------------------------------------

def mb(value: float) -> float:
    return value / MIB


def report(args, file: TestFile, agnost: dict, baseline: dict) -> None:
    import resource

    stack = ("embedded: SQLite, files on disk (FileSystemStorage)" if args.stack == "embedded"
             else "services: PostgreSQL + Redis, files on S3 (django-storages, moto_server)")
    print(f"\nstorage benchmark — stack {stack}")
    print(f"{args.size_mb} MiB file of random bytes (sha256 {file.sha256[:16]}…), one request at a time, "
          f"1 uvicorn process per server")
    print(f"idle RSS (after a 1 MiB warm-up of every route): agnost {mb(agnost['idle']):.1f} MB, "
          f"baseline {mb(baseline['idle']):.1f} MB; before the warm-up: agnost {mb(agnost['cold']):.1f} MB, "
          f"baseline {mb(baseline['cold']):.1f} MB")
    print("start+ / peak+: RSS when the request began / its peak during the request, minus idle "
          "(MB = MiB; peak = max of 20 ms samples and VmHWM)")
    print("baseline: a minimal ASGI app on the same uvicorn that streams the body to a temp file "
          "and back in 256 KiB chunks\n")
    header = (f"{'operation':<29}{'MB/s':>8}{'start+':>9}{'peak+':>9}{'peak RSS':>10}   "
              f"{'base MB/s':>10}{'start+':>8}{'peak+':>8}   {'MB/s vs base':>12}")
    print(f"{'':<29}{'-- agnost ' + '-' * 26:<36}   {'-- baseline ' + '-' * 14:<26}")
    print(header)
    print("-" * len(header))
    worst_label, worst = None, -1
    for label, _action, _kind in OPERATIONS:
        a, b = agnost["rows"][label], baseline["rows"][label]
        above = a["peak"] - agnost["idle"]
        if above > worst:
            worst_label, worst = label, above
        print(f"{label:<29}{a['mbps']:>8.1f}{mb(a['start'] - agnost['idle']):>9.1f}{mb(above):>9.1f}"
              f"{mb(a['peak']):>10.1f}   {b['mbps']:>10.1f}{mb(b['start'] - baseline['idle']):>8.1f}"
              f"{mb(b['peak'] - baseline['idle']):>8.1f}   {a['mbps'] / b['mbps']:>12.2f}")
    print("-" * len(header))
    sampled_only = [label for label in agnost["rows"] if not agnost["rows"][label]["hwm"]]
    if sampled_only:
        print("note: VmHWM could not be reset here; the peaks are the 20 ms samples only")
    print(f"benchmark client's own peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    verdict = "yes" if worst < LIMIT_ABOVE_IDLE else "no"
    print(f"\npeak above idle < 100 MB: {verdict} (worst: {worst_label}, {mb(worst):.1f} MB above idle)")


def main() -> None:
    import argparse
    import shutil
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.interop.server import InteropServer

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", choices=("embedded", "services"), default="embedded")
    parser.add_argument("--size-mb", type=int, default=200, help="size of the file in MiB (default 200)")
    args = parser.parse_args()
    size = args.size_mb * MIB

    folder = Path(tempfile.mkdtemp(prefix="storage-bench-"))
    moto = None
    try:
        file = TestFile(folder, size)
        (folder / "warm").mkdir()
        warm = TestFile(folder / "warm", MIB, seed=7)

        baseline_target = BaselineTarget(folder).start()
        try:
            baseline = measure(baseline_target, file, warm)
        finally:
            baseline_target.stop()

        env = {"AGNOST_STORAGE_MAX_UPLOAD_SIZE": str(max(size, 100 * MIB))}
        if args.stack == "services":
            moto = MotoS3(folder).start()
        with InteropServer(args.stack, env=env) as server:
            target = AgnostTarget(server)
            try:
                agnost = measure(target, file, warm)
            except BaseException:
                print(f"--- server log (tail) ---\n{server.log()[-3000:]}", file=sys.stderr)
                raise
            finally:
                target.cleanup()
    finally:
        if moto is not None:
            moto.stop()
        shutil.rmtree(folder, ignore_errors=True)
    report(args, file, agnost, baseline)


if __name__ == "__main__":
    main()
