"""The pack as a whole: its metadata, its config handling, start-up failures, unknown values, the budget."""

import re
import shutil
from pathlib import Path

import pytest

from costguard.analyzer import (
    PolicyPackError,
    PolicyPackProcess,
    load_config_file,
    reconcile_config,
    run_pack,
)
from costguard.graph import UNKNOWN, Graph, Resource, make_urn

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"

EXPECTED_LEVELS = {
    "cost-no-nat-gateway": "mandatory",
    "cost-no-load-balancer": "mandatory",
    "cost-no-interface-endpoint": "mandatory",
    "cost-no-elastic-ip": "mandatory",
    "cost-no-waf": "mandatory",
    "cost-denied-services": "mandatory",
    "cost-fargate-task-size": "mandatory",
    "cost-ecs-task-count": "mandatory",
    "cost-log-retention": "mandatory",
    "cost-container-insights": "advisory",
    "cost-ecr-lifecycle": "mandatory",
    "cost-api-throttling": "mandatory",
    "cost-api-rest-v1": "advisory",
    "cost-dynamodb-capacity": "advisory",
    "cost-monthly-budget": "mandatory",
    "security-no-public-ingress": "mandatory",
    "security-iam-no-wildcard": "mandatory",
    "security-ecr-scan-on-push": "mandatory",
    "security-task-not-privileged": "mandatory",
    "security-api-access-logs": "mandatory",
}


def test_info_lists_every_policy_with_its_level_and_schema(pack_process):
    info = pack_process.info()
    assert info["name"] == "costguard" and info["supportsConfig"]
    assert {p["name"]: p["enforcementLevel"] for p in info["policies"]} == EXPECTED_LEVELS
    schemas = {p["name"]: p["configSchema"]["properties"] for p in info["policies"]}
    assert schemas["cost-log-retention"]["maxRetentionDays"]["default"] == 30
    assert schemas["cost-fargate-task-size"]["maxCpu"]["default"] == 512
    assert schemas["cost-ecs-task-count"]["maxTasks"]["default"] == 4
    assert all(p["description"] for p in info["policies"])


@pytest.mark.parametrize(
    "config,expected",
    [
        (
            {"cost-log-retention": {"maxRetentionDays": "thirty"}},
            "cost-log-retention: maxRetentionDays: 'thirty' is not of type 'integer'",
        ),
        (
            {"cost-log-retention": {"maxRetentionDays": 0}},
            "maxRetentionDays: 0 is less than the minimum of 1",
        ),
        ({"cost-no-nat-gatway": "advisory"}, "unknown policy cost-no-nat-gatway"),
        ({"cost-no-nat-gateway": "off"}, "'off' is not an enforcement level"),
        ({"cost-no-nat-gateway": {"enforcementLevel": "strict"}}, "'strict' is not one of"),
        (
            {"security-no-public-ingress": {"allowedPorts": [70000]}},
            "allowedPorts.0: 70000 is greater than the maximum",
        ),
        ({"cost-no-nat-gateway": 3}, "must be an enforcement level string or an object"),
    ],
)
def test_bad_config_is_rejected_in_one_line(pack, config, expected):
    with pytest.raises(PolicyPackError) as err:
        pack.configure(config)
    message = str(err.value)
    assert expected in message and "\n" not in message


def _configure_request(pack, config: dict, extra: dict | None = None):
    """A Configure request as the engine builds it (schema defaults, then the config), plus raw entries
    the engine would pass on but costguard's client refuses (an unknown policy name)."""
    from pulumi.runtime.proto import analyzer_pb2

    levels = {"advisory": analyzer_pb2.ADVISORY, "mandatory": analyzer_pb2.MANDATORY,
              "disabled": analyzer_pb2.DISABLED, "remediate": analyzer_pb2.REMEDIATE}  # fmt: skip
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    entries = dict(reconcile_config(pack.process.info()["policies"], {}))
    for name, value in config.items():
        level, props = entries.get(name, ("mandatory", {}))
        entries[name] = (value, props) if isinstance(value, str) else (level, {**props, **value})
    entries.update(extra or {})
    for name, (level, props) in entries.items():
        request.policyConfig[name].enforcementLevel = levels[level]
        request.policyConfig[name].properties.update(props)
    return request


def _last_line(v) -> str:
    return v.message.splitlines()[-1]  # after the policy's description


