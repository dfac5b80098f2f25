"""Cost policies for networking: NAT gateways, load balancers, interface endpoints, Elastic IPs, WAF."""

from __future__ import annotations

import functools
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    StackValidationPolicy,
)

from policies import prices
from policies.support import (
    UNKNOWN,
    as_list,
    config_value,
    first_of,
    is_unknown,
    matches_type,
    money,
    resource_policy,
    types,
)

NAT_GATEWAY_TYPES = types("aws:ec2/natGateway:NatGateway", "aws-native:ec2:NatGateway")

LOAD_BALANCER_TYPES = types(
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:alb/loadBalancer:LoadBalancer",
    "aws:elb/loadBalancer:LoadBalancer",
    # Names from before pulumi-aws v6.
    "aws:applicationloadbalancing/loadBalancer:LoadBalancer",
    "aws:elasticloadbalancing/loadBalancer:LoadBalancer",
    "aws:elasticloadbalancingv2/loadBalancer:LoadBalancer",
    "aws-native:elasticloadbalancingv2:LoadBalancer",
    "aws-native:elasticloadbalancing:LoadBalancer",
)
# ECS resources that make AWS create and bill an Application Load Balancer for you (AWS ECS developer
# guide, "Resources created by Amazon ECS Express Mode services"; AWS::ECS::Gateway).
ECS_MANAGED_LB_TYPES = types(
    "aws:ecs/expressGatewayService:ExpressGatewayService",
    "aws-native:ecs:ExpressGatewayService",
    "aws-native:ecs:Gateway",
)

# aws-native tokens match in every spelling the provider used (VPCEndpoint, EIP, WebACL...): support.type_key.
VPC_ENDPOINT_TYPES = types("aws:ec2/vpcEndpoint:VpcEndpoint", "aws-native:ec2:VpcEndpoint")

ELASTIC_IP_TYPES = types("aws:ec2/eip:Eip", "aws-native:ec2:Eip")

WAF_ACL_TYPES = types(
    "aws:wafv2/webAcl:WebAcl",
    "aws-native:wafv2:WebAcl",
    "aws:waf/webAcl:WebAcl",
    "aws:wafregional/webAcl:WebAcl",
)


def check_nat_gateway(props: dict, config: Any, type_: str) -> list[str]:
    kind = first_of(props, "connectivityType")
    kind = "public" if kind is None or kind is UNKNOWN else str(kind)
    q = prices.quotes()
    cost = (
        f"costs {money(q.monthly('nat_gateway_hour'))}/month plus {money(q.unit('nat_gateway_gb'))}/GB "
        f"processed in {q.region}"
        if q
        else "bills every hour plus every GB it processes"
    )
    return [
        f"A {kind} NAT gateway {cost}. Put tasks in public subnets with a public IP "
        "and use free gateway endpoints (S3, DynamoDB) instead, or set this policy's enforcementLevel to "
        "'advisory' in the policy config to allow it."
    ]


def _lb_cost(price_key: str | None) -> str:
    q = prices.quotes()
    if q is None or price_key is None:  # no price book here, or a type it does not price (gateway)
        return "bills every hour plus capacity units"
    return f"costs at least {money(q.monthly(price_key))}/month in {q.region} before capacity units"


def check_load_balancer(props: dict, config: Any, type_: str) -> list[str]:
    if type_ in ECS_MANAGED_LB_TYPES:
        return [
            f"{type_.split(':')[-1]} makes ECS create an Application Load Balancer, which "
            f"{_lb_cost('alb_hour')}. Run a plain ECS service "
            "behind API Gateway HTTP API -> VPC link -> Cloud Map instead (the VPC link is free), or set "
            "this policy's enforcementLevel to 'advisory' in the policy config to allow it."
        ]
    # The classic provider names the kind `loadBalancerType`; CloudFormation (aws-native) names it `type`.
    kind = props.get("loadBalancerType", props.get("type") if type_.startswith("aws-native:") else None)
    if type_.startswith(("aws:elb/", "aws:elasticloadbalancing/", "aws-native:elasticloadbalancing:")):
        kind = "classic"
    kind = "application" if kind is None or kind is UNKNOWN else str(kind)
    article = "An" if kind[:1].lower() in "aeiou" else "A"
    hourly_keys = {"application": "alb_hour", "network": "nlb_hour", "classic": "classic_lb_hour"}
    price_key = hourly_keys.get(kind.lower())
    return [
        f"{article} {kind} load balancer {_lb_cost(price_key)}. "
        "Route API Gateway HTTP API -> VPC link -> Cloud Map to the tasks instead "
        "(the VPC link is free), or set this policy's enforcementLevel to 'advisory' in the policy config "
        "to allow it."
    ]


