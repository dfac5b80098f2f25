"""policies/sdk.py: Analyze converts a request once for all policies, with responses unchanged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from costguard.graph import UNKNOWN

ROOT = Path(__file__).resolve().parents[2]

# A secret as the engine marshals it (pulumi/pulumi sdk/go/common/resource/plugin/rpc.go, sig.Secret).
_SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "s3cr3t"}


def _corpus() -> list:
    """Analyze requests of every kind the pack judges: passing, violating, unknown, secret, with provider."""
    from pulumi.runtime.proto import analyzer_pb2

    from bench.policy import synthetic
    from costguard.analyzer import _analyze_request
    from costguard.graph import Resource, make_urn

    extra = [
        ("aws:ecs/taskDefinition:TaskDefinition", {"cpu": "4096", "memory": "8192", "containerDefinitions":
            json.dumps([{"name": "a", "privileged": True}]), "requiresCompatibilities": ["FARGATE"]}),
        ("aws:ec2/securityGroup:SecurityGroup",
         {"ingress": [{"protocol": "-1", "cidrBlocks": ["0.0.0.0/0"]}]}),
        ("aws:iam/role:Role", {"inlinePolicies": [{"policy": json.dumps(
            {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})}]}),
        ("aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": UNKNOWN}),
        ("aws:cloudwatch/logGroup:LogGroup", {"name": _SECRET}),
        ("aws:rds/instance:Instance", {"instanceClass": "db.t4g.micro"}),
        ("aws:appautoscaling/target:Target", {"serviceNamespace": "ecs", "maxCapacity": 9}),
        ("aws:apigatewayv2/stage:Stage", {"defaultRouteSettings": UNKNOWN}),
        ("aws:ecr/repository:Repository", {"imageScanningConfiguration": {"scanOnPush": False}}),
    ]  # fmt: skip
    resources = synthetic(40) + [
        Resource(urn=make_urn("dev", "p", t, f"x{i}"), type=t, name=f"x{i}", inputs=props, parent="urn:p")
        for i, (t, props) in enumerate(extra)
    ]
    requests = [_analyze_request(r) for r in resources]
    with_provider = _analyze_request(resources[-1])
    with_provider.provider.CopyFrom(
        analyzer_pb2.AnalyzerProviderResource(
            urn="urn:pulumi:dev::p::pulumi:providers:aws::default", type="aws"
        )
    )
    with_provider.provider.properties.update({"region": "eu-west-1", "secretKey": _SECRET})
    return [*requests, with_provider]


def _responses(servicer: object, requests: list) -> list[bytes]:
    return [servicer.Analyze(r, None).SerializeToString(deterministic=True) for r in requests]


def compare_in_this_process() -> dict:
    """Responses of the SDK's servicer before and after `sdk.install()`, and conversions per request."""
    from google.protobuf import json_format
    from pulumi.runtime.proto import analyzer_pb2
    from pulumi_policy import EnforcementLevel
    from pulumi_policy import policy as sdk_module

    from policies import sdk
    from policies.pack import PACK_NAME, POLICIES

    levels = {
        EnforcementLevel.ADVISORY: analyzer_pb2.ADVISORY,
        EnforcementLevel.MANDATORY: analyzer_pb2.MANDATORY,
    }

    def servicer() -> object:
        s = sdk_module._PolicyAnalyzerServicer(PACK_NAME, "0.0.1", POLICIES, EnforcementLevel.MANDATORY)
        configure = analyzer_pb2.ConfigureAnalyzerRequest()
        for policy in POLICIES:
            entry = configure.policyConfig[policy.name]
            entry.enforcementLevel = levels[policy.enforcement_level]
            schema = policy.config_schema.properties if policy.config_schema else {}
            entry.properties.update({k: v["default"] for k, v in schema.items() if "default" in v})
        s.Configure(configure, None)
        return s

    calls = [0]
    real = json_format.MessageToDict

    def counting(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)

    requests = _corpus()
    sdk_module.json_format = type("Counting", (), {"MessageToDict": staticmethod(counting)})()
    plain = servicer()
    calls[0] = 0
    before = _responses(plain, requests)
    conversions_before = calls[0]
    sdk.install(POLICIES)  # wraps the counting stand-in, so the count below is of real conversions
    patched = servicer()
    calls[0] = 0
    after = _responses(patched, requests)
    conversions_after = calls[0]
    # Several calls in flight (the SDK's server runs 4 threads): each thread keeps its own last call.
    in_flight: dict[int, bytes] = {}

    def worker(offset: int) -> None:
        for i in range(offset, len(requests), 4):
            in_flight[i] = patched.Analyze(requests[i], None).SerializeToString(deterministic=True)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "requests": len(requests),
        "identical": before == after,
        "identical_in_flight": [in_flight[i] for i in range(len(requests))] == before,
        "violations": sum(len(analyzer_pb2.AnalyzeResponse.FromString(b).diagnostics) for b in before),
        "conversions_before": conversions_before,
        "conversions_after": conversions_after,
    }