def test_an_unknown_config_key_is_reported_once_by_its_policy(pack):
    pack.configure({"cost-no-elastic-ip": {"allowedcount": 5}, "cost-no-nat-gateway": {"maxCount": 1}})
    eips = [pack.resource("aws:ec2/eip:Eip", {}, name=f"ip{i}") for i in range(2)]
    found = [v for v in pack.stack_violations(eips) if v.urn is None]
    by_policy = {v.policy_name: v for v in found}
    assert sorted(by_policy) == ["cost-no-elastic-ip", "cost-no-nat-gateway"] and len(found) == 2
    eip, nat = by_policy["cost-no-elastic-ip"], by_policy["cost-no-nat-gateway"]
    assert eip.enforcement_level == "mandatory"
    assert _last_line(eip).startswith(
        "Unknown key 'allowedcount' in this policy's config (did you mean 'allowedCount'?)"
    )
    assert "Besides 'enforcementLevel', it takes 'allowedCount'." in eip.message
    assert "Unknown key 'maxCount'" in nat.message and "takes no settings" in nat.message
    # The typo leaves the allowance at 0: both Elastic IPs are still rejected, each on its URN.
    assert sorted(v.urn for v in pack.stack_violations(eips, "cost-no-elastic-ip") if v.urn) == sorted(
        r.urn for r in eips
    )
    # Once per run: Analyze (once per resource) never reports it.
    assert pack.violations("aws:ec2/eip:Eip", {}) == []


def test_a_config_finding_takes_its_policy_level_and_none_when_disabled(pack):
    pack.configure({"cost-no-nat-gateway": {"enforcementLevel": "advisory", "maxCount": 1}})
    (v,) = pack.stack_violations([], "cost-no-nat-gateway")
    assert v.enforcement_level == "advisory"
    pack.configure({"cost-no-nat-gateway": {"enforcementLevel": "disabled", "maxCount": 1}})
    assert pack.stack_violations([]) == []


def test_a_correct_config_has_no_config_finding(pack):
    pack.configure(load_config_file(PACK_DIR / "config.example.json"))
    assert pack.stack_violations([]) == []
    pack.configure(None)
    assert pack.stack_violations([]) == []


def test_an_unknown_policy_name_the_engine_passes_on_is_reported(pack):
    # The engine copies every entry of the config file, known policy or not (config.go applyConfig), and
    # sends "all" as an entry too; costguard's own client refuses unknown names, so go around it.
    extra = {"cost-no-nat-gatway": ("advisory", {}), "zzz": ("advisory", {}), "all": ("advisory", {})}
    try:
        pack.process._call("Configure", _configure_request(pack, {}, extra))
        found = pack.stack_violations([])
    finally:
        pack.configure(None)
    by_policy = {v.policy_name: _last_line(v) for v in found}
    assert len(found) == 2, found
    assert by_policy["cost-no-nat-gateway"].startswith(
        "The policy config names 'cost-no-nat-gatway', which is not a policy of this pack (did you mean "
        "'cost-no-nat-gateway'?)"
    )
    (other,) = [m for m in by_policy.values() if "'zzz'" in m]
    assert "the closest name" in other


@pytest.mark.parametrize(
    "cpu,memory,expected",
    [
        (4096, 1024, "maxCpu 4096 cannot be reached on Fargate within maxMemory 1024: Fargate gives 4096 CPU "
                     "at least 8192 MiB, so no Fargate task can pass above 512 CPU"),
        (512, 8192, "maxMemory 8192 cannot be reached on Fargate within maxCpu 512: Fargate needs 1024 CPU "
                    "for 8192 MiB, so no Fargate task can pass above 4096 MiB"),
    ],
)  # fmt: skip
def test_fargate_maximums_no_fargate_size_can_reach_are_reported(pack, cpu, memory, expected):
    pack.configure({"cost-fargate-task-size": {"maxCpu": cpu, "maxMemory": memory}})
    (v,) = pack.stack_violations([], "cost-fargate-task-size")
    assert f"This policy's config is inconsistent: {expected}" in v.message
    assert v.enforcement_level == "mandatory" and v.urn is None
    pack.configure({"cost-fargate-task-size": {"maxCpu": 1024, "maxMemory": 4096}})
    assert pack.stack_violations([], "cost-fargate-task-size") == []


def test_fargate_maximums_with_no_size_at_all_are_reported(pack):
    # Below the schema's minimums, which only a caller that skips the schema can send.
    request = _configure_request(pack, {"cost-fargate-task-size": {"maxCpu": 128, "maxMemory": 256}})
    try:
        pack.process._call("Configure", request)
        (v,) = pack.stack_violations([], "cost-fargate-task-size")
    finally:
        pack.configure(None)
    assert "no Fargate task fits maxCpu 128 with maxMemory 256" in v.message


