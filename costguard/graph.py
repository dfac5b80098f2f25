"""The resource graph every part of costguard works on.

A graph comes from one of three places: a program captured under Pulumi's mocks
(`capture`), a `pulumi preview --json` file or a `pulumi stack export` file (`preview`).
Policies and pricing read only this shape, so they do not care where it came from.

Property keys are camelCase, as the engine hands them to providers and analyzers.
A value not known at preview time is the engine's sentinel string `UNKNOWN`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

# The string the Pulumi engine uses for a value that is unknown during a preview
# (sdk/go/common/resource/plugin: UnknownStringValue); it appears as-is in
# `pulumi preview --json` output and in the Struct an analyzer receives.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value == UNKNOWN


@dataclass
class Resource:
    urn: str
    type: str
    name: str
    custom: bool = True
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    parent: str | None = None
    dependencies: list[str] = field(default_factory=list)
    provider: str | None = None
    remote: bool = False
    # True for children that costguard adds for an opaque multi-language component
    # (e.g. the NAT gateways of an awsx:ec2:Vpc), which mocks never register.
    synthesized: bool = False
    # Preview step: create, update, replace, delete, same (a capture is all "create").
    op: str = "create"
    # For update/replace/delete/same steps: the inputs before the step.
    old_inputs: dict[str, Any] | None = None

    @property
    def props(self) -> dict[str, Any]:
        """Inputs overlaid with known outputs: what a policy or an estimator should read."""
        merged = dict(self.inputs)
        for key, value in self.outputs.items():
            if key not in merged or is_unknown(merged[key]):
                merged[key] = value
        return merged


@dataclass
class Graph:
    project: str
    stack: str
    resources: list[Resource] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    # Where the graph came from: "program" (captured under mocks), "preview" or "export" (a file).
    origin: str = "program"
    # Unchanged resources a preview's change summary counts but its steps leave out (a preview run
    # without --show-sames): its totals cover only what the change touches.
    omitted_unchanged: int = 0

    @property
    def region(self) -> str | None:
        """The region the graph itself names (config, else its AWS providers); `costguard.region`
        decides with the environment and --region too."""
        from costguard.region import resolve

        return resolve(self, use_environment=False).region

    def by_urn(self) -> dict[str, Resource]:
        return {r.urn: r for r in self.resources}

    def of_type(self, *types: str) -> list[Resource]:
        return [r for r in self.resources if r.type in types]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, sort_keys=True, default=str)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Graph:
        resources = [Resource(**r) for r in data.get("resources", [])]
        return cls(
            project=data["project"],
            stack=data["stack"],
            resources=resources,
            config=data.get("config", {}),
            origin=data.get("origin", "program"),
            omitted_unchanged=data.get("omitted_unchanged", 0),
        )


def make_urn(stack: str, project: str, type_: str, name: str, parent_type_chain: str = "") -> str:
    """An engine-style URN: urn:pulumi:STACK::PROJECT::[PARENT$...$]TYPE::NAME."""
    qualified = f"{parent_type_chain}${type_}" if parent_type_chain else type_
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"
