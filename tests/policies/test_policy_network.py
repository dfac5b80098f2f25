"""Network cost policies, through the Analyzer protocol."""

import pytest

from costguard.graph import UNKNOWN

NAT = "cost-no-nat-gateway"
LB = "cost-no-load-balancer"
ENDPOINT = "cost-no-interface-endpoint"
EIP = "cost-no-elastic-ip"
WAF = "cost-no-waf"
DENIED = "cost-denied-services"


@pytest.mark.parametrize("type_", ["aws:ec2/natGateway:NatGateway", "aws-native:ec2:NatGateway"])
@pytest.mark.parametrize("connectivity", ["public", "private", None])
def test_every_nat_gateway_is_rejected_with_its_price(pack, type_, connectivity):
    props = {"subnetId": UNKNOWN} | ({"connectivityType": connectivity} if connectivity else {})
    (v,) = pack.violations(type_, props, NAT)
    assert v.enforcement_level == "mandatory"
    # 0.045 $/h x 730 h (us-east-1 price list)
    assert "$32.85/month" in v.message and "gateway endpoints" in v.message


LB_TYPES = [
    "aws-native:elasticloadbalancing:LoadBalancer",
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:alb/loadBalancer:LoadBalancer",
    "aws:elb/loadBalancer:LoadBalancer",
    "aws:applicationloadbalancing/loadBalancer:LoadBalancer",
    "aws:elasticloadbalancing/loadBalancer:LoadBalancer",
    "aws:elasticloadbalancingv2/loadBalancer:LoadBalancer",
    "aws-native:elasticloadbalancingv2:LoadBalancer",
]


@pytest.mark.parametrize("type_", LB_TYPES)
def test_every_load_balancer_spelling_is_rejected(pack, type_):
    (v,) = pack.violations(type_, {"internal": False}, LB)
    assert v.enforcement_level == "mandatory"
    if type_.startswith(("aws:elb/", "aws:elasticloadbalancing/", "aws-native:elasticloadbalancing:")):
        assert "classic load balancer costs at least $18.25/month in us-east-1" in v.message  # 0.025 x 730
    else:
        assert (
            "application load balancer costs at least $16.43/month in us-east-1" in v.message
        )  # 0.0225 x 730
    assert "VPC link" in v.message


@pytest.mark.parametrize("kind", ["application", "network", "gateway"])
def test_every_load_balancer_kind_is_rejected(pack, kind):
    (v,) = pack.violations("aws:lb/loadBalancer:LoadBalancer", {"loadBalancerType": kind}, LB)
    assert f"{kind} load balancer" in v.message
    # ALB and NLB: 0.0225 $/h x 730; the price book has no Gateway Load Balancer price, so no figure.
    cost = "bills every hour plus capacity units" if kind == "gateway" else "costs at least $16.43/month"
    assert cost in v.message
    # CloudFormation names the kind `type`.
    (v,) = pack.violations("aws-native:elasticloadbalancingv2:LoadBalancer", {"type": kind}, LB)
    assert f"{kind} load balancer" in v.message


@pytest.mark.parametrize(
    "type_",
    [
        "aws:ecs/expressGatewayService:ExpressGatewayService",
        "aws-native:ecs:ExpressGatewayService",
        "aws-native:ecs:Gateway",
    ],
)
def test_ecs_resources_that_create_a_load_balancer_are_rejected(pack, type_):
    (v,) = pack.violations(type_, {}, LB)
    assert "create an Application Load Balancer" in v.message and "$16.43/month" in v.message


ENDPOINT_TYPES = [
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws-native:ec2:VpcEndpoint",
    "aws-native:ec2:VPCEndpoint",
]


@pytest.mark.parametrize("type_", ENDPOINT_TYPES)
@pytest.mark.parametrize("kind", ["Interface", "GatewayLoadBalancer", "Resource", "ServiceNetwork"])
def test_non_gateway_endpoints_are_rejected(pack, type_, kind):
    (v,) = pack.violations(type_, {"vpcEndpointType": kind, "subnetIds": ["subnet-a", "subnet-b"]}, ENDPOINT)
    # 0.01 $/AZ-hour x 730 = 7.30 per AZ; two subnets = two AZs.
    assert "$7.30/month per AZ" in v.message and "$14.60/month for 2 AZs" in v.message


