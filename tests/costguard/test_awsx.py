"""costguard.awsx.expand() directly: the children awsx creates by default (sources cited in awsx.py)."""

import json
from collections import Counter

import pytest

from costguard.awsx import EXECUTION_ROLE_POLICY, AwsxError, ExpansionContext, Ref, expand, expandable
from costguard.mock_outputs import DEFAULT_VPC_ID

P = "urn:pulumi:dev::proj::"


def ctx(**kw):
    defaults = {
        "stack": "dev",
        "project": "proj",
        "region": "us-east-1",
        "default_vpc": {
            "vpcId": DEFAULT_VPC_ID,
            "publicSubnetIds": ["subnet-a", "subnet-b"],
            "privateSubnetIds": [],
        },
    }
    return ExpansionContext(**(defaults | kw))


def run(type_, name, inputs, **kw):
    return expand(type_, name, f"{P}{type_}::{name}", inputs, ctx(**kw))


def types(expansion):
    return Counter(r.type for r in expansion.children)


def test_default_vpc_three_azs_nat_and_eip_per_az():
    x = run("awsx:ec2:Vpc", "vpc", {})
    assert types(x) == {
        "aws:ec2/vpc:Vpc": 1,
        "aws:ec2/internetGateway:InternetGateway": 1,
        "aws:ec2/subnet:Subnet": 6,
        "aws:ec2/routeTable:RouteTable": 6,
        "aws:ec2/routeTableAssociation:RouteTableAssociation": 6,
        "aws:ec2/route:Route": 6,
        "aws:ec2/eip:Eip": 3,
        "aws:ec2/natGateway:NatGateway": 3,
    }
    assert all(r.synthesized and r.custom for r in x.children)
    subnets = {r.name: r for r in x.children if r.type == "aws:ec2/subnet:Subnet"}
    # 10.0.0.0/16 split in four /18s (next power of 2 of 3 AZs); private /19 at each base, public /20 after.
    assert {n: (s.inputs["cidrBlock"], s.inputs["availabilityZone"]) for n, s in subnets.items()} == {
        "vpc-private-1": ("10.0.0.0/19", "us-east-1a"),
        "vpc-public-1": ("10.0.32.0/20", "us-east-1a"),
        "vpc-private-2": ("10.0.64.0/19", "us-east-1b"),
        "vpc-public-2": ("10.0.96.0/20", "us-east-1b"),
        "vpc-private-3": ("10.0.128.0/19", "us-east-1c"),
        "vpc-public-3": ("10.0.160.0/20", "us-east-1c"),
    }
    assert subnets["vpc-public-1"].inputs["mapPublicIpOnLaunch"] is True
    assert subnets["vpc-private-1"].inputs["mapPublicIpOnLaunch"] is False
    (vpc,) = [r for r in x.children if r.type == "aws:ec2/vpc:Vpc"]
    assert vpc.urn == f"{P}awsx:ec2:Vpc$aws:ec2/vpc:Vpc::vpc" and vpc.parent == f"{P}awsx:ec2:Vpc::vpc"
    assert vpc.inputs == {"cidrBlock": "10.0.0.0/16", "tags": {"Name": "vpc"}}
    nats = sorted((r for r in x.children if r.type == "aws:ec2/natGateway:NatGateway"), key=lambda r: r.name)
    assert [n.name for n in nats] == ["vpc-1", "vpc-2", "vpc-3"]
    assert (
        nats[0].urn
        == f"{P}awsx:ec2:Vpc$aws:ec2/vpc:Vpc$aws:ec2/subnet:Subnet$aws:ec2/natGateway:NatGateway::vpc-1"
    )
    assert nats[0].parent == subnets["vpc-public-1"].urn
    assert nats[0].inputs["subnetId"] == subnets["vpc-public-1"].outputs["id"]
    private_routes = [r for r in x.children if r.type == "aws:ec2/route:Route" and "natGatewayId" in r.inputs]
    assert sorted(r.inputs["natGatewayId"] for r in private_routes) == sorted(n.outputs["id"] for n in nats)
    assert x.outputs["vpcId"] == vpc.outputs["id"]
    assert x.outputs["privateSubnetIds"] == [subnets[f"vpc-private-{i}"].outputs["id"] for i in (1, 2, 3)]
    assert isinstance(x.outputs["vpc"], Ref) and len(x.outputs["natGateways"]) == 3


