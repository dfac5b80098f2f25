"""A moto DynamoDB and the API under a real uvicorn, both on 127.0.0.1, for the app's tests."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from dataclasses import dataclass

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from app import keys
from app.config import Settings
from app.deps import get_clock, get_store
from app.main import create_app
from app.serve import server
from app.store import DynamoCellStore

REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint():
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        moto.stop()


@pytest.fixture(scope="session")
def dynamodb(moto_endpoint):
    # Explicit fake credentials: these tests never use the machine's AWS profile.
    return boto3.client(
        "dynamodb",
        region_name=REGION,
        endpoint_url=moto_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


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


@pytest.fixture(scope="session")
def live_server(dynamodb):
    table = new_table(dynamodb)
    app = create_app(Settings(table_name=table), store=DynamoCellStore(dynamodb, table))
    with ServerThread(app) as url:
        yield LiveApi(url=url, app=app, dynamodb=dynamodb, table=table)


@pytest.fixture
def api(live_server, dynamodb):
    """The live API on a fresh, empty table, with the real clock."""
    live_server.use_table(new_table(dynamodb))
    live_server.app.dependency_overrides.pop(get_clock, None)
    yield live_server
    live_server.app.dependency_overrides.clear()


@pytest.fixture
def client(api):
    with httpx.Client(base_url=api.url, timeout=10) as http:
        yield http
