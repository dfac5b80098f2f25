"""One real policy pack process per test session (per xdist worker), driven over the Analyzer protocol."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from costguard.analyzer import PolicyPackProcess, Violation
from costguard.graph import Resource, make_urn

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"


class Pack:
    """Test-side view of the running pack: build a resource, analyze it, filter by policy."""

    def __init__(self, process: PolicyPackProcess) -> None:
        self.process = process

    def violations(self, type_: str, props: dict[str, Any], policy: str | None = None) -> list[Violation]:
        found = self.process.analyze(resource(type_, props))
        return [v for v in found if policy is None or v.policy_name == policy]

    def stack_violations(self, resources: list[Resource], policy: str | None = None) -> list[Violation]:
        found = self.process.analyze_stack(resources)
        return [v for v in found if policy is None or v.policy_name == policy]

    def configure(self, config: dict | None) -> None:
        self.process.configure(config)

    @staticmethod
    def resource(type_: str, props: dict[str, Any], name: str | None = None, **kwargs: Any) -> Resource:
        return resource(type_, props, name, **kwargs)


_counter = iter(range(1_000_000))


def resource(type_: str, props: dict[str, Any], name: str | None = None, **kwargs: Any) -> Resource:
    name = name or f"res{next(_counter)}"
    return Resource(urn=make_urn("dev", "test", type_, name), type=type_, name=name, inputs=props, **kwargs)


@pytest.fixture(scope="session")
def pack_process() -> Iterator[PolicyPackProcess]:
    with PolicyPackProcess(PACK_DIR) as process:
        yield process


@pytest.fixture
def pack(pack_process: PolicyPackProcess) -> Iterator[Pack]:
    """The session's pack with the default config, restored after a test that reconfigures it."""
    yield Pack(pack_process)
    if pack_process.config:
        pack_process.configure(None)
