"""Helpers for the app's tests: free loopback ports, fresh tables, the API under a real uvicorn."""

from __future__ import annotations

import select
import socket
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass

import httpx
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

from app import keys
from app.deps import get_clock, get_store
from app.serve import server
from app.store import DynamoCellStore


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SerializedMotoServer:
    """moto's server on 127.0.0.1, handling one request at a time.

    moto applies an UpdateItem `ADD` as a read-modify-write in Python, so two concurrent ADDs to
    one item can lose a count (seen as 198 of 200 in the concurrent-report test under load), which
    DynamoDB never does. One request at a time gives back the per-item atomicity the app relies
    on; an app that read and then wrote a counter would still lose counts here, between its calls.
    """

    def __init__(self, port: int):
        lock = threading.Lock()
        backend = DomainDispatcherApplication(create_backend_app)

        def serialized(environ, start_response):
            with lock:
                return list(backend(environ, start_response))

        self.server = make_server("127.0.0.1", port, serialized, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


def new_table(dynamodb) -> str:
    name = f"heatmap-{uuid.uuid4().hex[:12]}"
    keys.create_table(dynamodb, name)
    return name


@dataclass
class LiveApi:
    url: str
    app: object
    dynamodb: object
    table: str

    def use_table(self, table: str) -> None:
        store = DynamoCellStore(self.dynamodb, table)
        self.table = table
        self.app.dependency_overrides[get_store] = lambda: store

    def freeze_clock(self, now: float) -> None:
        self.app.dependency_overrides[get_clock] = lambda: lambda: now

    def item(self, cell: str) -> dict | None:
        key = {keys.PK: {"S": keys.partition_key(len(cell), keys.prefix_of(cell))}, keys.SK: {"S": cell}}
        return self.dynamodb.get_item(TableName=self.table, Key=key, ConsistentRead=True).get("Item")

    def count(self, cell: str) -> int:
        item = self.item(cell)
        return int(item[keys.REPORTS]["N"]) if item else 0

    def put_cells(self, cells, last_report_at: int = 1700000000) -> None:
        """Store one report in each cell directly (no API call), last reported at `last_report_at`."""
        for cell in cells:
            self.dynamodb.put_item(
                TableName=self.table,
                Item={
                    keys.PK: {"S": keys.partition_key(len(cell), keys.prefix_of(cell))},
                    keys.SK: {"S": cell},
                    keys.REPORTS: {"N": "1"},
                    keys.LAST_REPORT_AT: {"N": str(last_report_at)},
                    keys.EXPIRES_AT: {"N": str(last_report_at + keys.TTL_SECONDS)},
                },
            )


class ServerThread:
    """uvicorn with the app's production settings, in a thread of the test process."""

    def __init__(self, app):
        self.port = free_port()
        self.server = server(app, "127.0.0.1", self.port, log_level="warning")
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


class RawHttp:
    """One HTTP/1.1 connection on a plain socket: for what httpx hides or refuses to send
    (idle keep-alive connections, bytes h11 rejects, a body that stops half way)."""

    def __init__(self, url: str, timeout: float = 10):
        host, port = url.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.buffer = b""

    def __enter__(self) -> RawHttp:
        return self

    def __exit__(self, *exc):
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def response(self) -> tuple[int, dict[str, str], bytes]:
        """(status, headers with lower-case names, body) of the next response (Content-Length only).
        Raises ConnectionError if the server closed the connection instead of answering."""
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                raise ConnectionError("the server closed the connection without a response")
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            if not self._fill():
                raise ConnectionError("the server closed the connection mid-response")
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(status_line.split()[1]), headers, body

    def readable(self, seconds: float) -> bool:
        """Whether the server sends something (or closes) within `seconds`."""
        return bool(self.buffer) or bool(select.select([self.sock], [], [], seconds)[0])

    def closed_by_server(self) -> bool:
        """Whether the server has closed its end (checked without waiting)."""
        self.sock.setblocking(False)
        try:
            return self.sock.recv(1, socket.MSG_PEEK) == b""
        except BlockingIOError:
            return False
        finally:
            self.sock.setblocking(True)


def request_bytes(
    method: str, path: str, body: bytes = b"", headers: dict[str, str | bytes] | None = None
) -> bytes:
    """An HTTP/1.1 request; header values given as bytes are sent exactly as they are."""
    lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: 127.0.0.1"]
    for name, value in (headers or {}).items():
        lines.append(name.encode() + b": " + (value if isinstance(value, bytes) else value.encode("latin-1")))
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}".encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def wait_until(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class Process:
    """A server process on 127.0.0.1:port, healthy on entry; killed on exit if still running, when
    its stderr becomes `self.stderr`."""

    def __init__(self, command, env, port):
        self.url = f"http://127.0.0.1:{port}"
        pipe = subprocess.PIPE
        self.popen = subprocess.Popen(command, env=env, stdout=pipe, stderr=pipe, text=True)

    def __enter__(self):
        def healthy():
            try:
                return httpx.get(f"{self.url}/health", timeout=1).status_code == 200
            except httpx.TransportError:
                assert self.popen.poll() is None, self.popen.communicate()
                return False

        wait_until(healthy, 30, "the server to start")
        return self

    def __exit__(self, *exc):
        if self.popen.poll() is None:
            self.popen.kill()
        _, self.stderr = self.popen.communicate(timeout=10)
