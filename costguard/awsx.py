"""The children that common awsx components create by default, for a capture under mocks.

awsx components are multi-language ("remote") components: the awsx provider process builds their
children, so under Pulumi's mocks the program sees only the component and none of its NAT gateways,
load balancers or log groups. `expand()` adds those children (marked `synthesized`) with the inputs
that matter to policies and prices, and gives the component the outputs programs read (resource
outputs such as `loadBalancer` become references to the synthesized children).

Behaviour mirrored from the pulumi-awsx sources (github.com/pulumi/pulumi-awsx, `awsx/`):
- ec2/vpc.ts: 3 AZs unless `numberOfAvailabilityZones`/`availabilityZoneNames`; NAT strategy
  default "OnePerAz" ("Single" -> one, "None" -> none; validateEips() rejects any other strategy with
  "Unknown NatGatewayStrategy '<strategy>'" and a wrong number of elasticIpAllocationIds), an
  Eip + NatGateway named `<vpc>-<az#>` in the public subnet of each AZ that gets one; per subnet
  a RouteTable + RouteTableAssociation; an InternetGateway always; routes 0.0.0.0/0 to the IGW
  (public) or the NAT gateway (private); VpcEndpoints from `vpcEndpointSpecs`; cidr default
  10.0.0.0/16; subnetStrategy default "Legacy".
- ec2/subnetDistributorLegacy.ts: the VPC range split evenly per AZ; default subnets per AZ are a
  private /19 at the AZ base and a public /20 after it, named `<vpc>-private-<n>`/`<vpc>-public-<n>`.
- lb/applicationLoadBalancer.ts: LoadBalancer (type application), a SecurityGroup open to 0.0.0.0/0
  and ::/0 unless `securityGroups`/`defaultSecurityGroup` says otherwise, a TargetGroup (ip, HTTP:80),
  one Listener `<name>-0` (HTTP:80) or one per `listeners`; the default VPC when no subnets are given.
- lb/networkLoadBalancer.ts: the same for type network: no security group, TCP:80 target group/listener.
- ecs/fargateService.ts: Service with desiredCount 1, launchType FARGATE unless a capacity provider
  strategy is set, a FargateTaskDefinition from `taskDefinitionArgs`, and without
  `networkConfiguration` an open SecurityGroup `<name>-sg` on the default VPC.
- ecs/fargateTaskDefinition.ts + cloudwatch/logGroup.ts + role.ts: a LogGroup with NO retention
  (defaults `{}`), task role `<name>-task`, execution role `<name>-execution` with
  AmazonECSTaskExecutionRolePolicy attached (`<name>-execution-<sha1[:8]>`), networkMode awsvpc.
- ecs/fargateMemoryAndCpu.ts: task cpu/memory default to the cheapest Fargate size that fits the
  containers' requests (256 CPU units / 512 MiB when they request nothing) — the smallest in both
  vCPU and memory, found without prices (see `_fargate_size`).
- ecr/repository.ts: Repository named lower-case, plus a LifecyclePolicy "remove untagged images"
  (untagged, imageCountMoreThan 1) unless `lifecyclePolicy.skip`.
- ecr/image.ts: a docker-build Image pushed to the repository; imageUri = `<repositoryUrl>@<digest>`.
Subnet CIDRs for custom `subnetSpecs` or subnetStrategy "Auto" are laid out sequentially: counts and
types are exact, ranges approximate.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from costguard.graph import Resource, make_urn
from costguard.mock_outputs import (
    DEFAULT_VPC_ID,
    availability_zones,
    ecr_repository_url,
    image_digest,
    resource_outputs,
)

EXECUTION_ROLE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"

# ALB/Fargate default security group rules (applicationLoadBalancer.ts, fargateService.ts).
_OPEN_INGRESS = [
    {"fromPort": 0, "toPort": 0, "protocol": "-1", "cidrBlocks": ["0.0.0.0/0"], "ipv6CidrBlocks": ["::/0"]}
]
_OPEN_EGRESS = [
    {
        "fromPort": 0,
        "toPort": 65535,
        "protocol": "tcp",
        "cidrBlocks": ["0.0.0.0/0"],
        "ipv6CidrBlocks": ["::/0"],
    }
]


@dataclass(frozen=True)
class Ref:
    """A resource-valued output: the runner sends it to the program as a resource reference."""

    urn: str
    id: str


@dataclass
class ExpansionContext:
    stack: str
    project: str
    region: str
    # Resolves a reference the program passed in (a resource id or URN) to that resource's outputs.
    lookup: Callable[[Any], dict[str, Any] | None] = lambda _ref: None
    default_vpc: dict[str, Any] = field(default_factory=dict)


@dataclass
class Expansion:
    children: list[Resource]
    outputs: dict[str, Any]


class AwsxError(Exception):
    """An input awsx itself rejects; the message is awsx's."""


