"""NAT gateways, load balancers, interface VPC endpoints, Elastic IPs."""

from __future__ import annotations

from costguard.graph import is_unknown
from costguard.pricing.estimators import prices
from costguard.pricing.model import CostComponent
from costguard.pricing.pricebook import HOURS_PER_MONTH
from costguard.pricing.values import first, json_text, known


@prices("aws:ec2/natGateway:NatGateway", "aws-native:ec2:NatGateway")
def nat_gateway(resource, props, ctx):
    # Private NAT gateways (connectivityType "private") cost the same per hour and per GB.
    return [
        CostComponent.of("NAT gateway", HOURS_PER_MONTH, ctx.book["nat_gateway_hour"]),
        CostComponent.of(
            "Data processed", ctx.usage["nat_gb_processed_per_month"], ctx.book["nat_gateway_gb"], "usage"
        ),
    ]


LB_TYPES = (
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:alb/loadBalancer:LoadBalancer",
    "aws:elasticloadbalancingv2/loadBalancer:LoadBalancer",  # pulumi-aws before v1 renamed it to aws:lb
    "aws:applicationloadbalancing/loadBalancer:LoadBalancer",
    "aws-native:elasticloadbalancingv2:LoadBalancer",
)


@prices(*LB_TYPES)
def load_balancer(resource, props, ctx):
    # pulumi-aws: loadBalancerType (default "application"); aws-native: type.
    kind = str(first(props, "loadBalancerType", "type") or "application").lower()
    if kind == "gateway":
        ctx.note("Gateway Load Balancers are not in the price book")
        return None
    hour, lcu, label = (
        ("nlb_hour", "nlb_lcu_hour", "Network")
        if kind == "network"
        else ("alb_hour", "alb_lcu_hour", "Application")
    )
    units = ctx.usage["lb_capacity_units"]
    return [
        CostComponent.of(f"{label} load balancer", HOURS_PER_MONTH, ctx.book[hour]),
        CostComponent.of("Capacity units", units * HOURS_PER_MONTH, ctx.book[lcu], "usage"),
    ]


@prices(
    "aws:elb/loadBalancer:LoadBalancer",
    "aws:elasticloadbalancing/loadBalancer:LoadBalancer",
    "aws-native:elasticloadbalancing:LoadBalancer",
)
def classic_load_balancer(resource, props, ctx):
    return [CostComponent.of("Classic load balancer", HOURS_PER_MONTH, ctx.book["classic_lb_hour"])]


@prices("aws:ec2/vpcEndpoint:VpcEndpoint", "aws-native:ec2:VpcEndpoint")
def vpc_endpoint(resource, props, ctx):
    # vpcEndpointType defaults to "Gateway" (S3, DynamoDB), which is free.
    kind = str(first(props, "vpcEndpointType") or "Gateway")
    if kind.lower() == "gateway":
        return []
    if kind.lower() != "interface":
        ctx.note(f"{kind} VPC endpoints are not in the price book")
        return None
    azs = _subnet_count(first(props, "subnetIds"), ctx)
    if azs == 0:
        azs = 1
        ctx.note("subnetIds unknown or empty: 1 AZ assumed")
    return [
        CostComponent.of(
            f"Interface endpoint ({azs} AZ)", azs * HOURS_PER_MONTH, ctx.book["vpc_endpoint_az_hour"]
        ),
        CostComponent.of(
            "Data processed", ctx.usage["vpc_endpoint_gb_per_month"], ctx.book["vpc_endpoint_gb"], "usage"
        ),
    ]


def _subnet_count(subnets, ctx) -> int:
    """The subnets an interface endpoint has a network interface in (one per subnet, billed per
    AZ-hour): distinct subnet ids; each id still unknown in a preview counts as one. Entries that are
    not ids (numbers, objects) are left out, with a note."""
    if not known(subnets):
        return 0
    ids: set[str] = set()
    unknown = 0
    skipped = []
    for item in subnets if isinstance(subnets, list) else [subnets]:
        if is_unknown(item):
            unknown += 1
        elif isinstance(item, str) and item:
            ids.add(item)
        else:
            skipped.append(item)
    if skipped:
        ctx.note(f"subnetIds entries that are not subnet ids left out: {json_text(skipped)}")
    return len(ids) + unknown


@prices("aws:ec2/eip:Eip", "aws-native:ec2:Eip")
def elastic_ip(resource, props, ctx):
    # Since February 2024 every public IPv4 address is charged, attached or idle.
    return [CostComponent.of("Elastic IP (public IPv4)", HOURS_PER_MONTH, ctx.book["elastic_ip"])]