def test_all_sets_every_level_and_specific_entries_win(pack):
    pack.configure({"all": "advisory", "cost-no-waf": "mandatory"})
    (nat,) = pack.violations("aws:ec2/natGateway:NatGateway", {}, "cost-no-nat-gateway")
    (waf,) = pack.violations("aws:wafv2/webAcl:WebAcl", {}, "cost-no-waf")
    assert (nat.enforcement_level, waf.enforcement_level) == ("advisory", "mandatory")


def test_example_config_file_is_valid(pack):
    config = load_config_file(PACK_DIR / "config.example.json")
    pack.configure(config)
    assert config


def test_bad_config_file_is_one_line(tmp_path):
    bad = tmp_path / "c.json"
    bad.write_text("{nope")
    with pytest.raises(PolicyPackError, match="is not JSON"):
        load_config_file(bad)


def test_a_pack_that_fails_to_start_reports_its_error(tmp_path):
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text("raise RuntimeError('policy pack exploded on import')\n")
    with pytest.raises(PolicyPackError) as err:
        with PolicyPackProcess(tmp_path):
            pass
    assert "failed to start" in str(err.value) and "policy pack exploded on import" in str(err.value)
    assert "\n" not in str(err.value)


def test_a_directory_without_a_pack_is_rejected(tmp_path):
    with pytest.raises(PolicyPackError, match="no PulumiPolicy.yaml"):
        with PolicyPackProcess(tmp_path):
            pass


def test_the_process_is_killed_on_exit():
    with PolicyPackProcess(PACK_DIR) as pack:
        proc = pack._proc
        assert proc.poll() is None
    assert proc.poll() is not None


def _all_types():
    from policies import cost_api, cost_compute, cost_logging, cost_network, security
    from policies.support import TypeSet

    found = set()
    for module in (cost_api, cost_compute, cost_logging, cost_network, security):
        for name, value in vars(module).items():
            if name.endswith("_TYPES") and isinstance(value, TypeSet):
                found |= value.names
    return sorted(found | set(cost_network.DEFAULT_DENIED_TYPES))


KEYS = [
    "cpu",
    "memory",
    "desiredCount",
    "maxCapacity",
    "retentionInDays",
    "ingress",
    "securityGroupIngress",
    "cidrBlocks",
    "cidrIpv4",
    "fromPort",
    "toPort",
    "policy",
    "policyDocument",
    "inlinePolicies",
    "policies",
    "containerDefinitions",
    "accessLogSettings",
    "defaultRouteSettings",
    "settings",
    "clusterSettings",
    "vpcEndpointType",
    "subnetIds",
    "imageScanningConfiguration",
    "billingMode",
    "readCapacity",
    "provisionedThroughput",
    "type",
    "protocol",
    "rules",
    "loadBalancerType",
    "connectivityType",
]


# CloudFormation initialisms that aws-native spelled in capitals before v1.0 (pulumi-aws-native PR #999).
_INITIALISM = re.compile(r"(Vpc|Vpn|Db|Eip|Acl|Ip|Api|Http|Ecs|Ecr|Iam|Eks|Msk|Waf)(?=[A-Z0-9]|$)")


def _old_native_spellings(type_: str) -> set[str]:
    """The spellings earlier aws-native releases used: CloudFormation's capital initialisms, and (first
    previews) its module case."""
    _, module, name = type_.split(":")
    capitals = _INITIALISM.sub(lambda m: m.group(1).upper(), name)
    return {f"aws-native:{module}:{capitals}", f"aws-native:{module.upper()}:{capitals}"} - {type_}


NATIVE_TYPES = [t for t in _all_types() if t.startswith("aws-native:")]


@pytest.mark.parametrize("type_", NATIVE_TYPES)
def test_every_native_type_is_matched_in_its_older_spellings(pack, type_):
    props = {"cpu": "4096", "memory": "8192", "desiredCount": 9, "retentionInDays": 0}
    expected = sorted(v.policy_name for v in pack.violations(type_, props))
    for spelling in _old_native_spellings(type_):
        assert sorted(v.policy_name for v in pack.violations(spelling, props)) == expected, spelling
    # Stack policies too; the budget is left out: costguard's estimators (not this pack) price by type.
    pack.configure({"cost-monthly-budget": "disabled"})
    expected = sorted(v.policy_name for v in pack.stack_violations([pack.resource(type_, {})]))
    for spelling in _old_native_spellings(type_):
        assert sorted(v.policy_name for v in pack.stack_violations([pack.resource(spelling, {})])) == expected