def expandable(type_: str) -> bool:
    return type_ in _EXPANDERS


def expand(type_: str, name: str, urn: str, inputs: dict[str, Any], ctx: ExpansionContext) -> Expansion:
    builder = _Builder(ctx, urn)
    outputs = _EXPANDERS[type_](builder, name, inputs or {})
    return Expansion(children=builder.children, outputs=outputs)


class _Builder:
    def __init__(self, ctx: ExpansionContext, component_urn: str):
        self.ctx = ctx
        self.component_urn = component_urn
        self.children: list[Resource] = []

    def add(
        self,
        type_: str,
        name: str,
        inputs: dict[str, Any],
        parent: Resource | str | None = None,
        depends_on: list[Resource] | None = None,
        custom: bool = True,
    ) -> Resource:
        parent_urn = parent.urn if isinstance(parent, Resource) else (parent or self.component_urn)
        chain = parent_urn.split("::")[2]
        urn = make_urn(self.ctx.stack, self.ctx.project, type_, name, chain)
        inputs = {k: v for k, v in inputs.items() if v is not None}
        if custom:
            mocked = resource_outputs(type_, name, urn, inputs, self.ctx.region)
            outputs = mocked.outputs
        else:
            outputs = {}
        resource = Resource(
            urn=urn,
            type=type_,
            name=name,
            custom=custom,
            inputs=inputs,
            outputs=outputs,
            parent=parent_urn,
            dependencies=[d.urn for d in depends_on or []],
            synthesized=True,
        )
        self.children.append(resource)
        return resource


def ref(resource: Resource | None) -> Ref | None:
    if resource is None:
        return None
    return Ref(urn=resource.urn, id=str(resource.outputs.get("id", "")))


def _sha1_8(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:8]


def _without(args: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in args.items() if k not in keys}


# --- ec2 ----------------------------------------------------------------------------------------


