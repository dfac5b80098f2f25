"""Helpers for the app's tests: free loopback ports, fresh tables, the API under a real uvicorn."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from dataclasses import dataclass

from app import keys
from app.deps import get_clock, get_store
from app.serve import server
from app.store import DynamoCellStore


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