@pytest.mark.parametrize(
    ("nat", "expected_nat", "expected_routes"),
    [({"strategy": "Single"}, 1, 6), ({"strategy": "None"}, 0, 3), ({"strategy": "OnePerAz"}, 3, 6)],
)
def test_nat_strategy(nat, expected_nat, expected_routes):
    x = run("awsx:ec2:Vpc", "net", {"natGateways": nat})
    counts = types(x)
    assert counts["aws:ec2/natGateway:NatGateway"] == expected_nat
    assert counts["aws:ec2/eip:Eip"] == expected_nat
    assert counts["aws:ec2/route:Route"] == expected_routes


def test_az_count_cidr_and_existing_eips():
    x = run(
        "awsx:ec2:Vpc",
        "v",
        {
            "numberOfAvailabilityZones": 2,
            "cidrBlock": "10.8.0.0/16",
            "natGateways": {"strategy": "OnePerAz", "elasticIpAllocationIds": ["eipalloc-1", "eipalloc-2"]},
        },
        region="eu-west-1",
    )
    counts = types(x)
    assert counts["aws:ec2/subnet:Subnet"] == 4 and counts["aws:ec2/natGateway:NatGateway"] == 2
    assert "aws:ec2/eip:Eip" not in counts
    nats = sorted((r for r in x.children if r.type == "aws:ec2/natGateway:NatGateway"), key=lambda r: r.name)
    assert [n.inputs["allocationId"] for n in nats] == ["eipalloc-1", "eipalloc-2"]
    zones = {r.inputs["availabilityZone"] for r in x.children if r.type == "aws:ec2/subnet:Subnet"}
    assert zones == {"eu-west-1a", "eu-west-1b"}
    # Two AZs: the /16 splits into two /17s.
    cidrs = sorted(r.inputs["cidrBlock"] for r in x.children if r.type == "aws:ec2/subnet:Subnet")
    assert cidrs == ["10.8.0.0/19", "10.8.128.0/19", "10.8.160.0/20", "10.8.32.0/20"]


def test_public_only_subnets_need_nat_strategy_none():
    with pytest.raises(AwsxError, match="both private and public subnets must be declared"):
        run("awsx:ec2:Vpc", "v", {"subnetSpecs": [{"type": "Public"}]})
    x = run(
        "awsx:ec2:Vpc",
        "v",
        {"subnetSpecs": [{"type": "Public", "cidrMask": 24}], "natGateways": {"strategy": "None"}},
    )
    counts = types(x)
    assert counts["aws:ec2/subnet:Subnet"] == 3 and "aws:ec2/natGateway:NatGateway" not in counts
    assert x.outputs["privateSubnetIds"] == []


def test_vpc_endpoint_specs():
    x = run(
        "awsx:ec2:Vpc",
        "v",
        {
            "natGateways": {"strategy": "None"},
            "vpcEndpointSpecs": [
                {
                    "serviceName": "com.amazonaws.us-east-1.ecr.api",
                    "vpcEndpointType": "Interface",
                    "privateDnsEnabled": True,
                }
            ],
        },
    )
    (endpoint,) = [r for r in x.children if r.type == "aws:ec2/vpcEndpoint:VpcEndpoint"]
    assert endpoint.name == "com.amazonaws.us-east-1.ecr.api"
    assert endpoint.inputs["vpcEndpointType"] == "Interface"