def check_vpc_endpoint(props: dict, config: Any, type_: str) -> list[str]:
    kind = props.get("vpcEndpointType")
    # A missing type means Gateway, which is free (AWS::EC2::VPCEndpoint / aws.ec2.VpcEndpoint default).
    if kind is None or (isinstance(kind, str) and kind.lower() == "gateway"):
        return []
    azs = as_list(first_of(props, "subnetIds", "subnetConfigurations"))
    known_azs = len([s for s in azs if not is_unknown(s)]) or 1
    shown = "an unknown type" if kind is UNKNOWN else f"type {kind}"
    q = prices.quotes()
    if q:
        per_az = q.monthly("vpc_endpoint_az_hour")
        cost = (
            f"costs {money(per_az)}/month per AZ in {q.region} "
            f"({money(per_az * known_azs)}/month for {known_azs} AZ{'s' if known_azs > 1 else ''}) plus "
            f"{money(q.unit('vpc_endpoint_gb'))}/GB processed"
        )
    else:
        cost = "bills every hour in every AZ plus every GB processed"
    return [
        f"A VPC endpoint of {shown} {cost}. Use a Gateway endpoint (free, S3 and DynamoDB) or "
        "reach the service over the "
        "internet from a public subnet, or set this policy's enforcementLevel to 'advisory' to allow it."
    ]


nat_gateway = resource_policy(
    "cost-no-nat-gateway",
    "No NAT gateways: each one bills every hour plus every GB it processes.",
    EnforcementLevel.MANDATORY,
    NAT_GATEWAY_TYPES,
    check_nat_gateway,
)

load_balancer = resource_policy(
    "cost-no-load-balancer",
    "No load balancers (application, network, gateway or classic): each one bills every hour.",
    EnforcementLevel.MANDATORY,
    LOAD_BALANCER_TYPES | ECS_MANAGED_LB_TYPES,
    check_load_balancer,
)

interface_endpoint = resource_policy(
    "cost-no-interface-endpoint",
    "VPC endpoints must be Gateway endpoints: the other types bill every hour in every AZ.",
    EnforcementLevel.MANDATORY,
    VPC_ENDPOINT_TYPES,
    check_vpc_endpoint,
)


def check_waf(props: dict, config: Any, type_: str) -> list[str]:
    rules = props.get("rules")
    n_rules = len(rules) if isinstance(rules, list) else 0
    q = prices.quotes()
    if q:
        acl, rule = q.monthly("waf_web_acl_month"), q.monthly("waf_rule_month")
        cost = (
            f"costs {money(acl)}/month plus {money(rule)}/rule/month and per request in {q.region} "
            f"(this one: {money(acl + rule * n_rules)}/month before requests)"
        )
    else:
        cost = "bills every month per ACL and per rule, and per request"
    return [
        f"A WAF web ACL {cost}. Rely on the API Gateway stage's throttling instead, or set this policy's "
        "enforcementLevel to 'advisory' in the policy config to allow it."
    ]


waf = resource_policy(
    "cost-no-waf",
    "No WAF web ACLs (v2, classic or regional): each bills monthly per ACL and per rule.",
    EnforcementLevel.MANDATORY,
    WAF_ACL_TYPES,
    check_waf,
)


def _elastic_ips(args: Any, report_violation: Any) -> None:
    allowed = int(config_value(args.get_config(), "allowedCount", 0))
    eips = [r for r in args.resources if r.resource_type in ELASTIC_IP_TYPES]
    q = prices.quotes()
    cost = f"costs {money(q.monthly('elastic_ip'))}/month in {q.region}" if q else "bills every hour"
    for r in eips[allowed:]:
        report_violation(
            f"Elastic IP {r.name} is one of {len(eips)} in this stack (allowed: {allowed}); each public IPv4 "
            f"address {cost}, attached or not. Let Fargate tasks take an ephemeral "
            "public "
            "IP, or raise 'allowedCount' in this policy's config.",
            r.urn,
        )


