"""Policy pack over gRPC: Analyze throughput and one AnalyzeStack over 5,000 resources."""

from __future__ import annotations

import json
import time
from pathlib import Path

from costguard.analyzer import PolicyPackProcess
from costguard.graph import UNKNOWN, Resource, make_urn

PACK_DIR = Path(__file__).resolve().parent.parent / "policies"

# A mix like a real stack: mostly cheap resources, some that policies inspect closely, a few violations.
_ROLE_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:UpdateItem"],
                "Resource": "arn:aws:dynamodb:*",
            }
        ],
    }
)
_CONTAINERS = json.dumps([{"name": "api", "image": "x", "privileged": False}])
_TEMPLATES = [
    (
        "aws:ec2/securityGroup:SecurityGroup",
        {
            "vpcId": UNKNOWN,
            "ingress": [{"protocol": "tcp", "fromPort": 8080, "toPort": 8080, "securityGroups": [UNKNOWN]}],
        },
    ),
    ("aws:cloudwatch/logGroup:LogGroup", {"name": "/ecs/api", "retentionInDays": 14}),
    (
        "aws:ecs/taskDefinition:TaskDefinition",
        {
            "cpu": "256",
            "memory": "512",
            "requiresCompatibilities": ["FARGATE"],
            "containerDefinitions": _CONTAINERS,
        },
    ),
    ("aws:ecs/service:Service", {"desiredCount": 1, "cluster": UNKNOWN}),
    ("aws:iam/rolePolicy:RolePolicy", {"role": UNKNOWN, "policy": _ROLE_POLICY}),
    (
        "aws:apigatewayv2/stage:Stage",
        {
            "name": "$default",
            "defaultRouteSettings": {"throttlingRateLimit": 50, "throttlingBurstLimit": 100},
            "accessLogSettings": {"destinationArn": UNKNOWN, "format": "{}"},
        },
    ),
    ("aws:ec2/subnet:Subnet", {"cidrBlock": "10.0.0.0/24", "mapPublicIpOnLaunch": True}),
    ("aws:dynamodb/table:Table", {"billingMode": "PAY_PER_REQUEST", "hashKey": "cell"}),
    ("aws:ec2/natGateway:NatGateway", {"subnetId": UNKNOWN}),
    ("aws:ec2/vpcEndpoint:VpcEndpoint", {"serviceName": "com.amazonaws.us-east-1.dynamodb"}),
]


def synthetic(n: int) -> list[Resource]:
    resources = []
    for i in range(n):
        type_, props = _TEMPLATES[i % len(_TEMPLATES)]
        name = f"r{i}"
        resources.append(
            Resource(urn=make_urn("bench", "bench", type_, name), type=type_, name=name, inputs=props)
        )
    return resources


def run() -> None:
    with PolicyPackProcess(PACK_DIR) as pack:
        resources = synthetic(2000)
        pack.analyze_many(resources[:100])  # warm up
        for workers in (1, 4):
            started = time.perf_counter()
            violations = pack.analyze_many(resources, workers=workers)
            elapsed = time.perf_counter() - started
            print(
                f"   Analyze, {workers} in flight: {len(resources) / elapsed:,.0f} resources/s "
                f"({len(resources)} resources, {len(violations)} violations; target >= 1,000/s)"
            )
        stack = synthetic(5000)
        started = time.perf_counter()
        violations = pack.analyze_stack(stack)
        elapsed = time.perf_counter() - started
        print(
            f"   AnalyzeStack over {len(stack)} resources: {elapsed:.2f} s ({len(violations)} violations; "
            "target <= 2 s)"
        )


if __name__ == "__main__":
    run()