def _subnet_layout(
    vpc_name: str, cidr: str, azs: list[str], specs: list[dict[str, Any]] | None
) -> list[list[tuple[str, str, str]]]:
    """Per AZ, the (type, subnet name, cidr) triples in awsx's creation order: public, private, isolated."""
    network = ipaddress.ip_network(cidr, strict=False)
    per_az_bits = max(0, (len(azs) - 1).bit_length())  # log2(nextPow2(#AZs))
    az_bases = list(network.subnets(prefixlen_diff=per_az_bits))[: len(azs)]
    if specs is None:
        specs = [{"type": "Private"}, {"type": "Public"}]
    specs = [s for s in specs if str(s.get("type", "")).lower() != "unused"]
    new_bits = 0 if len(specs) == 1 else 1
    default_masks = {"private": 19, "public": 20, "isolated": 24}
    order = {"private": 0, "public": 1, "isolated": 2}  # legacy allocation order within an AZ
    layout = []
    for i, base in enumerate(az_bases):
        allocated: list[tuple[str, str, str]] = []
        cursor = int(base.network_address)
        for spec in sorted(specs, key=lambda s: order.get(str(s["type"]).lower(), 3)):
            kind = str(spec["type"]).lower()
            mask = spec.get("cidrMask")
            if not mask and spec.get("size"):  # newer awsx: `size` in addresses instead of a mask
                mask = 32 - (int(spec["size"]) - 1).bit_length()
            mask = mask or max(base.prefixlen + new_bits, default_masks.get(kind, 24))
            size = 2 ** (32 - int(mask))
            start = -(-cursor // size) * size  # next aligned block
            block = ipaddress.ip_network(f"{ipaddress.ip_address(start)}/{mask}")
            cursor = start + size
            label = spec.get("name") or kind
            allocated.append((str(spec["type"]).capitalize(), f"{vpc_name}-{label}-{i + 1}", str(block)))
        creation = {"public": 0, "private": 1, "isolated": 2}
        layout.append(sorted(allocated, key=lambda t: creation.get(t[0].lower(), 3)))
    return layout


def _vpc(b: _Builder, name: str, args: dict[str, Any]) -> dict[str, Any]:
    if args.get("availabilityZoneNames") and args.get("numberOfAvailabilityZones"):
        raise AwsxError(
            "Only one of [availabilityZoneNames] and [numberOfAvailabilityZones] can be specified"
        )
    azs = list(
        args.get("availabilityZoneNames")
        or availability_zones(b.ctx.region, int(args.get("numberOfAvailabilityZones") or 3))
    )
    nat = args.get("natGateways") or {}
    strategy_name = str(nat.get("strategy") or "OnePerAz")
    strategy = strategy_name.lower()
    allocation_ids = list(nat.get("elasticIpAllocationIds") or [])
    _validate_eips(strategy_name, allocation_ids, azs)
    cidr = args.get("cidrBlock") or "10.0.0.0/16"
    tags = args.get("tags") or {}
    shared_tags = {"Name": name, **tags}
    layout = _subnet_layout(name, cidr, azs, args.get("subnetSpecs"))
    kinds = {t.lower() for az in layout for t, _, _ in az}
    if strategy != "none" and not {"public", "private"} <= kinds:
        raise AwsxError(
            "If NAT Gateway strategy is 'OnePerAz' or 'Single', "
            "both private and public subnets must be declared."
        )

    vpc_keys = (
        "enableDnsHostnames",
        "enableDnsSupport",
        "instanceTenancy",
        "enableNetworkAddressUsageMetrics",
        "ipv4IpamPoolId",
        "ipv4NetmaskLength",
        "assignGeneratedIpv6CidrBlock",
    )
    vpc = b.add(
        "aws:ec2/vpc:Vpc",
        name,
        {**{k: args[k] for k in vpc_keys if k in args}, "cidrBlock": cidr, "tags": shared_tags},
    )
    vpc_id = vpc.outputs["id"]
    igw = b.add(
        "aws:ec2/internetGateway:InternetGateway", name, {"vpcId": vpc_id, "tags": shared_tags}, vpc, [vpc]
    )
    endpoints = []
    for spec in args.get("vpcEndpointSpecs") or []:
        endpoint_inputs = {k: v for k, v in spec.items() if k != "tags"} | {
            "tags": spec.get("tags"),
            "vpcId": vpc_id,
        }
        endpoints.append(
            b.add("aws:ec2/vpcEndpoint:VpcEndpoint", spec["serviceName"], endpoint_inputs, vpc, [vpc])
        )

    subnets, route_tables, associations, routes, nats, eips = [], [], [], [], [], []
    ids: dict[str, list[str]] = {"public": [], "private": [], "isolated": []}
    by_kind: dict[str, list[Resource]] = {"public": [], "private": [], "isolated": []}
    for i, az_specs in enumerate(layout):
        for kind_cap, subnet_name, block in az_specs:
            kind = kind_cap.lower()
            subnet = b.add(
                "aws:ec2/subnet:Subnet",
                subnet_name,
                {
                    "vpcId": vpc_id,
                    "availabilityZone": azs[i],
                    "mapPublicIpOnLaunch": kind == "public",
                    "cidrBlock": block,
                    "tags": {**shared_tags, "Name": subnet_name, "SubnetType": kind_cap},
                },
                vpc,
                [vpc],
            )
            subnets.append(subnet)
            ids.setdefault(kind, []).append(subnet.outputs["id"])
            by_kind.setdefault(kind, []).append(subnet)
            table = b.add(
                "aws:ec2/routeTable:RouteTable",
                subnet_name,
                {"vpcId": vpc_id, "tags": {**shared_tags, "Name": subnet_name, "SubnetType": kind_cap}},
                subnet,
                [subnet],
            )
            route_tables.append(table)
            associations.append(
                b.add(
                    "aws:ec2/routeTableAssociation:RouteTableAssociation",
                    subnet_name,
                    {"routeTableId": table.outputs["id"], "subnetId": subnet.outputs["id"]},
                    table,
                    [table],
                )
            )
            wants_nat = strategy == "oneperaz" and len(nats) < i + 1 or strategy == "single" and not nats
            if kind == "public" and wants_nat:
                if allocation_ids:
                    allocation = allocation_ids[i if strategy == "oneperaz" else 0]
                else:
                    eip = b.add(
                        "aws:ec2/eip:Eip",
                        f"{name}-{i + 1}",
                        {"tags": {**tags, "Name": f"{name}-{i + 1}"}},
                        subnet,
                        [subnet],
                    )
                    eips.append(eip)
                    allocation = eip.outputs["allocationId"]
                nats.append(
                    b.add(
                        "aws:ec2/natGateway:NatGateway",
                        f"{name}-{i + 1}",
                        {
                            "subnetId": subnet.outputs["id"],
                            "allocationId": allocation,
                            "tags": {**tags, "Name": f"{name}-{i + 1}"},
                        },
                        subnet,
                        [subnet],
                    )
                )
            if kind == "public":
                route_to = {"gatewayId": igw.outputs["id"]}
            elif kind == "private" and strategy != "none":
                gateway = nats[0] if strategy == "single" else nats[min(i, len(nats) - 1)]
                route_to = {"natGatewayId": gateway.outputs["id"]}
            else:
                continue
            routes.append(
                b.add(
                    "aws:ec2/route:Route",
                    subnet_name,
                    {"routeTableId": table.outputs["id"], "destinationCidrBlock": "0.0.0.0/0", **route_to},
                    table,
                    [table],
                )
            )

    return {
        "vpc": ref(vpc),
        "vpcId": vpc_id,
        "internetGateway": ref(igw),
        "subnets": [ref(s) for s in subnets],
        "publicSubnets": [ref(s) for s in by_kind["public"]],
        "privateSubnets": [ref(s) for s in by_kind["private"]],
        "isolatedSubnets": [ref(s) for s in by_kind["isolated"]],
        "publicSubnetIds": ids["public"],
        "privateSubnetIds": ids["private"],
        "isolatedSubnetIds": ids["isolated"],
        "routeTables": [ref(t) for t in route_tables],
        "routeTableAssociations": [ref(a) for a in associations],
        "routes": [ref(r) for r in routes],
        "natGateways": [ref(n) for n in nats],
        "eips": [ref(e) for e in eips],
        "vpcEndpoints": [ref(e) for e in endpoints],
        "subnetLayout": [
            {"type": t, "cidrMask": int(block.split("/")[1])} for t, _, block in (layout[0] if layout else [])
        ],
    }


def _validate_eips(strategy: str, allocation_ids: list[Any], azs: list[str]) -> None:
    """vpc.ts validateEips(), which the Vpc runs before creating anything (messages are awsx's)."""
    kind = strategy.lower()
    if kind == "none":
        if allocation_ids:
            raise AwsxError(
                f"Elastic IP allocation IDs cannot be specified when NAT Gateway strategy is '{strategy}'."
            )
    elif kind == "single":
        if len(allocation_ids) > 1:
            raise AwsxError(
                f"Exactly one Elastic IP may be specified when NAT Gateway strategy is '{strategy}'."
            )
    elif kind == "oneperaz":
        if allocation_ids and len(allocation_ids) != len(azs):
            raise AwsxError(
                "The number of Elastic IPs, if specified, must match the number of availability zones for "
                f"the VPC ({len(azs)}) when NAT Gateway strategy is '{strategy}'"
            )
    else:
        raise AwsxError(f"Unknown NatGatewayStrategy '{strategy}'")


def _default_vpc(b: _Builder, name: str, args: dict[str, Any]) -> dict[str, Any]:
    # defaultVpc.ts: a pseudo-resource over the account's default VPC; it creates nothing.
    return dict(b.ctx.default_vpc)


# --- lb -----------------------------------------------------------------------------------------

_LB_AWSX_KEYS = (
    "subnetIds",
    "subnets",
    "defaultTargetGroup",
    "defaultTargetGroupPort",
    "defaultSecurityGroup",
    "listener",
    "listeners",
)


def _lb_subnets(b: _Builder, args: dict[str, Any], lb_args: dict[str, Any]) -> str:
    """Set lb_args' subnets as awsx does and return the VPC id the target group goes in."""
    given = [k for k in ("subnetIds", "subnets", "subnetMappings") if args.get(k)]
    if len(given) > 1:
        raise AwsxError("Only one of [subnets], [subnetIds] or [subnetMappings] can be specified")
    if args.get("subnets") or args.get("subnetIds"):
        subnet_ids = list(args.get("subnets") or args.get("subnetIds"))
        lb_args["subnets"] = subnet_ids
        first = b.ctx.lookup(subnet_ids[0]) if subnet_ids else None
        return (first or {}).get("vpcId") or DEFAULT_VPC_ID
    if args.get("subnetMappings"):
        first = b.ctx.lookup(args["subnetMappings"][0].get("subnetId"))
        return (first or {}).get("vpcId") or DEFAULT_VPC_ID
    lb_args["subnets"] = list(b.ctx.default_vpc.get("publicSubnetIds", []))
    return b.ctx.default_vpc.get("vpcId", DEFAULT_VPC_ID)


def _listener_protocol(listener: dict[str, Any] | None, default_port: Any = None) -> dict[str, Any]:
    if listener:
        port, protocol = listener.get("port"), listener.get("protocol")
        if port and protocol:
            return {"port": port, "protocol": protocol}
        if port:
            return {"port": port, "protocol": "HTTPS" if port == 443 else "HTTP"}
        if protocol:
            return {"port": 443 if protocol == "HTTPS" else 80, "protocol": protocol}
    return {"port": default_port or 80, "protocol": "HTTP"}


def _application_lb(b: _Builder, name: str, args: dict[str, Any]) -> dict[str, Any]:
    lb_args = _without(args, *_LB_AWSX_KEYS)
    vpc_id = _lb_subnets(b, args, lb_args)
    if args.get("listener") and args.get("listeners"):
        raise AwsxError("Only one of [listener] and [listeners] can be specified")
    default_sg = args.get("defaultSecurityGroup") or {}
    security_group = None
    if not lb_args.get("securityGroups") and not default_sg.get("skip"):
        if default_sg.get("securityGroupId"):
            lb_args["securityGroups"] = [default_sg["securityGroupId"]]
        else:
            sg_args = default_sg.get("args") or {
                "vpcId": vpc_id,
                "ingress": _OPEN_INGRESS,
                "egress": _OPEN_EGRESS,
            }
            security_group = b.add("aws:ec2/securityGroup:SecurityGroup", name, sg_args)
            lb_args["securityGroups"] = [security_group.outputs["id"]]
    lb_args["loadBalancerType"] = "application"
    lb = b.add("aws:lb/loadBalancer:LoadBalancer", name, lb_args)

    listeners_in = args.get("listeners")
    if listeners_in is not None and len(listeners_in) == 1:
        default_protocol: dict[str, Any] = {}
    else:
        first = listeners_in[0] if listeners_in else args.get("listener")
        default_protocol = _listener_protocol(first, args.get("defaultTargetGroupPort"))
    target_group = b.add(
        "aws:lb/targetGroup:TargetGroup",
        name,
        {"vpcId": vpc_id, "targetType": "ip", **default_protocol, **(args.get("defaultTargetGroup") or {})},
    )
    actions = [{"type": "forward", "targetGroupArn": target_group.outputs["arn"]}]
    if args.get("listener"):
        specs = [{**default_protocol, **args["listener"]}]
    elif listeners_in:
        specs = [{**_listener_protocol(spec), **spec} for spec in listeners_in]
    else:
        specs = [default_protocol]
    listeners = [
        b.add(
            "aws:lb/listener:Listener",
            f"{name}-{i}",
            {"defaultActions": actions, **spec, "loadBalancerArn": lb.outputs["arn"]},
        )
        for i, spec in enumerate(specs)
    ]
    return {
        "loadBalancer": ref(lb),
        "defaultTargetGroup": ref(target_group),
        "listeners": [ref(listener) for listener in listeners],
        "defaultSecurityGroup": ref(security_group),
        "vpcId": vpc_id,
    }


def _network_lb(b: _Builder, name: str, args: dict[str, Any]) -> dict[str, Any]:
    lb_args = _without(args, *_LB_AWSX_KEYS)
    vpc_id = _lb_subnets(b, args, lb_args)
    if args.get("listener") and args.get("listeners"):
        raise AwsxError("Only one of [listener] and [listeners] can be specified")
    lb_args.update({"loadBalancerType": "network", "enableHttp2": False, "idleTimeout": 0})
    lb = b.add("aws:lb/loadBalancer:LoadBalancer", name, lb_args)
    target_group = b.add(
        "aws:lb/targetGroup:TargetGroup",
        name,
        {
            "vpcId": vpc_id,
            "protocol": "TCP",
            "port": args.get("defaultTargetGroupPort") or 80,
            **(args.get("defaultTargetGroup") or {}),
        },
    )
    actions = [{"type": "forward", "targetGroupArn": target_group.outputs["arn"]}]
    specs = [args["listener"]] if args.get("listener") else (args.get("listeners") or [{}])
    listeners = [
        b.add(
            "aws:lb/listener:Listener",
            f"{name}-{i}",
            {
                "defaultActions": actions,
                "protocol": "TCP",
                "port": 80,
                **spec,
                "loadBalancerArn": lb.outputs["arn"],
            },
        )
        for i, spec in enumerate(specs)
    ]
    return {
        "loadBalancer": ref(lb),
        "defaultTargetGroup": ref(target_group),
        "listeners": [ref(listener) for listener in listeners],
        "vpcId": vpc_id,
    }


# --- ecs ----------------------------------------------------------------------------------------


# The task sizes awsx chooses from (fargateMemoryAndCpu.ts `allConfigs`): vCPU -> memory GB.
_FARGATE_SIZES: tuple[tuple[float, tuple[float, ...]], ...] = (
    (0.25, (0.5, 1, 2)),
    (0.5, tuple(range(1, 5))),
    (1, tuple(range(2, 9))),
    (2, tuple(range(4, 17))),
    (4, tuple(range(8, 31))),
    (8, tuple(range(16, 61))),
    (16, tuple(range(32, 121))),
)
_MAX_VCPU = max(vcpu for vcpu, _ in _FARGATE_SIZES)
_MAX_GB = max(gb for _, gbs in _FARGATE_SIZES for gb in gbs)


def _fargate_size(containers: list[dict[str, Any]]) -> tuple[str, str]:
    """The Fargate cpu/memory awsx picks for the containers' requests (fargateMemoryAndCpu.ts).

    awsx sorts its sizes by a cost it computes from price literals and takes the first that fits.
    No price is needed to get the same answer: among the sizes that fit there is always one that is
    smallest in both vCPU and memory (the lowest vCPU tier that can hold the memory, with the least
    memory it allows; a higher tier never allows less memory), so every ordering by a positive
    price per vCPU and per GB — and the memory-then-vCPU order awsx's in-place re-sorts leave
    behind — puts it first.
    """
    memory_mb = sum(c.get("memoryReservation") or c.get("memory") or 0 for c in containers)
    cpu_units = sum(c.get("cpu") or 0 for c in containers)
    want_vcpu, want_gb = cpu_units / 1024, memory_mb / 1024
    if want_vcpu > _MAX_VCPU or want_gb > _MAX_GB:
        raise AwsxError(
            "Requested resources exceed the maximum allowed for Fargate. "
            f"Requested: {want_vcpu:g} vCPU and {want_gb:g}GB. Max: {_MAX_VCPU:g} vCPU and {_MAX_GB:g}GB."
        )
    for vcpu, gbs in _FARGATE_SIZES:
        for gb in gbs:
            if vcpu >= want_vcpu and gb >= want_gb:
                return str(int(vcpu * 1024)), str(int(gb * 1024))
    raise AwsxError(
        f"Could not find fargate config that could satisfy: {want_vcpu:g} vCPU and {want_gb:g}GB."
    )


def _task_definition(
    b: _Builder, name: str, args: dict[str, Any], parent: str | None = None
) -> dict[str, Any]:
    container, containers = args.get("container"), args.get("containers")
    if (container is None) == (containers is None):
        raise AwsxError("Exactly one of [container] or [containers] must be provided")
    named = {container.get("name") or "container": container} if container is not None else dict(containers)
    region = b.ctx.region

    log_in = args.get("logGroup") or {}
    log_group = None
    log_group_name = (log_in.get("existing") or {}).get("name")
    if not log_in.get("skip") and not log_in.get("existing"):
        log_group = b.add("aws:cloudwatch/logGroup:LogGroup", name, dict(log_in.get("args") or {}), parent)
        log_group_name = log_group.outputs["name"]

    assume = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Effect": "Allow",
                    "Sid": "",
                }
            ],
        }
    )

    def role(suffix: str, spec: dict[str, Any], policy_arns: list[str]) -> tuple[Resource | None, str | None]:
        if spec.get("skip"):
            return None, None
        if spec.get("roleArn"):
            return None, spec["roleArn"]
        role_args = {"assumeRolePolicy": assume, **(spec.get("args") or {})}
        created = b.add("aws:iam/role:Role", f"{name}-{suffix}", role_args, parent)
        for arn in policy_arns:
            b.add(
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                f"{name}-{suffix}-{_sha1_8(arn)}",
                {"role": created.outputs["name"], "policyArn": arn},
                parent,
            )
        return created, created.outputs["arn"]

    task_role, task_role_arn = role("task", args.get("taskRole") or {}, [])
    execution_role, execution_role_arn = role(
        "execution", args.get("executionRole") or {}, [EXECUTION_ROLE_POLICY]
    )

    definitions, load_balancers = [], []
    for container_name, spec in named.items():
        definition = {**spec, "name": container_name}
        if log_group_name and "logConfiguration" not in spec:
            definition["logConfiguration"] = {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": log_group_name,
                    "awslogs-region": region,
                    "awslogs-stream-prefix": container_name,
                },
            }
        mappings = []
        for mapping in spec.get("portMappings") or []:
            mapping = dict(mapping)
            group = mapping.pop("targetGroup", None)
            if group is not None:
                group_outputs = b.ctx.lookup(group) or {}
                port = mapping.get("containerPort") or group_outputs.get("port")
                load_balancers.append(
                    {
                        "targetGroupArn": group_outputs.get("arn", group),
                        "containerName": container_name,
                        "containerPort": port,
                    }
                )
                mapping.setdefault("containerPort", port)
            mappings.append(mapping)
        if mappings:
            definition["portMappings"] = mappings
        definitions.append(definition)
    container_json = json.dumps(definitions, sort_keys=True)
    cpu, memory = _fargate_size(list(named.values()))
    task_args = _without(args, "container", "containers", "logGroup", "taskRole", "executionRole")
    task_def = b.add(
        "aws:ecs/taskDefinition:TaskDefinition",
        name,
        {
            "cpu": cpu,
            "memory": memory,
            **task_args,
            "requiresCompatibilities": ["FARGATE"],
            "networkMode": "awsvpc",
            "taskRoleArn": task_role_arn,
            "executionRoleArn": execution_role_arn,
            "family": args.get("family") or f"{name}-{_sha1_8(b.ctx.stack + container_json)}",
            "containerDefinitions": container_json,
        },
        parent,
    )
    return {
        "taskDefinition": ref(task_def),
        "logGroup": ref(log_group),
        "taskRole": ref(task_role),
        "executionRole": ref(execution_role),
        "loadBalancers": load_balancers,
    }