def test_application_load_balancer_defaults():
    lookup = {"subnet-1": {"vpcId": "vpc-9"}}.get
    x = run("awsx:lb:ApplicationLoadBalancer", "web", {"subnetIds": ["subnet-1", "subnet-2"]}, lookup=lookup)
    by_type = {r.type: r for r in x.children}
    assert types(x) == {
        "aws:ec2/securityGroup:SecurityGroup": 1,
        "aws:lb/loadBalancer:LoadBalancer": 1,
        "aws:lb/targetGroup:TargetGroup": 1,
        "aws:lb/listener:Listener": 1,
    }
    sg = by_type["aws:ec2/securityGroup:SecurityGroup"]
    assert sg.inputs["ingress"][0]["cidrBlocks"] == ["0.0.0.0/0"] and sg.inputs["vpcId"] == "vpc-9"
    lb = by_type["aws:lb/loadBalancer:LoadBalancer"]
    assert lb.inputs == {
        "subnets": ["subnet-1", "subnet-2"],
        "securityGroups": [sg.outputs["id"]],
        "loadBalancerType": "application",
    }
    assert lb.outputs["dnsName"].endswith(".us-east-1.elb.amazonaws.com")
    tg = by_type["aws:lb/targetGroup:TargetGroup"]
    assert tg.inputs == {"vpcId": "vpc-9", "targetType": "ip", "port": 80, "protocol": "HTTP"}
    listener = by_type["aws:lb/listener:Listener"]
    assert (
        listener.name == "web-0" and listener.inputs["port"] == 80 and listener.inputs["protocol"] == "HTTP"
    )
    assert listener.inputs["defaultActions"] == [{"type": "forward", "targetGroupArn": tg.outputs["arn"]}]
    assert x.outputs["loadBalancer"] == Ref(lb.urn, lb.outputs["id"])


def test_alb_without_subnets_uses_default_vpc_and_https_listener_port():
    x = run(
        "awsx:lb:ApplicationLoadBalancer", "web", {"listener": {"port": 443, "certificateArn": "arn:cert"}}
    )
    lb = next(r for r in x.children if r.type == "aws:lb/loadBalancer:LoadBalancer")
    assert lb.inputs["subnets"] == ["subnet-a", "subnet-b"]
    listener = next(r for r in x.children if r.type == "aws:lb/listener:Listener")
    assert (listener.inputs["port"], listener.inputs["protocol"]) == (443, "HTTPS")


def test_network_load_balancer():
    x = run("awsx:lb:NetworkLoadBalancer", "nlb", {"subnetIds": ["subnet-1"]})
    assert "aws:ec2/securityGroup:SecurityGroup" not in types(x)
    lb = next(r for r in x.children if r.type == "aws:lb/loadBalancer:LoadBalancer")
    assert lb.inputs["loadBalancerType"] == "network"
    tg = next(r for r in x.children if r.type == "aws:lb/targetGroup:TargetGroup")
    assert (tg.inputs["protocol"], tg.inputs["port"]) == ("TCP", 80)


def test_fargate_service_defaults_log_group_without_retention():
    x = run(
        "awsx:ecs:FargateService",
        "api",
        {"assignPublicIp": True, "taskDefinitionArgs": {"container": {"name": "app", "image": "nginx"}}},
    )
    assert types(x) == {
        "awsx:ecs:FargateTaskDefinition": 1,
        "aws:cloudwatch/logGroup:LogGroup": 1,
        "aws:iam/role:Role": 2,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
        "aws:ecs/taskDefinition:TaskDefinition": 1,
        "aws:ec2/securityGroup:SecurityGroup": 1,
        "aws:ecs/service:Service": 1,
    }
    by_type = {r.type: r for r in x.children}
    log_group = by_type["aws:cloudwatch/logGroup:LogGroup"]
    assert "retentionInDays" not in log_group.inputs
    task_component = by_type["awsx:ecs:FargateTaskDefinition"]
    assert not task_component.custom and task_component.parent == f"{P}awsx:ecs:FargateService::api"
    assert log_group.parent == task_component.urn
    task = by_type["aws:ecs/taskDefinition:TaskDefinition"]
    assert (task.inputs["cpu"], task.inputs["memory"]) == ("256", "512")  # cheapest Fargate size
    assert task.inputs["networkMode"] == "awsvpc" and task.inputs["requiresCompatibilities"] == ["FARGATE"]
    (container,) = json.loads(task.inputs["containerDefinitions"])
    assert container["logConfiguration"]["options"]["awslogs-group"] == log_group.outputs["name"]
    attachment = by_type["aws:iam/rolePolicyAttachment:RolePolicyAttachment"]
    assert attachment.inputs["policyArn"] == EXECUTION_ROLE_POLICY
    # awsx names it <name>-execution-<first 8 hex of sha1(policy ARN)>
    assert (
        attachment.name
        == "api-execution-" + __import__("hashlib").sha1(EXECUTION_ROLE_POLICY.encode()).hexdigest()[:8]
    )
    service = by_type["aws:ecs/service:Service"]
    assert service.inputs["launchType"] == "FARGATE" and service.inputs["desiredCount"] == 1
    sg = by_type["aws:ec2/securityGroup:SecurityGroup"]
    assert sg.name == "api-sg"
    assert service.inputs["networkConfiguration"] == {
        "subnets": ["subnet-a", "subnet-b"],
        "assignPublicIp": True,
        "securityGroups": [sg.outputs["id"]],
    }
    assert service.inputs["taskDefinition"] == task.outputs["arn"]


