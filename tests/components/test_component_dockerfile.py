"""The Dockerfile agrees with the task definition and keeps to the image rules."""

import dataclasses
import json
import re
from pathlib import Path

from components.service import ServiceArgs

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def default(name: str):
    return next(f.default for f in dataclasses.fields(ServiceArgs) if f.name == name)


def test_multi_stage_with_pinned_slim_base():
    bases = re.findall(r"^FROM (\S+)", DOCKERFILE, flags=re.M)
    assert len(bases) == 2
    for base in bases:
        assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", base), base


def test_runs_as_non_root_without_compilers():
    final_stage = DOCKERFILE.split("AS runtime", 1)[1]
    assert re.search(r"^USER 10001:10001$", final_stage, flags=re.M)
    assert "apt-get" not in DOCKERFILE and "gcc" not in DOCKERFILE and "build-essential" not in DOCKERFILE
    assert "COPY --from=build /opt/venv /opt/venv" in final_stage


def test_command_serves_the_port_the_task_definition_maps():
    from app.serve import GRACEFUL_SHUTDOWN_SECONDS

    command = json.loads(re.search(r"^CMD (\[.*\])$", DOCKERFILE, flags=re.M).group(1))
    assert command == ["python", "-m", "app"]  # app/__main__.py: HOST 0.0.0.0, PORT 8080 by default
    env = dict(re.findall(r"^\s+(\w+)=(\S+?)\s*\\?$", DOCKERFILE.split("AS runtime", 1)[1], flags=re.M))
    assert int(env["PORT"]) == default("container_port") == 8080
    # Graceful shutdown must end before ECS's stopTimeout (120 s) kills the container.
    assert GRACEFUL_SHUTDOWN_SECONDS < 120


def test_dockerignore_allows_only_the_app():
    lines = [
        line
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert lines[:2] == ["*", "!app/"]
