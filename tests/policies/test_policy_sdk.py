"""policies/sdk.py: Analyze runs only the policies for the resource's type, with responses unchanged."""

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


def _edge_policies() -> list:
    """Policies that take each path of the SDK's Analyze loop, to compare it with policies/sdk.py's."""
    import pulumi
    from pulumi_policy import EnforcementLevel, PolicyConfigSchema, StackValidationPolicy
    from pulumi_policy import ResourceValidationPolicy as Policy

    from policies.support import resource_policy, types

    def unknown(args, report):  # reads an unknown value: the SDK reports an advisory
        report(f"size {args.props['size']}")

    async def later(args, report):
        report(f"async {args.name}")

    def skip(args, report):
        args.not_applicable(f"not for {args.resource_type}")

    def normalize(args, report):  # writes to its props and the provider's: the next policy must not see it
        args.props["acl"] = "public-read"
        if args.provider:
            args.provider.props["region"] = "us-east-1"

    def acl(args, report):
        report(f"acl {args.props.get('acl')} region {args.provider and args.provider.props.get('region')}")

    def move(args, report):  # changes the stack config: the next call must read the stack's again
        pulumi.runtime.set_config("aws:region", "us-east-1")

    def region(args, report):
        report(f"region {pulumi.Config('aws').get('region')} stack {pulumi.get_stack()}")

    fix_buckets = Policy(name="fix-buckets", description="Remediates buckets.", remediate=lambda args: None)
    fix_buckets.resource_types = types("aws:s3/bucket:Bucket")

    def report_all(args, report):
        provider = args.provider.urn if args.provider else None
        report(f"{args.resource_type} {dict(args.get_config() or {})} {args.opts.parent} {provider}")
        report("", "urn:pulumi:dev::p::aws:s3/bucket:Bucket::other")

    return [
        Policy(name="unknown", description="Unknown.", validate=unknown),
        Policy(name="later", description="Async.", validate=later),
        Policy(name="skip", description="Skips.", validate=skip),
        Policy(name="fix", description="Remediates only.", remediate=lambda args: args.props),
        Policy(
            name="off", description="Disabled.", enforcement_level=EnforcementLevel.DISABLED,
            validate=report_all,
        ),
        Policy(name="configured-off", description="Disabled by config.", validate=report_all),
        Policy(
            name="remediate", description="Remediate level.", enforcement_level=EnforcementLevel.REMEDIATE,
            validate=report_all,
        ),
        Policy(
            name="config", description="Configured.", validate=report_all,
            config_schema=PolicyConfigSchema(properties={"limit": {"type": "integer", "default": 3}}),
        ),
        Policy(name="two", description="Two validations.", validate=[report_all, skip]),
        resource_policy(
            "typed", "Buckets only.", EnforcementLevel.MANDATORY,
            types("aws:s3/bucket:Bucket", "aws-native:s3:Bucket"),
            lambda props, config, type_: [f"{type_} acl {props.get('acl')}"],
        ),
        Policy(name="normalize", description="Writes.", validate=normalize),
        Policy(name="acl", description="Reads.", validate=acl),
        Policy(name="region", description="Region.", validate=region),
        Policy(name="move", description="Moves.", validate=move),
        fix_buckets,
        StackValidationPolicy(name="stack", description="A stack policy.", validate=lambda args, rep: None),
    ]  # fmt: skip


def _edge_requests() -> list:
    from pulumi.runtime.proto import analyzer_pb2

    from costguard.analyzer import _analyze_request
    from costguard.graph import Resource, make_urn

    resources = [
        ("aws:s3/bucket:Bucket", {"acl": "private", "size": UNKNOWN}),
        ("aws-native:S3:Bucket", {"size": 3}),
        ("aws:dynamodb/table:Table", {"size": 1, "tags": {"a": "b"}}),
    ]
    requests = [
        _analyze_request(Resource(urn=make_urn("dev", "p", t, f"e{i}"), type=t, name=f"e{i}", inputs=props,
                                  parent="urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"))
        for i, (t, props) in enumerate(resources)
    ]  # fmt: skip
    requests[2].provider.CopyFrom(
        analyzer_pb2.AnalyzerProviderResource(
            urn="urn:pulumi:dev::p::pulumi:providers:aws::default", type="aws"
        )
    )
    return requests