def test_fargate_service_with_capacity_providers_and_sizes():
    x = run(
        "awsx:ecs:FargateService",
        "api",
        {
            "networkConfiguration": {"subnets": ["s-1"]},
            "desiredCount": 2,
            "capacityProviderStrategies": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
            "taskDefinitionArgs": {"container": {"image": "x", "memory": 3000}, "logGroup": {"skip": True}},
        },
    )
    counts = types(x)
    assert (
        "aws:cloudwatch/logGroup:LogGroup" not in counts
        and "aws:ec2/securityGroup:SecurityGroup" not in counts
    )
    service = next(r for r in x.children if r.type == "aws:ecs/service:Service")
    assert "launchType" not in service.inputs and service.inputs["desiredCount"] == 2
    task = next(r for r in x.children if r.type == "aws:ecs/taskDefinition:TaskDefinition")
    # 3000 MiB needs >= 2.93 GB: 0.25 vCPU tops out at 2 GB, so the cheapest fit is 0.5 vCPU / 3 GB.
    assert (task.inputs["cpu"], task.inputs["memory"]) == ("512", "3072")


def test_fargate_service_default_vpc_without_private_subnets_fails_like_awsx():
    with pytest.raises(AwsxError, match="The default VPC does not have any private subnets"):
        run("awsx:ecs:FargateService", "api", {"taskDefinitionArgs": {"container": {"image": "x"}}})


def test_repository_lifecycle_policy_and_image():
    x = run("awsx:ecr:Repository", "Api", {"forceDelete": True})
    repo = next(r for r in x.children if r.type == "aws:ecr/repository:Repository")
    policy = next(r for r in x.children if r.type == "aws:ecr/lifecyclePolicy:LifecyclePolicy")
    assert repo.name == "api" and policy.name == "api"
    assert json.loads(policy.inputs["policy"]) == {
        "rules": [
            {
                "rulePriority": 1,
                "description": "remove untagged images",
                "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1},
                "action": {"type": "expire"},
            }
        ]
    }
    assert x.outputs["url"] == repo.outputs["repositoryUrl"]
    assert x.outputs["url"].startswith("123456789012.dkr.ecr.us-east-1.amazonaws.com/api-")
    skipped = run("awsx:ecr:Repository", "r", {"lifecyclePolicy": {"skip": True}})
    assert types(skipped) == {"aws:ecr/repository:Repository": 1}

    image = run("awsx:ecr:Image", "img", {"repositoryUrl": x.outputs["url"], "context": "./app"})
    assert types(image) == {"docker-build:index:Image": 1}
    uri = image.outputs["imageUri"]
    assert uri.startswith(x.outputs["url"] + "@sha256:") and len(uri.split("@sha256:")[1]) == 64


def test_default_vpc_creates_nothing_and_unknown_types_are_not_expandable():
    x = run("awsx:ec2:DefaultVpc", "default", {})
    assert x.children == [] and x.outputs["vpcId"] == DEFAULT_VPC_ID
    assert not expandable("awsx:cloudtrail:Trail") and expandable("awsx:ecr:Image")