def _fargate_task_definition(b: _Builder, name: str, args: dict[str, Any]) -> dict[str, Any]:
    return _task_definition(b, name, args)


def _fargate_service(b: _Builder, name: str, args: dict[str, Any]) -> dict[str, Any]:
    if args.get("taskDefinition") is not None and args.get("taskDefinitionArgs") is not None:
        raise AwsxError("Only one of `taskDefinition` or `taskDefinitionArgs` can be provided.")
    if args.get("networkConfiguration") is not None and args.get("assignPublicIp") is not None:
        raise AwsxError("Only one of `networkConfiguration` or `assignPublicIp` can be provided.")
    task_definition_arn = args.get("taskDefinition")
    task_outputs: dict[str, Any] = {}
    if args.get("taskDefinitionArgs") is not None:
        component = b.add("awsx:ecs:FargateTaskDefinition", name, {}, custom=False)
        task_outputs = _task_definition(b, name, args["taskDefinitionArgs"], component.urn)
        task_ref = task_outputs["taskDefinition"]
        task_definition_arn = next(c for c in b.children if c.urn == task_ref.urn).outputs["arn"]
    if task_definition_arn is None:
        raise AwsxError("Either `taskDefinition` or `taskDefinitionArgs` must be provided.")
    if args.get("capacityProviderStrategies") and args.get("useClusterDefaultCapacityProviderStrategy"):
        raise AwsxError(
            "Only one of `capacityProviderStrategies` or `useClusterDefaultCapacityProviderStrategy` "
            "can be provided."
        )
    uses_strategy = args.get("capacityProviderStrategies") or args.get(
        "useClusterDefaultCapacityProviderStrategy"
    )

    network = args.get("networkConfiguration")
    if network is None:
        assign_public_ip = bool(args.get("assignPublicIp", False))
        default_vpc = b.ctx.default_vpc
        sg = b.add(
            "aws:ec2/securityGroup:SecurityGroup",
            f"{name}-sg",
            {"vpcId": default_vpc.get("vpcId"), "ingress": _OPEN_INGRESS, "egress": _OPEN_EGRESS},
        )
        subnets = default_vpc.get("publicSubnetIds" if assign_public_ip else "privateSubnetIds") or []
        if not assign_public_ip and not subnets:
            raise AwsxError(
                "The default VPC does not have any private subnets. Set `assignPublicIp` to `true`, provide "
                "`networkConfiguration`, or add private subnets to the default VPC."
            )
        network = {
            "subnets": list(subnets),
            "assignPublicIp": assign_public_ip,
            "securityGroups": [sg.outputs["id"]],
        }

    service_args = _without(
        args,
        "taskDefinitionArgs",
        "assignPublicIp",
        "continueBeforeSteadyState",
        "useClusterDefaultCapacityProviderStrategy",
    )
    service = b.add(
        "aws:ecs/service:Service",
        name,
        {
            "desiredCount": 1,
            **service_args,
            "networkConfiguration": network,
            "launchType": None if uses_strategy else "FARGATE",
            "loadBalancers": args.get("loadBalancers") or task_outputs.get("loadBalancers") or None,
            "waitForSteadyState": not args.get("continueBeforeSteadyState", False),
            "taskDefinition": task_definition_arn,
        },
    )
    return {"service": ref(service), "taskDefinition": task_outputs.get("taskDefinition")}