elastic_ip = StackValidationPolicy(
    name="cost-no-elastic-ip",
    description="At most 'allowedCount' Elastic IPs per stack: every public IPv4 address bills every hour.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=PolicyConfigSchema(
        properties={
            "allowedCount": {
                "type": "integer",
                "minimum": 0,
                "default": 0,
                "description": "How many Elastic IPs the stack may have.",
            }
        }
    ),
    validate=_elastic_ips,
)

# Services with an always-on charge that a few-dollars stack never needs. Each entry is a type token
# or a prefix ending in '*'; aws-native entries match every spelling of the name (DBCluster = DbCluster).
DEFAULT_DENIED_TYPES = [
    "aws:globalaccelerator/accelerator:Accelerator",
    "aws:globalaccelerator/customRoutingAccelerator:CustomRoutingAccelerator",
    "aws-native:globalaccelerator:Accelerator",
    "aws:ec2transitgateway/transitGateway:TransitGateway",
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
    "aws:ec2transitgateway/peeringAttachment:PeeringAttachment",
    "aws:ec2transitgateway/connect:Connect",
    "aws-native:ec2:TransitGateway",
    "aws-native:ec2:TransitGatewayAttachment",
    "aws-native:ec2:TransitGatewayVpcAttachment",
    "aws-native:ec2:TransitGatewayPeeringAttachment",
    "aws-native:ec2:TransitGatewayConnect",
    "aws:networkfirewall/firewall:Firewall",
    "aws-native:networkfirewall:Firewall",
    "aws:eks/cluster:Cluster",
    "aws-native:eks:Cluster",
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:rds/clusterInstance:ClusterInstance",
    "aws-native:rds:DbInstance",
    "aws-native:rds:DbCluster",
    "aws:elasticache/cluster:Cluster",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:elasticache/serverlessCache:ServerlessCache",
    "aws-native:elasticache:CacheCluster",
    "aws-native:elasticache:ReplicationGroup",
    "aws-native:elasticache:ServerlessCache",
    "aws:opensearch/domain:Domain",
    "aws:opensearch/serverlessCollection:ServerlessCollection",
    "aws:elasticsearch/domain:Domain",
    "aws-native:opensearchservice:Domain",
    "aws-native:opensearchserverless:Collection",
    "aws:redshift/cluster:Cluster",
    "aws:redshiftserverless/workgroup:Workgroup",
    "aws-native:redshift:Cluster",
    "aws-native:redshiftserverless:Workgroup",
    "aws:msk/cluster:Cluster",
    "aws:msk/serverlessCluster:ServerlessCluster",
    "aws-native:msk:Cluster",
    "aws-native:msk:ServerlessCluster",
    "aws:docdb/cluster:Cluster",
    "aws:docdb/clusterInstance:ClusterInstance",
    "aws:docdb/elasticCluster:ElasticCluster",
    "aws-native:docdb:DbCluster",  # AWS::DocDB::DBCluster / DBInstance, for when aws-native carries them
    "aws-native:docdb:DbInstance",
    "aws-native:docdbelastic:Cluster",
    "aws:neptune/cluster:Cluster",
    "aws:neptune/clusterInstance:ClusterInstance",
    "aws-native:neptune:DbCluster",
    "aws-native:neptune:DbInstance",
]


@functools.lru_cache(maxsize=4096)
def _is_denied(type_: str, denied: tuple[str, ...], allowed: tuple[str, ...]) -> bool:
    return matches_type(type_, denied) and not matches_type(type_, allowed)


