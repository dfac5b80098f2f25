"""HOST and PORT are checked with the other settings, and app.local's options before it starts
anything: a bad value stops `python -m app` or `python -m app.local` with one line, never a
traceback."""

import os
import socket
import subprocess
import sys

import pytest
from conftest import ROOT

from app.config import ConfigError, Settings
from app.local import main as local_main


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ("0.0.0.0", 8080)),
        ({"HOST": "127.0.0.1", "PORT": "8001"}, ("127.0.0.1", 8001)),
        ({"HOST": "::", "PORT": " 65535 "}, ("::", 65535)),
        ({"HOST": "localhost", "PORT": "1"}, ("localhost", 1)),
        ({"HOST": "api.heatmap.internal"}, ("api.heatmap.internal", 8080)),
    ],
)
def test_host_and_port(env, expected):
    settings = Settings.from_env(env)
    assert (settings.host, settings.port) == expected


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORT": "abc"}, "PORT='abc' is not a port; use a number from 1 to 65535"),
        ({"PORT": "99999"}, "PORT='99999' is not a port; use a number from 1 to 65535"),
        ({"PORT": "0"}, "PORT='0' is not a port"),
        ({"PORT": "-1"}, "PORT='-1' is not a port"),
        ({"PORT": "８０８０"}, "PORT='８０８０' is not a port"),  # digits, but not ASCII ones
        ({"HOST": "not a host"}, "HOST='not a host' is not an IP address or host name"),
        ({"HOST": "-bad.example"}, "HOST='-bad.example' is not an IP address or host name"),
        ({"HOST": "http://0.0.0.0"}, "HOST='http://0.0.0.0' is not an IP address or host name"),
    ],
)
def test_bad_host_or_port_names_the_variable(env, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        Settings.from_env(env)


def _run(args, env):
    names = ("TABLE_NAME", "AWS_REGION", "DYNAMODB_ENDPOINT", "LOG_LEVEL", "CORS_ORIGINS", "HOST", "PORT")
    env = {k: v for k, v in os.environ.items() if k not in names} | {"PYTHONPATH": str(ROOT)} | env
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({"PORT": "abc"}, "configuration error: PORT='abc' is not a port; use a number from 1 to 65535"),
        ({"PORT": "99999"}, "configuration error: PORT='99999' is not a port; use a number from 1 to 65535"),
        (
            {"HOST": "0.0.0.0:8080"},
            "configuration error: HOST='0.0.0.0:8080' is not an IP address or host name; "
            "use e.g. 0.0.0.0 (all interfaces) or 127.0.0.1",
        ),
    ],
)
def test_the_container_command_stops_with_one_line(env, line):
    result = _run(["-m", "app"], env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [line]


@pytest.mark.parametrize(
    ("args", "env", "line"),
    [
        (
            ["--port", "99999"],
            {},
            "configuration error: --port='99999' is not a port; use a number from 1 to 65535",
        ),
        (
            ["--port", "abc"],
            {},
            "configuration error: --port='abc' is not a port; use a number from 1 to 65535",
        ),
        (
            ["--table", "x"],
            {},
            "configuration error: --table='x' is not a DynamoDB table name; "
            "use 3 to 255 letters, digits, '_', '-' or '.'",
        ),
        (
            [],
            {"LOG_LEVEL": "loud"},
            "configuration error: LOG_LEVEL='LOUD' is not a log level; use DEBUG, INFO, WARNING or ERROR",
        ),
    ],
)
def test_the_local_run_stops_with_one_line_before_starting_anything(args, env, line):
    result = _run(["-m", "app.local", *args], env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [line]


def test_the_local_run_ignores_a_port_variable_meant_for_the_container(capsys, monkeypatch):
    # PORT is the container's; `python -m app.local` listens on --port, so a stray PORT is no error.
    # It gets as far as the check that --port is free (a port held here), after the settings.
    monkeypatch.setenv("PORT", "abc")
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        assert local_main(["--port", str(port)]) == 2
    assert (
        capsys.readouterr().err.strip()
        == f"port {port} on 127.0.0.1 is in use: stop that server or pass --port"
    )