# --- ecr ----------------------------------------------------------------------------------------


def _lifecycle_rules(rules: list[dict[str, Any]] | None) -> dict[str, Any]:
    if not rules:
        rules = [
            {"description": "remove untagged images", "tagStatus": "untagged", "maximumNumberOfImages": 1}
        ]
    ordered = [r for r in rules if r.get("tagStatus") != "any"] + [
        r for r in rules if r.get("tagStatus") == "any"
    ]
    out = []
    for priority, rule in enumerate(ordered, start=1):
        if rule.get("tagStatus") in ("any", "untagged"):
            selection: dict[str, Any] = {"tagStatus": rule["tagStatus"]}
        else:
            selection = {"tagStatus": "tagged", "tagPrefixList": rule.get("tagPrefixList") or []}
        if rule.get("maximumNumberOfImages") is not None:
            selection |= {"countType": "imageCountMoreThan", "countNumber": rule["maximumNumberOfImages"]}
        else:
            selection |= {
                "countType": "sinceImagePushed",
                "countNumber": rule.get("maximumAgeLimit"),
                "countUnit": "days",
            }
        out.append(
            {
                "rulePriority": priority,
                "description": rule.get("description"),
                "selection": selection,
                "action": {"type": "expire"},
            }
        )
    return {"rules": out}


