"""aws-native type tokens are priced in every spelling the provider has used (any letter case)."""

import pytest

from costguard.graph import Graph, Resource
from costguard.pricing import estimate
from costguard.pricing.estimators import load_all
from costguard.pricing.free import is_free_type
from costguard.pricing.tokens import TypeMap, type_key


def priced(*resources):
    graph = Graph("p", "dev", list(resources), {"aws:region": "us-east-1"})
    return {r.name: r for r in estimate(graph).resources}


def test_type_key_folds_only_aws_native_tokens():
    assert type_key("aws-native:ec2:VPCEndpoint") == "aws-native:ec2:vpcendpoint"
    assert type_key("aws:ec2/vpcEndpoint:VpcEndpoint") == "aws:ec2/vpcEndpoint:VpcEndpoint"
    table = TypeMap()
    table["aws-native:wafv2:WebAcl"] = 1
    assert table["aws-native:wafv2:WebACL"] == 1 and "aws-native:WAFv2:WebACL" in table
    assert table.get("aws:wafv2/webAcl:WebACL") is None and table.get(None) is None


@pytest.mark.parametrize(
    ("old", "current", "inputs"),
    [
        ("aws-native:ec2:VPCEndpoint", "aws-native:ec2:VpcEndpoint", {"vpcEndpointType": "Interface"}),
        ("aws-native:ec2:EIP", "aws-native:ec2:Eip", {}),
        ("aws-native:wafv2:WebACL", "aws-native:wafv2:WebAcl", {"rules": [{"name": "r"}]}),
        ("aws-native:EC2:NatGateway", "aws-native:ec2:NatGateway", {}),
        (
            "aws-native:ElasticLoadBalancingV2:LoadBalancer",
            "aws-native:elasticloadbalancingv2:LoadBalancer",
            {},
        ),
    ],
)
def test_old_spellings_are_priced_like_the_current_one(old, current, inputs):
    got = priced(Resource("u1", old, "old", inputs=inputs), Resource("u2", current, "new", inputs=inputs))
    assert got["old"].status == "priced"
    assert (
        got["old"].monthly_after == pytest.approx(got["new"].monthly_after) and got["new"].monthly_after > 0
    )
    assert load_all().get(old) is load_all()[current]


def test_old_spellings_of_free_types_are_free():
    for type_ in (
        "aws-native:ec2:VPC",
        "aws-native:EC2:Subnet",
        "aws-native:IAM:Role",
        "aws-native:ecs:CLUSTER",
    ):
        assert is_free_type(type_), type_
    assert not is_free_type("aws:ec2/VPC:Vpc")  # classic tokens keep their exact spelling
    got = priced(Resource("u", "aws-native:ec2:VPC", "vpc", inputs={"cidrBlock": "10.0.0.0/16"}))
    assert got["vpc"].status == "free"


def test_related_resources_are_found_in_any_spelling():
    # The service estimator looks its task definition up by type: an older spelling of it counts.
    def service(task_type):
        task = Resource(
            "urn:td",
            task_type,
            "td",
            inputs={
                "family": "api",
                "cpu": "1024",
                "memory": "2048",
                "runtimePlatform": {"cpuArchitecture": "ARM64"},
            },
        )
        svc = Resource(
            "urn:svc",
            "aws-native:ECS:Service",
            "svc",
            inputs={"desiredCount": 1, "launchType": "FARGATE", "taskDefinition": "api"},
        )
        return {c.name: c.quantity for c in priced(task, svc)["svc"].after}

    assert service("aws-native:ECS:TaskDefinition") == service("aws-native:ecs:TaskDefinition")
    assert service("aws-native:ECS:TaskDefinition")["vCPU (ARM64, on demand)"] == pytest.approx(730)