@pytest.mark.parametrize("type_", ENDPOINT_TYPES)
@pytest.mark.parametrize("props", [{}, {"vpcEndpointType": "Gateway"}, {"vpcEndpointType": "gateway"}])
def test_gateway_endpoints_are_free_and_pass(pack, type_, props):
    assert (
        pack.violations(type_, {"serviceName": "com.amazonaws.us-east-1.dynamodb", **props}, ENDPOINT) == []
    )


def test_unknown_endpoint_type_is_judged_costly_only_when_set(pack):
    (v,) = pack.violations("aws:ec2/vpcEndpoint:VpcEndpoint", {"vpcEndpointType": UNKNOWN}, ENDPOINT)
    assert "unknown type" in v.message


@pytest.mark.parametrize("type_", ["aws:ec2/eip:Eip", "aws-native:ec2:Eip"])
def test_elastic_ips_beyond_the_allowance_are_rejected(pack, type_):
    eips = [pack.resource(type_, {"domain": "vpc"}, name=f"ip{i}") for i in range(2)]
    found = pack.stack_violations(eips, EIP)
    assert sorted(v.urn for v in found) == sorted(r.urn for r in eips)
    assert all("$3.65/month" in v.message for v in found)  # 0.005 $/h x 730

    pack.configure({EIP: {"allowedCount": 1}})
    (v,) = pack.stack_violations(eips, EIP)
    assert v.urn == eips[1].urn and "allowed: 1" in v.message


def test_elastic_ip_policy_ignores_other_resources(pack):
    assert pack.stack_violations([pack.resource("aws:ec2/vpc:Vpc", {"cidrBlock": "10.0.0.0/16"})], EIP) == []


@pytest.mark.parametrize(
    "type_",
    [
        "aws:wafv2/webAcl:WebAcl",
        "aws-native:wafv2:WebAcl",
        "aws-native:wafv2:WebACL",  # aws-native before v1.0
        "aws:waf/webAcl:WebAcl",
        "aws:wafregional/webAcl:WebAcl",
    ],
)
def test_every_waf_acl_is_rejected(pack, type_):
    (v,) = pack.violations(type_, {"rules": [{"name": "a"}, {"name": "b"}]}, WAF)
    assert "$5.00/month" in v.message and "$7.00/month" in v.message  # 5 + 2 rules x 1


DENIED_SAMPLES = [
    "aws:globalaccelerator/accelerator:Accelerator",
    "aws-native:globalaccelerator:Accelerator",
    "aws:ec2transitgateway/transitGateway:TransitGateway",
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
    "aws-native:ec2:TransitGatewayAttachment",
    "aws:networkfirewall/firewall:Firewall",
    "aws-native:networkfirewall:Firewall",
    "aws:eks/cluster:Cluster",
    "aws-native:eks:Cluster",
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws-native:rds:DbInstance",
    "aws-native:rds:DbCluster",
    "aws:elasticache/cluster:Cluster",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws-native:elasticache:CacheCluster",
    "aws:opensearch/domain:Domain",
    "aws:elasticsearch/domain:Domain",
    "aws-native:opensearchservice:Domain",
    "aws:redshift/cluster:Cluster",
    "aws-native:redshift:Cluster",
    "aws:msk/cluster:Cluster",
    "aws-native:msk:Cluster",
    "aws:docdb/cluster:Cluster",
    "aws-native:docdbelastic:Cluster",
    "aws:neptune/cluster:Cluster",
    "aws:neptune/clusterInstance:ClusterInstance",
    "aws-native:neptune:DbCluster",
    "aws-native:neptune:DbInstance",
    # aws-native before v1.0 kept CloudFormation's initialisms.
    "aws-native:neptune:DBCluster",
    "aws-native:neptune:DBInstance",
    "aws-native:rds:DBInstance",
]