def _repository(b: _Builder, name: str, args: dict[str, Any]) -> dict[str, Any]:
    lower = name.lower()
    lifecycle = args.get("lifecyclePolicy") or {}
    repo = b.add("aws:ecr/repository:Repository", lower, _without(args, "lifecyclePolicy"))
    policy = None
    if not lifecycle.get("skip"):
        # repository.ts creates the policy without a parent option; kept under the component here so it stays
        # attributed to the awsx Repository in reports.
        policy = b.add(
            "aws:ecr/lifecyclePolicy:LifecyclePolicy",
            lower,
            {
                "repository": repo.outputs["name"],
                "policy": json.dumps(_lifecycle_rules(lifecycle.get("rules"))),
            },
        )
    return {"repository": ref(repo), "lifecyclePolicy": ref(policy), "url": repo.outputs["repositoryUrl"]}


def _image(b: _Builder, name: str, args: dict[str, Any]) -> dict[str, Any]:
    repository_url = args.get("repositoryUrl") or ecr_repository_url(name.lower(), b.ctx.region)
    context = args.get("context") or "."
    build_sig = context + (f";dockerfile={args['dockerfile']}" if args.get("dockerfile") else "")
    for key, value in (args.get("args") or {}).items():
        build_sig += f";arg[{key}]={value}"
    image_name = (
        args.get("imageName") or args.get("imageTag") or f"{_sha1_8(build_sig + b.ctx.stack)}-container"
    )
    canonical = f"{repository_url}:{image_name}"
    image = b.add(
        "docker-build:index:Image",
        image_name,
        {
            "tags": [canonical],
            "context": {"location": context},
            "dockerfile": {"location": args.get("dockerfile")},
            "platforms": [args["platform"]] if args.get("platform") else [],
            "target": args.get("target"),
            "buildArgs": args.get("args"),
            "push": True,
        },
    )
    return {"imageUri": f"{repository_url}@{image.outputs.get('digest') or image_digest(canonical)}"}


_EXPANDERS: dict[str, Callable[[_Builder, str, dict[str, Any]], dict[str, Any]]] = {
    "awsx:ec2:Vpc": _vpc,
    "awsx:ec2:DefaultVpc": _default_vpc,
    "awsx:lb:ApplicationLoadBalancer": _application_lb,
    "awsx:lb:NetworkLoadBalancer": _network_lb,
    "awsx:ecs:FargateService": _fargate_service,
    "awsx:ecs:FargateTaskDefinition": _fargate_task_definition,
    "awsx:ecr:Repository": _repository,
    "awsx:ecr:Image": _image,
}