def test_subnet_specs_with_size_and_isolated_subnets():
    x = run(
        "awsx:ec2:Vpc",
        "v",
        {
            "numberOfAvailabilityZones": 2,
            "natGateways": {"strategy": "Single"},
            "subnetSpecs": [
                {"type": "Public", "size": 256},
                {"type": "Private", "cidrMask": 20},
                {"type": "Isolated"},
            ],
        },
    )
    subnets = [r for r in x.children if r.type == "aws:ec2/subnet:Subnet"]
    assert sorted(s.name for s in subnets) == [
        "v-isolated-1",
        "v-isolated-2",
        "v-private-1",
        "v-private-2",
        "v-public-1",
        "v-public-2",
    ]
    masks = {s.name: s.inputs["cidrBlock"].split("/")[1] for s in subnets}
    assert masks["v-public-1"] == "24" and masks["v-private-1"] == "20" and masks["v-isolated-1"] == "24"
    # Isolated subnets get no route; one NAT gateway serves both private subnets.
    routes = [r for r in x.children if r.type == "aws:ec2/route:Route"]
    assert len(routes) == 4
    assert len(x.outputs["isolatedSubnetIds"]) == 2 and len(x.outputs["natGateways"]) == 1


@pytest.mark.parametrize("strategy", ["Bogus", "onePerAZ-ish", "OnePerAz "])
def test_unknown_nat_strategy_is_awsx_own_error(strategy):
    with pytest.raises(AwsxError, match=f"^Unknown NatGatewayStrategy '{strategy}'$"):
        run("awsx:ec2:Vpc", "vpc", {"natGateways": {"strategy": strategy}})


@pytest.mark.parametrize(
    "nat, message",
    [
        (
            {"strategy": "None", "elasticIpAllocationIds": ["e1"]},
            "cannot be specified when NAT Gateway strategy",
        ),
        (
            {"strategy": "Single", "elasticIpAllocationIds": ["e1", "e2"]},
            "Exactly one Elastic IP may be specified",
        ),
        (
            {"elasticIpAllocationIds": ["e1"]},
            r"must match the number of availability zones for the VPC \(3\)",
        ),
    ],
)
def test_elastic_ip_ids_are_validated_like_awsx(nat, message):
    with pytest.raises(AwsxError, match=message):
        run("awsx:ec2:Vpc", "vpc", {"natGateways": nat})


def _awsx_reference_size(cpu_units, memory_mb, weights):
    """fargateMemoryAndCpu.ts as written: every size, sorted by a weighted cost, first that fits."""
    sizes = [(0.25, [0.5, 1, 2])] + [
        (vcpu, range(low, high + 1))
        for vcpu, low, high in ((0.5, 1, 4), (1, 2, 8), (2, 4, 16), (4, 8, 30), (8, 16, 60), (16, 32, 120))
    ]
    configs = sorted(
        ((weights[0] * vcpu + weights[1] * gb, vcpu, gb) for vcpu, gbs in sizes for gb in gbs),
        key=lambda c: c[0],
    )
    want_vcpu, want_gb = cpu_units / 1024, memory_mb / 1024
    vcpu, gb = next((v, g) for _, v, g in configs if v >= want_vcpu and g >= want_gb)
    return str(int(vcpu * 1024)), str(int(gb * 1024))


@pytest.mark.parametrize("weights", [(0.04048, 0.004445), (1.0, 1.0), (0.001, 5.0), (5.0, 0.001)])
def test_fargate_size_needs_no_price_to_match_awsx(weights):
    from costguard.awsx import _fargate_size

    # awsx weighs vCPU and GB by literals in its source; any positive weights pick the same size.
    for cpu in (0, 1, 256, 300, 512, 1024, 1500, 2048, 4096, 8192, 16384):
        for memory in (0, 256, 512, 700, 1024, 2048, 3000, 4096, 9000, 30720, 61440, 122880):
            containers = [{"cpu": cpu, "memory": memory}]
            assert _fargate_size(containers) == _awsx_reference_size(cpu, memory, weights), (cpu, memory)


def test_awsx_expansion_holds_no_price_literal():
    from pathlib import Path

    import costguard.awsx

    source = Path(costguard.awsx.__file__).read_text()
    assert "0.04048" not in source and "0.004445" not in source


def test_fargate_size_beyond_the_largest_is_awsx_error():
    from costguard.awsx import _fargate_size

    with pytest.raises(AwsxError, match="exceed the maximum allowed for Fargate. Requested: 32 vCPU and 1GB"):
        _fargate_size([{"cpu": 32768, "memory": 1024}])
