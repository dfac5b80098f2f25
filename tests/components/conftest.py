"""Pulumi mocks for component tests: record every registration, answer the provider calls used.

`stack` (fixture) installs fresh mocks and returns a `Recorder`; build components inside
`recorder.run(fn)`, which waits until every registration has reached the mock monitor.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import pulumi
import pytest

ACCOUNT = "123456789012"
REGION = "eu-west-1"
ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]


@dataclass
class Registered:
    type: str
    name: str
    inputs: dict
    outputs: dict


class Recorder(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: list[Registered] = []
        self.calls: list[tuple[str, dict]] = []
        self.zones = list(ZONES)  # what getAvailabilityZones answers; tests may shrink it

    # --- pulumi.runtime.Mocks -------------------------------------------------------------------
    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        outputs = dict(args.inputs)
        service = args.typ.split(":")[1].split("/")[0]
        physical = outputs.get("name") or f"{args.name}-{len(self.resources):04d}"
        outputs.setdefault("name", physical)
        outputs.setdefault(
            "arn", f"arn:aws:{service}:{REGION}:{ACCOUNT}:{args.typ.split(':')[-1]}/{physical}"
        )
        if args.typ == "aws:ecr/repository:Repository":
            outputs["repositoryUrl"] = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{physical}"
        if args.typ == "awsx:ecr:Image":
            outputs["imageUri"] = f"{args.inputs['repositoryUrl']}@sha256:{'ab' * 32}"
        if args.typ == "docker-build:index:Image":
            tag = (args.inputs.get("tags") or [args.name])[0]
            outputs["digest"] = "sha256:" + hashlib.sha256(tag.encode()).hexdigest()
            outputs["ref"] = f"{tag}@{outputs['digest']}"
        if args.typ == "aws:apigatewayv2/api:Api":
            outputs["apiEndpoint"] = f"https://{physical}.execute-api.{REGION}.amazonaws.com"
        self.resources.append(Registered(args.typ, args.name, dict(args.inputs), outputs))
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs):
        self.calls.append((args.token, dict(args.args)))
        if args.token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            zone_ids = [f"euw1-az{index + 1}" for index in range(len(self.zones))]
            return {"names": self.zones, "zoneIds": zone_ids, "id": REGION}
        if args.token == "aws:index/getRegion:getRegion":
            return {"name": REGION, "region": REGION, "id": REGION}
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/test", "userId": "test"}
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com"}
        if args.token == "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return {
                "userName": "AWS",
                "password": "token",
                "authorizationToken": "QVdTOnRva2Vu",
                "proxyEndpoint": f"https://{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com",
                "registryId": args.args.get("registryId") or ACCOUNT,
                "id": REGION,
            }
        return {}

    # --- helpers for tests --------------------------------------------------------------------------
    def run(self, build: Callable[[], object]) -> None:
        pulumi.runtime.test(build)()

    def of_type(self, type_token: str) -> list[Registered]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str) -> Registered:
        found = self.of_type(type_token)
        assert len(found) == 1, f"expected one {type_token}, got {[r.name for r in found]}"
        return found[0]

    def types(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.resources:
            counts[r.type] = counts.get(r.type, 0) + 1
        return counts


@pytest.fixture
def stack() -> Recorder:
    # Pulumi's mocks run on the thread's current event loop; another test in the same worker (the app's
    # asyncio/uvicorn tests) may have closed it and left none set.
    asyncio.set_event_loop(asyncio.new_event_loop())
    recorder = Recorder()
    pulumi.runtime.set_mocks(recorder, project="safety-heatmap", stack="dev", preview=False)
    return recorder