def _servicer(sdk_module: object, name: str, policies: list, disabled: tuple = ()) -> object:
    """The SDK's servicer, configured as the engine does: each policy's level and schema defaults."""
    from pulumi.runtime.proto import analyzer_pb2
    from pulumi_policy import EnforcementLevel

    levels = {
        EnforcementLevel.ADVISORY: analyzer_pb2.ADVISORY,
        EnforcementLevel.MANDATORY: analyzer_pb2.MANDATORY,
        EnforcementLevel.REMEDIATE: analyzer_pb2.REMEDIATE,
        EnforcementLevel.DISABLED: analyzer_pb2.DISABLED,
    }
    s = sdk_module._PolicyAnalyzerServicer(name, "0.0.1", policies, EnforcementLevel.MANDATORY)
    configure = analyzer_pb2.ConfigureAnalyzerRequest()
    for policy in policies:
        entry = configure.policyConfig[policy.name]
        level = EnforcementLevel.DISABLED if policy.name in disabled else policy.enforcement_level
        entry.enforcementLevel = levels[level or EnforcementLevel.MANDATORY]
        schema = policy.config_schema.properties if policy.config_schema else {}
        entry.properties.update({k: v["default"] for k, v in schema.items() if "default" in v})
    s.Configure(configure, None)
    return s


def compare_in_this_process() -> dict:
    """Responses of the SDK's Analyze and of policies/sdk.py's, and conversions per request."""
    from google.protobuf import json_format
    from pulumi.runtime.proto import analyzer_pb2
    from pulumi_policy import policy as sdk_module

    from policies import sdk
    from policies.pack import PACK_NAME, POLICIES

    calls = [0]
    real = json_format.MessageToDict

    def counting(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)

    # The environment the engine gives a pack (analyzer_plugin.go constructEnv), read on every call.
    os.environ.update(
        PULUMI_PROJECT="p",
        PULUMI_STACK="dev",
        PULUMI_DRY_RUN="true",
        PULUMI_CONFIG='{"aws:region": "eu-west-1"}',
    )
    requests, edge_requests, edge_policies = _corpus(), _edge_requests(), _edge_policies()
    sdk_module.json_format = type("Counting", (), {"MessageToDict": staticmethod(counting)})()

    def run() -> tuple[list[bytes], list[bytes], int]:
        pack = _servicer(sdk_module, PACK_NAME, POLICIES)
        calls[0] = 0
        responses = _responses(pack, requests)
        conversions = calls[0]
        edge = _responses(_servicer(sdk_module, "edge", edge_policies, ("configured-off",)), edge_requests)
        return responses, edge, conversions

    def failure() -> str:
        """The error of a call whose properties cannot be converted, when the one policy is skipped."""
        typed = [p for p in edge_policies if p.name == "typed"]
        request = _edge_requests()[2]  # a table: the typed policy is for buckets
        request.properties.update({"ref": {"4dabf18193072939515e22adb298388d": "0000"}})
        try:
            _servicer(sdk_module, "edge", typed).Analyze(request, None)
        except Exception as err:  # noqa: BLE001 - the error itself is what is compared
            return f"{type(err).__name__}: {err}"
        return "no error"

    before, edge_before, conversions_before = run()
    failure_before = failure()
    sdk.install(POLICIES)
    after, edge_after, conversions_after = run()
    failure_after = failure()
    # Several calls in flight (the SDK's server runs 4 threads).
    patched = _servicer(sdk_module, PACK_NAME, POLICIES)
    in_flight: dict[int, bytes] = {}

    def worker(offset: int) -> None:
        for i in range(offset, len(requests), 4):
            in_flight[i] = patched.Analyze(requests[i], None).SerializeToString(deterministic=True)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    edge = [analyzer_pb2.AnalyzeResponse.FromString(b) for b in edge_before]
    return {
        "requests": len(requests),
        "identical": before == after,
        "identical_in_flight": [in_flight[i] for i in range(len(requests))] == before,
        "identical_edge": edge_before == edge_after,
        "failures": [failure_before, failure_after],
        "violations": sum(len(analyzer_pb2.AnalyzeResponse.FromString(b).diagnostics) for b in before),
        "edge_messages": [[d.message for d in r.diagnostics] for r in edge],
        "edge_levels": [[(d.policyName, d.enforcementLevel) for d in r.diagnostics] for r in edge],
        "edge_not_applicable": [[(n.policy_name, n.reason) for n in r.not_applicable] for r in edge],
        "conversions_before": conversions_before,
        "conversions_after": conversions_after,
        # One conversion per policy that runs on a request (the provider's properties too, if any): the
        # policies whose declared types take the request's, and those that declare none.
        "conversions_expected": sum(
            1 + r.HasField("provider")
            for r in requests
            for policy in POLICIES
            if isinstance(policy, sdk_module.ResourceValidationPolicy)
            and r.type in getattr(policy, "resource_types", [r.type])
        ),
    }


@pytest.fixture(scope="module")
def comparison() -> dict:
    # In a fresh interpreter: install() changes the SDK module for the life of the process.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, __file__], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_patch_leaves_every_response_identical_and_runs_only_the_policies_for_the_type(comparison):
    assert comparison["identical"] and comparison["identical_in_flight"], comparison
    assert comparison["violations"] >= 10  # the corpus exercises violating paths, not only passing ones
    n = comparison["requests"]
    # Before: one conversion per resource policy per request (17 of them, and as many of the provider's
    # properties); after: only for the policies that judge the request's type.
    assert comparison["conversions_before"] >= 15 * (n + 1)
    assert comparison["conversions_after"] == comparison["conversions_expected"] < 4 * (n + 1)


