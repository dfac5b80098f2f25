"""Run the whole program (`__main__.py`) under Pulumi's in-process mocks with config overrides.

Returns every registered resource (type, logical name, inputs, outputs) and every invoke token, so tests can
check what a real `pulumi up` of that configuration would ask AWS for. The mocks answer with the ARNs and
names AWS would give (autonamed resources get `<logical>-abc1234`, as Pulumi's autonaming adds a suffix).
"""

from __future__ import annotations

import asyncio
import runpy
from dataclasses import dataclass, field
from pathlib import Path

import pulumi

from tests.engine_config import engine_config

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
REGION = "eu-west-1"
PROJECT = "safety-heatmap"


@dataclass
class Registered:
    type: str
    name: str
    inputs: dict
    outputs: dict
    id: str = ""


@dataclass
class StackGraph:
    stack: str
    resources: list[Registered] = field(default_factory=list)
    invokes: list[str] = field(default_factory=list)

    def of_type(self, type_token: str) -> list[Registered]:
        return [r for r in self.resources if r.type == type_token]

    def by_id(self, resource_id: str) -> Registered:
        (found,) = [r for r in self.resources if r.id == resource_id]
        return found


def physical_name(logical: str, inputs: dict) -> str:
    return inputs.get("name") or f"{logical}-abc1234"


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self, graph: StackGraph) -> None:
        self.graph = graph

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        outputs = dict(args.inputs)
        name = physical_name(args.name, args.inputs)
        service = args.typ.split(":")[1].split("/")[0]
        outputs.setdefault("name", name)
        arn = f"arn:aws:{service}:{REGION}:{ACCOUNT}:{args.typ.split(':')[-1].lower()}/{name}"
        if args.typ == "aws:iam/role:Role":
            arn = f"arn:aws:iam::{ACCOUNT}:role/{name}"
        elif args.typ == "aws:iam/policy:Policy":
            arn = f"arn:aws:iam::{ACCOUNT}:policy/{name}"
        elif args.typ == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{args.inputs['url'].removeprefix('https://')}"
        elif args.typ == "aws:ecr/repository:Repository":
            arn = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{name}"
            outputs["repositoryUrl"] = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{name}"
        elif args.typ == "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace":
            arn = f"arn:aws:servicediscovery:{REGION}:{ACCOUNT}:namespace/ns-0abc"
            outputs["hostedZone"] = "Z0ABC"
        elif args.typ == "aws:servicediscovery/service:Service":
            arn = f"arn:aws:servicediscovery:{REGION}:{ACCOUNT}:service/srv-0abc"
        elif args.typ == "aws:ecs/cluster:Cluster":
            arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{name}"
        elif args.typ == "awsx:ecr:Image":
            outputs["imageUri"] = f"{args.inputs['repositoryUrl']}@sha256:{'ab' * 32}"
        elif args.typ == "aws:apigatewayv2/api:Api":
            outputs["apiEndpoint"] = f"https://a1b2c3.execute-api.{REGION}.amazonaws.com"
        outputs.setdefault("arn", arn)
        resource_id = (
            f"{args.typ.split(':')[-1].lower()}-{args.name}-id"  # unique: a role and its policy share names
        )
        self.graph.resources.append(Registered(args.typ, args.name, dict(args.inputs), outputs, resource_id))
        return resource_id, outputs

    def call(self, args: pulumi.runtime.MockCallArgs):
        self.graph.invokes.append(args.token)
        if args.token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            zones = [f"{REGION}a", f"{REGION}b", f"{REGION}c"]
            return {"names": zones, "zoneIds": ["euw1-az1", "euw1-az2", "euw1-az3"], "id": REGION}
        if args.token == "aws:index/getRegion:getRegion":
            return {"name": REGION, "region": REGION, "id": REGION}
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT,
                "arn": f"arn:aws:iam::{ACCOUNT}:user/ci",
                "userId": "ci",
                "id": ACCOUNT,
            }
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        return {}


def run_program(stack: str, **overrides) -> StackGraph:
    """The program's resources and invokes for `stack` with config `overrides` (keys without the project)."""
    # Pulumi's mocks run on the thread's current event loop; another test may have closed it.
    asyncio.set_event_loop(asyncio.new_event_loop())
    graph = StackGraph(stack)
    pulumi.runtime.set_mocks(_Mocks(graph), project=PROJECT, stack=stack, preview=False)
    pulumi.runtime.set_all_config(engine_config(stack, **overrides), [])
    try:
        pulumi.runtime.test(lambda: runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__"))()
    finally:
        pulumi.runtime.set_all_config({}, [])
    return graph