@pytest.mark.parametrize("type_", DENIED_SAMPLES)
def test_denied_services_are_rejected_by_default(pack, type_):
    (v,) = pack.violations(type_, {}, DENIED)
    assert type_ in v.message and "allowedTypes" in v.message
    assert "tens to hundreds" not in v.message  # a vague range, not a figure or an alternative
    assert "It bills every hour it exists" not in v.message  # every default type has its own alternative


@pytest.mark.parametrize(
    "type_,charge,instead",
    [
        ("aws:eks/cluster:Cluster", "EKS cluster bills its control plane every hour", "ECS on Fargate"),
        ("aws-native:rds:DBInstance", "RDS instance or Aurora cluster", "DynamoDB on demand"),
        ("aws:elasticache/serverlessCache:ServerlessCache", "ElastiCache", "DynamoDB on demand reads"),
        (
            "aws-native:ec2:TransitGatewayVpcAttachment",
            "Transit Gateway bills every attachment",
            "one VPC",
        ),
        ("aws:redshift/cluster:Cluster", "Redshift cluster", "Athena over S3"),
        ("aws:msk/serverlessCluster:ServerlessCluster", "MSK cluster", "SQS or SNS"),
        ("aws:networkfirewall/firewall:Firewall", "Network Firewall", "security groups and network ACLs"),
    ],
)
def test_denied_service_messages_name_the_charge_and_a_cheaper_alternative(pack, type_, charge, instead):
    (v,) = pack.violations(type_, {}, DENIED)
    assert charge in v.message and f"Use {instead}" in v.message


def test_a_configured_denied_type_gets_a_generic_alternative(pack):
    pack.configure({DENIED: {"deniedTypes": ["aws:sagemaker/*"]}})
    (v,) = pack.violations("aws:sagemaker/endpoint:Endpoint", {}, DENIED)
    assert "It bills every hour it exists" in v.message and "billed per request" in v.message


@pytest.mark.parametrize(
    "type_", ["aws:dynamodb/table:Table", "aws:ecs/cluster:Cluster", "aws:rds/subnetGroup:SubnetGroup"]
)
def test_cheap_services_are_not_denied(pack, type_):
    assert pack.violations(type_, {}, DENIED) == []


def test_denied_services_config_allows_and_denies(pack):
    pack.configure({DENIED: {"allowedTypes": ["aws:rds/*"]}})
    assert pack.violations("aws:rds/instance:Instance", {}, DENIED) == []
    assert pack.violations("aws:eks/cluster:Cluster", {}, DENIED) != []

    pack.configure({DENIED: {"deniedTypes": ["aws:sqs/*"]}})
    assert pack.violations("aws:sqs/queue:Queue", {}, DENIED) != []
    assert pack.violations("aws:eks/cluster:Cluster", {}, DENIED) == []


def test_configured_native_types_match_every_spelling(pack):
    pack.configure({DENIED: {"deniedTypes": ["aws-native:sqs:Queue", "aws-native:EC2:VPC*"]}})
    assert pack.violations("aws-native:sqs:QUEUE", {}, DENIED) != []
    assert pack.violations("aws-native:ec2:VpcPeeringConnection", {}, DENIED) != []
    pack.configure({DENIED: {"allowedTypes": ["aws-native:neptune:DBCluster"]}})
    assert pack.violations("aws-native:neptune:DbCluster", {}, DENIED) == []
    assert pack.violations("aws-native:neptune:DbInstance", {}, DENIED) != []


def test_enforcement_level_override_changes_the_verdict(pack):
    pack.configure({NAT: "advisory", LB: {"enforcementLevel": "disabled"}})
    (v,) = pack.violations("aws:ec2/natGateway:NatGateway", {}, NAT)
    assert v.enforcement_level == "advisory"
    assert pack.violations("aws:lb/loadBalancer:LoadBalancer", {}, LB) == []
