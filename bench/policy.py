"""Policy pack over gRPC: Analyze throughput and one AnalyzeStack over 5,000 resources.

The engine calls Analyze once per resource, one call at a time (pulumi/pulumi step_generator.go,
`analyzer.Analyze(r)` in `generateSteps`, driven by the deployment executor's single event loop), so
the verdict is on "1 in flight": the median of several rounds, since other work on the machine moves
single rounds a lot. For scale, the same requests against a bare Analyzer server (bench/_bare_analyzer.py)
show what the gRPC round trip itself costs here, both ends Python; the engine's end is Go.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import grpc
from pulumi.runtime.proto import analyzer_pb2_grpc

from costguard.analyzer import PolicyPackProcess, _analyze_request
from costguard.graph import UNKNOWN, Resource, make_urn

ROOT = Path(__file__).resolve().parent.parent
PACK_DIR = ROOT / "policies"

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


TARGET_PER_S = 1_000
TARGET_STACK_S = 2.0
ROUNDS = 5


def _rates(pack: PolicyPackProcess, resources: list[Resource], workers: int, rounds: int) -> list[float]:
    rates = []
    for _ in range(rounds):
        started = time.perf_counter()
        pack.analyze_many(resources, workers=workers)
        rates.append(len(resources) / (time.perf_counter() - started))
    return rates


def _bare_rate(resources: list[Resource]) -> float:
    """Resources/s, 1 in flight, of the same requests against bench/_bare_analyzer.py (no SDK, no policy)."""
    requests = [_analyze_request(r) for r in resources]
    server = subprocess.Popen(
        [sys.executable, "-m", "bench._bare_analyzer"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        port = int(server.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            analyze = analyzer_pb2_grpc.AnalyzerStub(channel).Analyze
            for request in requests[:100]:
                analyze(request, timeout=60)
            rates = []
            for _ in range(3):
                started = time.perf_counter()
                for request in requests:
                    analyze(request, timeout=60)
                rates.append(len(requests) / (time.perf_counter() - started))
            return statistics.median(rates)
    finally:
        server.kill()
        server.wait()


def _in_process_ms(resources: list[Resource], environment: dict[str, str]) -> tuple[float, float]:
    """ms per Analyze call of the SDK's servicer alone (no gRPC): as shipped, then with policies/sdk.py.

    In the environment the engine gives the pack, which the SDK reads on every call. Runs last:
    installing the patch changes the SDK module for the rest of this process.
    """
    from pulumi_policy import EnforcementLevel
    from pulumi_policy import policy as sdk_module

    from policies import sdk
    from policies.pack import PACK_NAME, POLICIES

    requests = [_analyze_request(r) for r in resources]

    def ms_per_call() -> float:
        servicer = sdk_module._PolicyAnalyzerServicer(
            PACK_NAME, "0.0.1", POLICIES, EnforcementLevel.MANDATORY
        )
        for request in requests[:100]:
            servicer.Analyze(request, None)
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            for request in requests:
                servicer.Analyze(request, None)
            timings.append((time.perf_counter() - started) * 1000 / len(requests))
        return min(timings)

    saved = dict(os.environ)
    os.environ.update(environment)
    try:
        shipped = ms_per_call()
        sdk.install(POLICIES)
        return shipped, ms_per_call()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run() -> None:
    resources = synthetic(2000)
    with PolicyPackProcess(PACK_DIR) as pack:
        environment = pack.environment()
        pack.analyze_many(resources[:100])  # warm up
        violations = pack.analyze_many(resources, workers=1)
        serial = _rates(pack, resources, 1, ROUNDS)
        median = statistics.median(serial)
        verdict = "OK" if median >= TARGET_PER_S else "OVER TARGET"
        print(
            f"   Analyze, 1 in flight: median {median:,.0f} resources/s of {ROUNDS} rounds "
            f"(best {max(serial):,.0f}, worst {min(serial):,.0f}; {len(resources)} resources, "
            f"{len(violations)} violations) - target >= {TARGET_PER_S:,}/s "
            f"({1000 / TARGET_PER_S:.2f} ms per call, here {1000 / median:.2f} ms): {verdict}"
        )
        parallel = statistics.median(_rates(pack, resources, 4, 3))
        print(f"   Analyze, 4 in flight: median {parallel:,.0f} resources/s (the engine sends one at a time)")
        stack = synthetic(5000)
        started = time.perf_counter()
        violations = pack.analyze_stack(stack)
        elapsed = time.perf_counter() - started
        verdict = "OK" if elapsed <= TARGET_STACK_S else "OVER TARGET"
        print(
            f"   AnalyzeStack over {len(stack)} resources: {elapsed:.2f} s ({len(violations)} violations: "
            f"{', '.join(sorted({v.policy_name for v in violations})) or 'none'}) "
            f"- target <= {TARGET_STACK_S:g} s: {verdict}"
        )
    load = (
        f", load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        if hasattr(os, "getloadavg")
        else ""
    )
    print(
        f"   for scale: a bare Analyzer server (no SDK, no policy) answers the same requests at "
        f"{_bare_rate(resources):,.0f}/s, 1 in flight{load}"
    )
    shipped, patched = _in_process_ms(resources, environment)
    print(
        f"   the pack's own work per Analyze call (servicer without gRPC, best of 3): {shipped:.3f} ms "
        f"with the SDK as shipped, {patched:.3f} ms with policies/sdk.py (only the policies for the type)"
    )


if __name__ == "__main__":
    run()