def test_the_patch_keeps_every_path_of_the_sdk_loop(comparison):
    """Unknowns, async, not applicable, remediation only, disabled, remediate level, config, typed."""
    from pulumi.runtime.proto import analyzer_pb2

    assert comparison["identical_edge"], comparison
    before, after = comparison["failures"]
    assert before == after and "Unrecognized signature" in before  # the call fails as without the patch
    # And the paths were taken, as worked out from the SDK's loop:
    bucket, native, table = comparison["edge_messages"]
    # the unknown size is an advisory, on the first bucket only;
    assert [m for m in bucket if "during preview" in m] == [
        "can't run policy 'unknown' from policy pack 'edge@v0.0.1' during preview: "
        "string value at .size can't be known during preview"
    ]
    assert ["unknown", analyzer_pb2.ADVISORY] in comparison["edge_levels"][0]
    assert not any("during preview" in m for m in native + table)
    # the typed policy speaks for both bucket spellings, not for the table;
    assert "Buckets only.\naws:s3/bucket:Bucket acl private" in bucket
    assert "Buckets only.\naws-native:S3:Bucket acl None" in native
    assert not any(m.startswith("Buckets only.") for m in table)
    assert "Async.\nasync e2" in table
    # disabled policies say nothing, a remediate-level violation is mandatory;
    assert not any(m.startswith(("Disabled.", "Disabled by config.")) for m in bucket + native + table)
    assert ["remediate", analyzer_pb2.MANDATORY] in comparison["edge_levels"][2]
    # config, parent and provider reach the policy;
    parent = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"
    assert (
        f"Configured.\naws:dynamodb/table:Table {{'limit': 3.0}} {parent} "
        "urn:pulumi:dev::p::pulumi:providers:aws::default"
    ) in table
    # not applicable: by the policy's own word, and for remediation-only policies, typed or not, whatever
    # the type;
    assert ["skip", "not for aws:s3/bucket:Bucket"] in comparison["edge_not_applicable"][0]
    for not_applicable in comparison["edge_not_applicable"]:
        assert ["fix", "Policy does not implement validate"] in not_applicable
        assert ["fix-buckets", "Policy does not implement validate"] in not_applicable
    # a policy's writes to its props, the provider's or the stack config reach no other policy or call.
    assert "Reads.\nacl private region None" in bucket
    assert "Reads.\nacl None region None" in table  # the provider has no region property
    for messages in (bucket, native, table):
        assert "Region.\nregion eu-west-1 stack dev" in messages


def test_analyze_in_flight_gives_the_same_violations_as_one_at_a_time(pack):
    """Over the Analyzer protocol: the pack's server runs 4 threads."""
    from bench.policy import synthetic

    resources = synthetic(200)
    serial = pack.process.analyze_many(resources, workers=1)
    parallel = pack.process.analyze_many(resources, workers=4)
    assert serial and sorted(map(repr, serial)) == sorted(map(repr, parallel))


def test_the_signature_memo_answers_again_only_for_the_very_same_object():
    from policies.sdk import same_object_same_answer

    asked = []

    def signature(obj):
        asked.append(obj)
        return len(asked)

    once = same_object_same_answer(signature)

    class Unhashable:
        __eq__ = object.__eq__
        __hash__ = None  # type: ignore[assignment]

    a, b = Unhashable(), Unhashable()
    assert once(a) == once(a) == 1
    assert once(b) == 2 and once(a) == 3  # another object is asked about afresh


def test_a_configure_the_sdk_refuses_leaves_the_config_findings_as_they_were(pack):
    """Config findings come from the last Configure the SDK accepted, not one it refused."""
    import grpc
    from pulumi.runtime.proto import analyzer_pb2

    request = analyzer_pb2.ConfigureAnalyzerRequest()
    entry = request.policyConfig["cost-no-elastic-ip"]
    entry.enforcementLevel = 9  # no such level: the SDK fails the call
    entry.properties.update({"allowedcount": 5})
    try:
        with pytest.raises(grpc.RpcError):
            pack.process.stub.Configure(request, timeout=30)
        assert not [v for v in pack.stack_violations([]) if "allowedcount" in v.message]
        pack.configure({"cost-no-elastic-ip": {"allowedcount": 5}})  # accepted: now it is reported
        assert [v for v in pack.stack_violations([]) if "allowedcount" in v.message]
    finally:
        pack.configure(None)


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
    """Over gRPC, where each call runs in a new context: the stack's settings reach every call."""
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


if __name__ == "__main__":
    print(json.dumps(compare_in_this_process()))
