"""The bad programs in tests/programs/policy_*: each one's resource graph is rejected by the pack.

Until `costguard.capture` runs these programs under mocks, each graph below is written by hand to be
exactly what the program registers (type token and camelCase inputs, as Pulumi's mocks receive them).
"""

import json
from pathlib import Path

import pytest

from costguard.analyzer import run_pack
from costguard.graph import Graph, Resource, make_urn

ROOT = Path(__file__).resolve().parents[2]
PACK_DIR = ROOT / "policies"
PROGRAMS = ROOT / "tests" / "programs"

# program -> (the class it instantiates, the policy that must reject it, its resources by hand)
CASES = {
    "policy_nat_gateway": (
        "aws.ec2.NatGateway(",
        "cost-no-nat-gateway",
        [
            (
                "aws:ec2/natGateway:NatGateway",
                "nat",
                {"subnetId": "subnet-0123456789abcdef0", "connectivityType": "private"},
            )
        ],
    ),
    "policy_load_balancer_native": (
        "aws_native.elasticloadbalancingv2.LoadBalancer(",
        "cost-no-load-balancer",
        [
            (
                "aws-native:elasticloadbalancingv2:LoadBalancer",
                "lb",
                {"type": "network", "subnets": ["subnet-0aaa", "subnet-0bbb"], "scheme": "internet-facing"},
            )
        ],
    ),
    "policy_interface_endpoint": (
        "aws.ec2.VpcEndpoint(",
        "cost-no-interface-endpoint",
        [
            (
                "aws:ec2/vpcEndpoint:VpcEndpoint",
                "ecr-api",
                {
                    "vpcId": "vpc-0123456789abcdef0",
                    "vpcEndpointType": "Interface",
                    "subnetIds": ["subnet-0aaa", "subnet-0bbb"],
                    "serviceName": "com.amazonaws.us-east-1.ecr.api",
                    "privateDnsEnabled": True,
                },
            )
        ],
    ),
    "policy_log_retention_native": (
        "aws_native.logs.LogGroup(",
        "cost-log-retention",
        [("aws-native:logs:LogGroup", "app-logs", {"logGroupName": "/app/never-expires"})],
    ),
    "policy_public_ingress": (
        "aws.ec2.SecurityGroup(",
        "security-no-public-ingress",
        [
            (
                "aws:ec2/securityGroup:SecurityGroup",
                "ssh-open",
                {
                    "vpcId": "vpc-0123456789abcdef0",
                    "description": "ssh from anywhere",
                    "ingress": [
                        {"protocol": "tcp", "cidrBlocks": ["0.0.0.0/0"], "fromPort": 22.0, "toPort": 22.0}
                    ],
                },
            )
        ],
    ),
    "policy_iam_wildcard_native": (
        "aws_native.iam.ManagedPolicy(",
        "security-iam-no-wildcard",
        [
            (
                "aws-native:iam:ManagedPolicy",
                "admin",
                {
                    "policyDocument": {
                        "Statement": [{"Resource": "*", "Action": "*", "Effect": "Allow"}],
                        "Version": "2012-10-17",
                    }
                },
            )
        ],
    ),
    "policy_rds_instance": (
        "aws.rds.Instance(",
        "cost-denied-services",
        [
            (
                "aws:rds/instance:Instance",
                "db",
                {
                    "allocatedStorage": 20.0,
                    "username": "app",
                    "engine": "postgres",
                    "skipFinalSnapshot": True,
                    "manageMasterUserPassword": True,
                    "instanceClass": "db.t4g.micro",
                },
            )
        ],
    ),
    "policy_fargate_task_size": (
        "aws.ecs.TaskDefinition(",
        "cost-fargate-task-size",
        [
            (
                "aws:ecs/taskDefinition:TaskDefinition",
                "big",
                {
                    "cpu": "2048",
                    "requiresCompatibilities": ["FARGATE"],
                    "networkMode": "awsvpc",
                    "family": "big",
                    "containerDefinitions": json.dumps(
                        [{"name": "app", "image": "public.ecr.aws/nginx/nginx:latest", "essential": True}]
                    ),
                    "memory": "4096",
                },
            )
        ],
    ),
    "policy_waf_native": (
        "aws_native.wafv2.WebAcl(",
        "cost-no-waf",
        [
            (
                "aws-native:wafv2:WebAcl",
                "acl",
                {
                    "visibilityConfig": {
                        "metricName": "acl",
                        "sampledRequestsEnabled": False,
                        "cloudWatchMetricsEnabled": False,
                    },
                    "defaultAction": {"allow": {}},
                    "scope": "REGIONAL",
                },
            )
        ],
    ),
}


def test_every_program_has_a_case_and_every_case_a_program():
    on_disk = {p.name for p in PROGRAMS.glob("policy_*") if p.is_dir()}
    assert on_disk == set(CASES)


@pytest.mark.parametrize("program", sorted(CASES))
def test_program_is_a_complete_pulumi_project(program):
    folder = PROGRAMS / program
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "__main__.py"):
        assert (folder / name).is_file(), name
    source = (folder / "__main__.py").read_text()
    assert CASES[program][0] in source
    compile(source, str(folder / "__main__.py"), "exec")


def test_every_program_graph_is_rejected_by_its_policy():
    # One pack process for all programs: run_pack per program would start nine.
    from costguard.analyzer import PolicyPackProcess

    with PolicyPackProcess(PACK_DIR) as pack:
        for program, (_, policy, resources) in CASES.items():
            graph = _graph(program, resources)
            found = pack.analyze_many(graph.resources) + pack.analyze_stack(graph.resources)
            mandatory = {v.policy_name for v in found if v.enforcement_level == "mandatory"}
            assert mandatory == {policy}, program


def test_run_pack_reports_a_program_graph_the_same_way():
    program = "policy_nat_gateway"
    found = run_pack(PACK_DIR, _graph(program, CASES[program][2]))
    assert [(v.policy_name, v.urn) for v in found] == [
        ("cost-no-nat-gateway", make_urn("dev", program, "aws:ec2/natGateway:NatGateway", "nat"))
    ]


def _graph(program: str, resources: list) -> Graph:
    return Graph(
        project=program,
        stack="dev",
        config={"aws:region": "us-east-1"},
        resources=[
            Resource(urn=make_urn("dev", program, type_, name), type=type_, name=name, inputs=inputs)
            for type_, name, inputs in resources
        ],
    )