def test_old_spellings_of_the_auditors_examples_are_generated():
    assert "aws-native:ec2:VPCEndpoint" in _old_native_spellings("aws-native:ec2:VpcEndpoint")
    assert "aws-native:ec2:EIP" in _old_native_spellings("aws-native:ec2:Eip")
    assert "aws-native:wafv2:WebACL" in _old_native_spellings("aws-native:wafv2:WebAcl")
    assert "aws-native:neptune:DBInstance" in _old_native_spellings("aws-native:neptune:DbInstance")


@pytest.mark.parametrize("type_", _all_types())
def test_unknown_values_never_crash_a_policy(pack, type_):
    found = pack.violations(type_, {key: UNKNOWN for key in KEYS})
    # No policy gave up with "can't run policy ... during preview": each decided from what is known.
    assert not [v for v in found if "during preview" in v.message]
    nested = {"ingress": [UNKNOWN], "containerDefinitions": [UNKNOWN], "defaultRouteSettings": {"x": UNKNOWN}}
    pack.violations(type_, nested)


def test_stack_policies_survive_unknowns(pack):
    resources = [pack.resource(t, {"repository": UNKNOWN, "name": UNKNOWN}) for t in _all_types()]
    found = pack.stack_violations(resources)
    assert not [v for v in found if "during preview" in v.message]


BUDGET = "cost-monthly-budget"


def _nats(stack: str, count: int) -> list[Resource]:
    return [
        Resource(
            urn=make_urn(stack, "p", "aws:ec2/natGateway:NatGateway", f"nat{i}"),
            type="aws:ec2/natGateway:NatGateway",
            name=f"nat{i}",
            inputs={"subnetId": UNKNOWN},
        )
        for i in range(count)
    ]


# One resource for each message that quotes a price, and the policy that must report it.
PRICED = [
    ("aws:ec2/natGateway:NatGateway", {}, "cost-no-nat-gateway"),
    ("aws:lb/loadBalancer:LoadBalancer", {}, "cost-no-load-balancer"),
    ("aws:ecs/expressGatewayService:ExpressGatewayService", {}, "cost-no-load-balancer"),
    ("aws:ec2/vpcEndpoint:VpcEndpoint", {"vpcEndpointType": "Interface"}, "cost-no-interface-endpoint"),
    ("aws:wafv2/webAcl:WebAcl", {}, "cost-no-waf"),
    ("aws:ec2/eip:Eip", {}, "cost-no-elastic-ip"),
    ("aws:cloudwatch/logGroup:LogGroup", {}, "cost-log-retention"),
    ("aws:ecs/taskDefinition:TaskDefinition", {"cpu": "4096", "memory": "8192"}, "cost-fargate-task-size"),
    ("aws:ecs/service:Service", {"desiredCount": 9}, "cost-ecs-task-count"),
    ("aws:ecs/cluster:Cluster", {"settings": [{"name": "containerInsights", "value": "enabled"}]},
     "cost-container-insights"),
    ("aws:ecr/repository:Repository", {"imageScanningConfiguration": {"scanOnPush": True}},
     "cost-ecr-lifecycle"),
    ("aws:apigatewayv2/stage:Stage", {"accessLogSettings": {"destinationArn": "a"}}, "cost-api-throttling"),
    ("aws:apigateway/restApi:RestApi", {}, "cost-api-rest-v1"),
    ("aws:dynamodb/table:Table", {"readCapacity": 50}, "cost-dynamodb-capacity"),
]  # fmt: skip


def test_without_costguard_the_pack_runs_and_messages_omit_the_figures(tmp_path):
    """A pack copied away from costguard: no price to quote and no budget to judge, but no crash."""
    shutil.copytree(PACK_DIR, tmp_path / "policies", ignore=shutil.ignore_patterns("__pycache__"))
    resources = [
        Resource(urn=make_urn("dev", "p", type_, f"r{i}"), type=type_, name=f"r{i}", inputs=props)
        for i, (type_, props, _) in enumerate(PRICED)
    ]
    graph = Graph(project="p", stack="dev", resources=resources, config={"aws:region": "eu-west-1"})
    found = run_pack(tmp_path / "policies", graph, {BUDGET: {"monthlyBudgetUsd": 0.01}})
    by_urn = {(v.policy_name, v.urn): v.message for v in found}
    for resource, (_, _, policy) in zip(resources, PRICED, strict=True):
        message = by_urn[(policy, resource.urn)]
        assert "$" not in message, message
    nat = by_urn[("cost-no-nat-gateway", resources[0].urn)]
    assert "A public NAT gateway bills every hour plus every GB it processes." in nat
    assert BUDGET not in {v.policy_name for v in found}


