"""A moto DynamoDB and the API under a real uvicorn, both on 127.0.0.1, for the app's tests."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import boto3
import httpx
import pytest
from heatmap_testkit import LiveApi, SerializedMotoServer, ServerThread, free_port, new_table

from app.config import Settings
from app.deps import get_clock
from app.main import create_app
from app.store import DynamoCellStore

REGION = "us-east-1"
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="session")
def moto_endpoint():
    port = free_port()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's line per call
    moto = SerializedMotoServer(port)
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


@pytest.fixture
def server_env(dynamodb, moto_endpoint):
    """The environment of a server process on a fresh table of the moto server (fake credentials)."""
    table = new_table(dynamodb)
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "LOG_LEVEL")}
    env |= {
        "PYTHONPATH": str(ROOT),
        "TABLE_NAME": table,
        "DYNAMODB_ENDPOINT": moto_endpoint,
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }
    return env
