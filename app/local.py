"""`make app`: the API on 127.0.0.1:8000 over a moto DynamoDB on loopback. Ctrl-C stops both.

Needs the dev requirements (moto[server]); the container never imports this module.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys

from app import keys
from app.config import ConfigError, Settings, parse_port, parse_table_name


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.local", description=__doc__.splitlines()[0])
    parser.add_argument("--port", default="8000", help="API port on 127.0.0.1 (default 8000)")
    parser.add_argument("--table", default="safety-heatmap", help="table name (default safety-heatmap)")
    args = parser.parse_args(argv)
    try:
        port = parse_port(args.port, "--port")
        table = parse_table_name(args.table, "--table")
        # The rest of the settings (LOG_LEVEL, CORS_ORIGINS) from the environment, checked before
        # anything starts; HOST and PORT are this command's own.
        Settings.from_env(os.environ | {"TABLE_NAME": table, "HOST": "127.0.0.1", "PORT": str(port)})
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    try:
        import boto3
        from moto.server import ThreadedMotoServer
    except ImportError:
        print("moto[server] is missing: run `make venv` (it installs requirements-dev.txt)", file=sys.stderr)
        return 2
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            print(f"port {port} on 127.0.0.1 is in use: stop that server or pass --port", file=sys.stderr)
            return 2

    # Fake credentials, local endpoint: nothing here can reach AWS.
    moto_port = _free_port()
    endpoint = f"http://127.0.0.1:{moto_port}"
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_REGION": "us-east-1",
            "TABLE_NAME": table,
            "DYNAMODB_ENDPOINT": endpoint,
            "HOST": "127.0.0.1",
            "PORT": str(port),
        }
    )
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-call access lines
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    try:
        client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint)
        keys.create_table(client, table)
        from app.main import create_app
        from app.serve import run

        print(f"DynamoDB (moto) on {endpoint}, table {table}", file=sys.stderr)
        print(f"API on http://127.0.0.1:{port} (docs: /docs); Ctrl-C stops", file=sys.stderr)
        app = create_app()
        run(app, "127.0.0.1", port, app.state.settings.log_level)
    finally:
        moto.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