def test_with_costguard_every_priced_message_quotes_the_stack_region(tmp_path):
    resources = [
        Resource(urn=make_urn("dev", "p", type_, f"r{i}"), type=type_, name=f"r{i}", inputs=props)
        for i, (type_, props, _) in enumerate(PRICED)
    ]
    graph = Graph(project="p", stack="dev", resources=resources, config={"aws:region": "eu-west-1"})
    by_urn = {(v.policy_name, v.urn): v.message for v in run_pack(PACK_DIR, graph)}
    for resource, (_, _, policy) in zip(resources, PRICED, strict=True):
        assert "in eu-west-1" in by_urn[(policy, resource.urn)], policy


def test_budget_policy_uses_the_costguard_price_book_of_the_stack_region(tmp_path):
    """The pack imports costguard from its parent directory, as it does under the real engine."""
    shutil.copytree(PACK_DIR, tmp_path / "policies", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(
        PACK_DIR.parent / "costguard", tmp_path / "costguard", ignore=shutil.ignore_patterns("__pycache__")
    )
    config = {BUDGET: {"monthlyBudgetUsd": 50}, "cost-no-nat-gateway": "disabled"}
    # eu-west-1: 0.048 $/h x 730 = 35.04 + 10 GB (default usage) x 0.048 = 35.52 per NAT gateway.
    over = Graph(project="p", stack="dev", resources=_nats("dev", 2), config={"aws:region": "eu-west-1"})
    (v,) = run_pack(tmp_path / "policies", over, config)
    assert v.policy_name == BUDGET and v.enforcement_level == "mandatory" and v.urn is None
    assert "$71.04/month in eu-west-1, over the budget of $50.00" in v.message

    within = Graph(project="p", stack="dev", resources=_nats("dev", 1), config={"aws:region": "eu-west-1"})
    assert run_pack(tmp_path / "policies", within, config) == []


def test_budget_defaults_to_the_stack_config_budget():
    # us-east-1: 32.85 + 10 GB x 0.045 = 33.30 for one NAT gateway; the stack says $30, the pack default $25.
    nat = _nats("dev", 1)
    config = {"cost-no-nat-gateway": "disabled"}
    stack = {"aws:region": "us-east-1", "p:monthlyBudgetUsd": "40"}
    assert run_pack(PACK_DIR, Graph(project="p", stack="dev", resources=nat, config=stack), config) == []
    stack["p:monthlyBudgetUsd"] = "30"
    (v,) = run_pack(PACK_DIR, Graph(project="p", stack="dev", resources=nat, config=stack), config)
    assert "$33.30/month in us-east-1, over the budget of $30.00" in v.message


def test_budget_prices_with_the_usage_in_its_config(pack):
    nat = _nats("dev", 1)  # the session pack runs as stack "dev", in us-east-1
    pack.configure({BUDGET: {"monthlyBudgetUsd": 35}})
    assert pack.stack_violations(nat, BUDGET) == []  # 32.85 + 10 GB x 0.045 = 33.30
    # 100 GB processed: 32.85 + 100 x 0.045 = 37.35
    pack.configure({BUDGET: {"monthlyBudgetUsd": 35, "usage": {"nat_gb_processed_per_month": 100}}})
    (v,) = pack.stack_violations(nat, BUDGET)
    assert "$37.35/month in us-east-1, over the budget of $35.00" in v.message


@pytest.mark.parametrize("stack,over", [("dev", True), ("prod", False)])
def test_budget_usage_per_stack_follows_pulumi_stack(stack, over):
    usage = {"stacks": {"dev": {"nat_gb_processed_per_month": 100}}}
    config = {BUDGET: {"monthlyBudgetUsd": 35, "usage": usage}, "cost-no-nat-gateway": "disabled"}
    graph = Graph(project="p", stack=stack, resources=_nats(stack, 1), config={"aws:region": "us-east-1"})
    assert [v.policy_name for v in run_pack(PACK_DIR, graph, config)] == ([BUDGET] if over else [])


def test_budget_region_is_one_of_the_price_book_regions(pack):
    with pytest.raises(
        PolicyPackError, match=re.escape("cost-monthly-budget: region: 'mars-1' is not one of")
    ):
        pack.configure({BUDGET: {"region": "mars-1"}})
    regions = {p["name"]: p for p in pack.process.info()["policies"]}[BUDGET]["configSchema"]["properties"]
    assert regions["region"]["enum"] == ["", "eu-west-1", "us-east-1"]
    pack.configure({BUDGET: {"monthlyBudgetUsd": 0.01, "region": "eu-west-1"}})
    (v,) = pack.stack_violations(_nats("dev", 1), BUDGET)
    assert "$35.52/month in eu-west-1" in v.message  # 0.048 x 730 + 10 GB x 0.048


def test_budget_in_a_region_the_price_book_lacks_is_a_violation_not_a_skip(pack):
    # The schema stops a bad 'region' at the engine; a caller that skips the schema still gets a verdict.
    request = _configure_request(pack, {BUDGET: {"monthlyBudgetUsd": 0.01, "region": "mars-1"}})
    try:
        pack.process._call("Configure", request)
        (v,) = pack.stack_violations(_nats("dev", 1), BUDGET)
    finally:
        pack.configure(None)
    assert v.enforcement_level == "mandatory"
    assert "cannot be estimated in 'mars-1' (this policy's 'region')" in v.message
    assert "supported: eu-west-1, us-east-1" in v.message


def test_budget_of_a_stack_in_a_region_the_price_book_lacks_is_a_violation():
    graph = Graph(project="p", stack="dev", resources=_nats("dev", 1), config={"aws:region": "ap-south-1"})
    found = run_pack(PACK_DIR, graph, {"cost-no-nat-gateway": "disabled"})
    (v,) = [v for v in found if v.policy_name == BUDGET]
    assert "cannot be estimated in 'ap-south-1' (the stack's aws:region)" in v.message


def test_usage_with_a_bad_value_is_one_line_from_the_policy(pack):
    pack.configure({BUDGET: {"usage": {"stacks": {"dev": {"nat_gb_processed_per_month": -5}}}}})
    (v,) = pack.stack_violations(_nats("dev", 1), BUDGET)
    assert v.enforcement_level == "mandatory"
    message = v.message.splitlines()[-1]
    assert message.startswith("The 'usage' in this policy's config is invalid (stacks.dev.nat_gb_processed")
    assert "must be a number >= 0, got -5" in message


@pytest.mark.parametrize(
    "usage,error",
    [
        ({"nat_gb": 1}, "usage: Additional properties are not allowed ('nat_gb' was unexpected)"),
        ({"stacks": {"dev": {"requests": 1}}}, "usage.stacks.dev: Additional properties are not allowed"),
        ({"resources": {"db": {"x": 1}}}, "usage.resources.db: Additional properties are not allowed"),
        ({"api_requests_per_month": "many"}, "usage.api_requests_per_month: 'many' is not of type 'number'"),
        ("lots", "usage: 'lots' is not of type 'object'"),
    ],
)
def test_usage_of_the_wrong_shape_is_rejected_by_the_schema(pack, usage, error):
    with pytest.raises(PolicyPackError, match=re.escape(f"invalid policy config: {BUDGET}: {error}")):
        pack.configure({BUDGET: {"usage": usage}})


def test_config_given_at_start_applies_and_a_bad_one_stops_the_pack():
    log_group = Resource(
        urn=make_urn("dev", "p", "aws:cloudwatch/logGroup:LogGroup", "lg"),
        type="aws:cloudwatch/logGroup:LogGroup",
        name="lg",
        inputs={"retentionInDays": 90},
    )
    with PolicyPackProcess(PACK_DIR, config={"cost-log-retention": {"maxRetentionDays": 90}}) as pack:
        assert pack.analyze(log_group) == []
    bad = PolicyPackProcess(PACK_DIR, config={"cost-log-retention": {"maxRetentionDays": -1}})
    with pytest.raises(PolicyPackError, match="maxRetentionDays: -1 is less than the minimum of 1"):
        with bad:
            pass
    assert bad._proc is None  # killed and reaped


def test_pulumi_policy_yaml_points_the_shim_at_the_repository_venv():
    import yaml

    project = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python"
    # The shim resolves `virtualenv` against the pack directory; `make venv` builds this one.
    venv = (PACK_DIR / project["runtime"]["options"]["virtualenv"]).resolve()
    assert venv == (PACK_DIR.parent / ".venv").resolve()
    assert "pulumi-policy" in (PACK_DIR / "requirements.txt").read_text()