# What each denied service bills and what this kind of stack uses instead, by the type's module (classic
# `aws:<module>/...`, native `aws-native:<module>:...`). costguard's price book prices none of these
# services (it prices what a few-dollars stack runs), so the message names the charge, not a figure.
_DENIED_SERVICES: dict[str, tuple[str, str]] = {
    "globalaccelerator": ("A Global Accelerator bills a fixed fee every hour, with or without traffic",
                          "API Gateway's regional endpoint (per request), with CloudFront in front if "
                          "clients are far away"),
    "ec2transitgateway": ("A Transit Gateway bills every attachment every hour, with or without traffic",
                          "one VPC, or VPC peering (no hourly charge) between two"),
    "networkfirewall": ("A Network Firewall bills every endpoint every hour, with or without traffic",
                        "security groups and network ACLs (free)"),
    "eks": ("An EKS cluster bills its control plane every hour, with or without workloads",
            "ECS on Fargate (no control-plane charge; this stack's layout)"),
    "rds": ("An RDS instance or Aurora cluster bills every hour it runs, busy or idle",
            "DynamoDB on demand (per request, nothing when idle)"),
    "docdb": ("A DocumentDB cluster bills its instances every hour, busy or idle",
              "DynamoDB on demand (documents as items, per request)"),
    "docdbelastic": ("A DocumentDB elastic cluster bills its shards every hour, busy or idle",
                     "DynamoDB on demand (per request)"),
    "neptune": ("A Neptune cluster bills its instances every hour, busy or idle",
                "DynamoDB on demand (adjacency lists, per request)"),
    "elasticache": ("An ElastiCache cache bills its nodes every hour (serverless: a minimum of stored "
                    "data every hour), busy or idle", "DynamoDB on demand reads, or a cache inside the task"),
    "opensearch": ("An OpenSearch domain bills its instances every hour (serverless: a minimum of OCUs), "
                   "busy or idle", "DynamoDB queries on a designed key, or CloudWatch Logs Insights for "
                   "logs (per GB scanned)"),
    "opensearchservice": ("An OpenSearch domain bills its instances every hour, busy or idle",
                          "DynamoDB queries on a designed key, or CloudWatch Logs Insights for logs (per "
                          "GB scanned)"),
    "opensearchserverless": ("An OpenSearch Serverless collection bills a minimum of OCUs every hour, "
                             "busy or idle", "CloudWatch Logs Insights for logs (per GB scanned)"),
    "elasticsearch": ("An Elasticsearch domain bills its instances every hour, busy or idle",
                      "DynamoDB queries on a designed key, or CloudWatch Logs Insights for logs (per GB "
                      "scanned)"),
    "redshift": ("A Redshift cluster bills its nodes every hour, busy or idle",
                 "Athena over S3 (per TB scanned)"),
    "redshiftserverless": ("A Redshift Serverless workgroup bills at least its base capacity for every "
                           "minute a query runs", "Athena over S3 (per TB scanned)"),
    "msk": ("An MSK cluster bills its brokers every hour (serverless: every cluster-hour), with or "
            "without traffic", "SQS or SNS (per request)"),
}  # fmt: skip
_GENERIC_DENIED = ("It bills every hour it exists, whatever the traffic", "a service billed per request "
                   "(DynamoDB on demand, SQS, API Gateway)")  # fmt: skip


def denied_service(type_: str) -> tuple[str, str]:
    """(what bills, the cheaper alternative) for a denied type token."""
    provider, _, rest = type_.partition(":")
    module = rest.split("/" if provider == "aws" else ":", 1)[0].lower()
    if provider == "aws-native" and module == "ec2" and ":transitgateway" in type_.lower():
        module = "ec2transitgateway"
    return _DENIED_SERVICES.get(module, _GENERIC_DENIED)


def _denied_services(args: Any, report_violation: Any) -> None:
    # Policy config arrives as plain JSON (not proxied); a tuple makes it a cache key.
    config = args.get_config()
    denied = tuple(config_value(config, "deniedTypes", DEFAULT_DENIED_TYPES))
    allowed = tuple(config_value(config, "allowedTypes", []))
    if _is_denied(args.resource_type, denied, allowed):
        charge, instead = denied_service(args.resource_type)
        report_violation(
            f"{args.resource_type} is on the deny list. {charge}. Use {instead} instead, or add the type "
            "to 'allowedTypes' in this policy's config."
        )


denied_services = ResourceValidationPolicy(
    name="cost-denied-services",
    description="No always-on managed services from the deny list (RDS, EKS, ElastiCache, OpenSearch, ...).",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=PolicyConfigSchema(
        properties={
            "deniedTypes": {
                "type": "array",
                "items": {"type": "string"},
                "default": DEFAULT_DENIED_TYPES,
                "description": "Type tokens to reject; an entry ending in '*' is a prefix.",
            },
            "allowedTypes": {
                "type": "array",
                "items": {"type": "string"},
                "default": [],
                "description": "Exceptions to deniedTypes (same syntax).",
            },
        }
    ),
    validate=_denied_services,
)
