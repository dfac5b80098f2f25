"""Which AWS region a graph's resources are in: the one place that decides it, for plan and review.

In order, the first that answers wins:
1. `--region` (an explicit choice);
2. the config: `aws:region`, else `aws-native:region` (a stack's config, or a preview's `config`);
3. the region input of the stack's AWS provider resources, when they agree (a stack export has
   no config; a preview of an explicit provider carries it);
4. the environment: `AWS_REGION`, else `AWS_DEFAULT_REGION` — as the AWS provider does when
   `aws:region` is not set (pulumi-aws docs/installation-configuration.md: "export AWS_REGION=...
   You may alternatively set the AWS region in your Pulumi.<stack-name>.yaml file"; the upstream
   provider's `region` argument: "Can also be set with either the AWS_REGION or AWS_DEFAULT_REGION
   environment variables");
5. for a preview or a stack export only, the region the resources' outputs name: a `region`
   output or the region field of their ARNs (`arn:aws:lambda:eu-west-1:...`). A program captured
   under mocks is never asked: its outputs are made up.
The answer says where it came from, and the report prints it.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

CONFIG_KEYS = ("aws:region", "aws-native:region")
ENV_KEYS = ("AWS_REGION", "AWS_DEFAULT_REGION")
PROVIDER_TYPES = ("pulumi:providers:aws", "pulumi:providers:aws-native")
_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d+$")
_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d+):")


@dataclass(frozen=True)
class RegionChoice:
    region: str | None
    source: str = ""  # e.g. "aws:region config", "AWS_REGION", "resource ARNs"
    note: str = ""  # set when the answer was not unanimous


def looks_like_region(value: Any) -> bool:
    return isinstance(value, str) and bool(_REGION.match(value))


def from_config(config: Mapping[str, Any]) -> RegionChoice | None:
    for key in CONFIG_KEYS:
        value = config.get(key)
        if isinstance(value, str) and value:
            return RegionChoice(value, f"{key} config")
    return None


def from_providers(resources: Iterable[Any]) -> RegionChoice | None:
    regions = {
        r.inputs.get("region")
        for r in resources
        if r.type in PROVIDER_TYPES and isinstance(r.inputs, dict) and isinstance(r.inputs.get("region"), str)
    }
    regions.discard("")
    return RegionChoice(regions.pop(), "the AWS provider's region") if len(regions) == 1 else None


def from_environment(environ: Mapping[str, str] | None = None) -> RegionChoice | None:
    environ = os.environ if environ is None else environ
    for key in ENV_KEYS:
        value = environ.get(key, "").strip()
        if value:
            return RegionChoice(value, key)
    return None


def from_outputs(resources: Iterable[Any]) -> RegionChoice | None:
    """The region most of the resources' outputs name (a `region` output or their ARNs)."""
    seen: Counter[str] = Counter()
    for r in resources:
        outputs = r.outputs if isinstance(r.outputs, dict) else {}
        found = set()
        if looks_like_region(outputs.get("region")):
            found.add(outputs["region"])
        for value in outputs.values():
            if isinstance(value, str):
                match = _ARN_REGION.match(value)
                if match:
                    found.add(match.group(1))
        seen.update(found)
    if not seen:
        return None
    (region, _count), *others = sorted(seen.items(), key=lambda item: (-item[1], item[0]))
    note = (
        f"the resources' outputs name several regions ({', '.join(sorted(seen))}): {region}, the most "
        "common, is priced — pass --region to choose"
        if others
        else ""
    )
    return RegionChoice(region, "the resources' ARNs", note)


def resolve(
    graph: Any,
    explicit: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    use_environment: bool = True,
) -> RegionChoice:
    """The region of `graph` and where it came from; RegionChoice(None) when nothing says."""
    if explicit:
        return RegionChoice(explicit, "--region")
    choice = from_config(graph.config) or from_providers(graph.resources)
    if choice is None and use_environment:
        choice = from_environment(environ)
    if choice is None and getattr(graph, "origin", "program") in ("preview", "export"):
        choice = from_outputs(graph.resources)
    return choice or RegionChoice(None)


def missing_region_message(origin: str) -> str:
    if origin in ("preview", "export"):
        what = "preview" if origin == "preview" else "stack export"
        return (
            f"no AWS region in the {what}: it has no aws:region config, no resource output names a "
            "region, and AWS_REGION/AWS_DEFAULT_REGION are unset — pass --region (e.g. us-east-1)"
        )
    return (
        "no AWS region: set aws:region in the stack config (`pulumi config set aws:region us-east-1`) "
        "or AWS_REGION, or pass --region"
    )