def test_the_patch_leaves_every_response_identical_and_converts_each_request_once():
    # In a fresh interpreter: install() changes the SDK module for the life of the process.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, __file__], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["identical"] and result["identical_in_flight"], result
    assert result["violations"] >= 10  # the corpus exercises violating paths, not only passing ones
    n = result["requests"]
    # Before: one conversion per resource policy per request (17 of them, and as many of the provider's
    # properties); after: one per request, and for the request with a provider, its provider's
    # properties once and its own once more (the provider's came in between: a one-entry memo).
    assert result["conversions_before"] >= 15 * (n + 1)
    assert result["conversions_after"] == n + 2


def test_same_as_last_call_keys_on_identity_per_thread():
    from policies.sdk import same_as_last_call

    seen = []

    def convert(x, flag=False):
        seen.append(x)
        return {"x": x}

    once = same_as_last_call(convert)
    a, b = ["a"], ["a"]  # equal, not identical
    assert once(a) is once(a) and len(seen) == 1
    assert once(b) == once(a) and len(seen) == 3  # b, then a again
    once(a, flag=True)  # keyword arguments are never memoized
    assert len(seen) == 4
    other: list = []
    thread = threading.Thread(target=lambda: other.append(once(a)))
    thread.start()
    thread.join()
    assert len(seen) == 5 and other[0] is not once(a)  # another thread converts for itself


def test_analyze_in_flight_gives_the_same_violations_as_one_at_a_time(pack):
    """Over the Analyzer protocol: the pack's server runs 4 threads, each with its own last call."""
    from bench.policy import synthetic

    resources = synthetic(200)
    serial = pack.process.analyze_many(resources, workers=1)
    parallel = pack.process.analyze_many(resources, workers=4)
    assert serial and sorted(map(repr, serial)) == sorted(map(repr, parallel))


# A pack whose one policy reports what `pulumi.runtime` tells it: the stack, the project, preview or
# not, and a stack config value. PATCH is replaced by the test: with and without policies/sdk.py.
_SETTINGS_PACK = """
import sys
sys.path.insert(0, {root!r})
import pulumi
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

def report(args, violation):
    stack = f"{{pulumi.get_project()}}/{{pulumi.get_stack()}}"
    violation(f"{{stack}} dry_run={{pulumi.runtime.is_dry_run()}} {{pulumi.Config('aws').get('region')}}")

POLICIES = [ResourceValidationPolicy(name="settings", description="Reports.", validate=report)]
PATCH
PolicyPack(name="settings", enforcement_level=EnforcementLevel.MANDATORY, policies=POLICIES)
"""


@pytest.mark.parametrize("patch", ["from policies import sdk; sdk.install(POLICIES)", ""])
def test_policies_read_the_stack_settings_on_every_call(tmp_path, patch):
    """Settings configured once (policies/sdk.py) still reach every call: each runs in a fresh context."""
    from costguard.analyzer import PolicyPackProcess
    from tests.policies.conftest import resource

    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text(_SETTINGS_PACK.format(root=str(ROOT)).replace("PATCH", patch))
    with PolicyPackProcess(
        tmp_path, project="heatmap", stack="prod", stack_config={"aws:region": "eu-west-1"}
    ) as process:
        messages = [
            v.message.splitlines()[-1]  # the SDK puts the description first
            for _ in range(6)  # more calls than the server has threads
            for v in process.analyze(resource("aws:s3/bucket:Bucket", {}))
        ]
        stack = [v.message for v in process.analyze_stack([resource("aws:s3/bucket:Bucket", {})])]
    assert messages == ["heatmap/prod dry_run=True eu-west-1"] * 6
    assert stack == []  # no stack policy and a clean config: AnalyzeStack ran without failing


def test_runtime_settings_are_configured_again_when_the_environment_changes(monkeypatch):
    from policies.sdk import once_per_environment

    runs = []
    configure = once_per_environment(lambda self: runs.append(self))
    monkeypatch.setenv("PULUMI_STACK", "dev")
    configure("a")
    configure("b")
    assert runs == ["a"]
    monkeypatch.setenv("PULUMI_CONFIG", '{"aws:region": "eu-west-1"}')
    configure("c")
    configure("d")
    assert runs == ["a", "c"]


if __name__ == "__main__":
    print(json.dumps(compare_in_this_process()))
