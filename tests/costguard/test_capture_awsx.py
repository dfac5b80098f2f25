"""capture() of programs using awsx components: synthesized children, and outputs programs can use."""

from collections import Counter
from pathlib import Path

import pytest

from costguard.capture import capture

PROGRAMS = Path(__file__).resolve().parents[1] / "programs"
VPC_PROGRAM = PROGRAMS / "capture_awsx_default_vpc"


@pytest.fixture(scope="module")
def alb():
    return capture(PROGRAMS / "capture_alb", "dev")


def outputs(graph):
    return graph.of_type("pulumi:pulumi:Stack")[0].outputs


@pytest.mark.parametrize(("stack", "nat_gateways"), [("dev", 3), ("single", 1), ("none", 0)])
def test_default_vpc_nat_gateways_follow_the_strategy(stack, nat_gateways):
    graph = capture(VPC_PROGRAM, stack)
    counts = Counter(r.type for r in graph.resources)
    assert counts["aws:ec2/natGateway:NatGateway"] == nat_gateways
    assert counts["aws:ec2/eip:Eip"] == nat_gateways
    assert counts["aws:ec2/subnet:Subnet"] == 6
    (component,) = graph.of_type("awsx:ec2:Vpc")
    assert component.remote and not component.custom and not component.synthesized
    assert component.urn == f"urn:pulumi:{stack}::capture-awsx-vpc::awsx:ec2:Vpc::vpc"
    # The program read resource-valued outputs: the NAT gateway list and the first subnet's CIDR.
    assert outputs(graph)["natGatewayCount"] == nat_gateways
    assert outputs(graph)["firstSubnetCidr"] == "10.0.32.0/20"
    assert len(outputs(graph)["privateSubnetIds"]) == 3
    region = "us-east-1" if stack == "dev" else "eu-west-1"
    zones = {s.inputs["availabilityZone"] for s in graph.of_type("aws:ec2/subnet:Subnet")}
    assert zones == {f"{region}a", f"{region}b", f"{region}c"}


def test_synthesized_children_are_parented_and_can_be_left_out():
    graph = capture(VPC_PROGRAM, "dev", expand_awsx=False)
    assert Counter(r.type for r in graph.resources) == {"pulumi:pulumi:Stack": 1, "awsx:ec2:Vpc": 1}


def test_alb_program_inventory(alb):
    synthesized = Counter(r.type for r in alb.resources if r.synthesized)
    assert synthesized["aws:lb/loadBalancer:LoadBalancer"] == 1
    assert synthesized["aws:lb/listener:Listener"] == 1
    assert synthesized["aws:lb/targetGroup:TargetGroup"] == 1
    assert synthesized["aws:ec2/natGateway:NatGateway"] == 1  # strategy Single
    assert synthesized["aws:ecs/service:Service"] == 1
    assert synthesized["aws:cloudwatch/logGroup:LogGroup"] == 1
    assert synthesized["aws:ecr/lifecyclePolicy:LifecyclePolicy"] == 1
    (cluster,) = alb.of_type("aws:ecs/cluster:Cluster")
    assert not cluster.synthesized


def test_alb_children_inputs(alb):
    (lb,) = alb.of_type("aws:lb/loadBalancer:LoadBalancer")
    assert lb.parent == "urn:pulumi:dev::capture-alb::awsx:lb:ApplicationLoadBalancer::web"
    assert lb.inputs["loadBalancerType"] == "application"
    public_ids = {
        s.outputs["id"] for s in alb.of_type("aws:ec2/subnet:Subnet") if s.inputs["mapPublicIpOnLaunch"]
    }
    assert set(lb.inputs["subnets"]) == public_ids
    (vpc,) = alb.of_type("aws:ec2/vpc:Vpc")
    (tg,) = alb.of_type("aws:lb/targetGroup:TargetGroup")
    assert tg.inputs["vpcId"] == vpc.outputs["id"]
    (sg,) = [g for g in alb.of_type("aws:ec2/securityGroup:SecurityGroup") if g.parent == lb.parent]
    assert sg.inputs["ingress"][0]["cidrBlocks"] == ["0.0.0.0/0"]
    (log_group,) = alb.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert "retentionInDays" not in log_group.inputs
    (task,) = alb.of_type("aws:ecs/taskDefinition:TaskDefinition")
    assert (task.inputs["cpu"], task.inputs["memory"]) == ("512", "1024")
    (service,) = alb.of_type("aws:ecs/service:Service")
    assert service.inputs["launchType"] == "FARGATE"
    assert service.inputs["loadBalancers"] == [
        {"targetGroupArn": tg.outputs["arn"], "containerName": "api", "containerPort": 80}
    ]
    private_ids = {
        s.outputs["id"] for s in alb.of_type("aws:ec2/subnet:Subnet") if not s.inputs["mapPublicIpOnLaunch"]
    }
    assert set(service.inputs["networkConfiguration"]["subnets"]) == private_ids


def test_alb_program_outputs_resolve_through_resource_references(alb):
    out = outputs(alb)
    (lb,) = alb.of_type("aws:lb/loadBalancer:LoadBalancer")
    (listener,) = alb.of_type("aws:lb/listener:Listener")
    (repo,) = alb.of_type("aws:ecr/repository:Repository")
    assert out["url"] == f"http://{lb.outputs['dnsName']}"
    assert out["listenerArn"] == listener.outputs["arn"]
    assert out["repositoryUrl"] == repo.outputs["repositoryUrl"]
    assert out["imageUri"].startswith(repo.outputs["repositoryUrl"] + "@sha256:")
    (task,) = alb.of_type("aws:ecs/taskDefinition:TaskDefinition")
    assert out["taskDefinitionFamily"] == task.inputs["family"]


def test_unknown_nat_strategy_fails_with_awsx_message(tmp_path):
    import shutil

    from costguard.capture import CaptureError

    program = tmp_path / "vpc"
    shutil.copytree(VPC_PROGRAM, program)
    (program / "Pulumi.bogus.yaml").write_text("config:\n  capture-awsx-vpc:natStrategy: Bogus\n")
    with pytest.raises(CaptureError) as err:
        capture(program, "bogus")
    assert "Unknown NatGatewayStrategy 'Bogus'" in str(err.value) and "IndexError" not in str(err.value)
