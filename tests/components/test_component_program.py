"""The whole program under in-process mocks with the dev and prod stack files.

This checks that `__main__.py` composes the components and exports every output; the resource
inventory against golden files lives with the graph capture.
"""

import runpy
from pathlib import Path

import pulumi
import pytest

from components.settings import SettingsError
from tests.engine_config import engine_config

ROOT = Path(__file__).resolve().parents[2]
EXPORTS = {
    "apiUrl",
    "imageUri",
    "clusterName",
    "serviceName",
    "tableName",
    "serviceLogGroupName",
    "accessLogGroupName",
    "alarmTopicArn",
}


def run_program(stack, stack_name: str, **overrides) -> dict:
    """Run __main__.py; return its exports, resolved."""
    pulumi.runtime.set_all_config(engine_config(stack_name, **overrides), [])
    exports: dict[str, pulumi.Output] = {}
    resolved: dict = {}
    real_export = pulumi.export

    def capture(name, value):
        exports[name] = pulumi.Output.from_input(value)
        real_export(name, value)

    def program():
        pulumi.export = capture
        try:
            runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")
        finally:
            pulumi.export = real_export
        names = list(exports)
        return pulumi.Output.all(*exports.values()).apply(
            lambda values: resolved.update(zip(names, values, strict=True))
        )

    try:
        stack.run(program)
    finally:
        pulumi.runtime.set_all_config({}, [])
    return resolved


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_program_runs_and_exports(stack, stack_name):
    outputs = run_program(stack, stack_name)
    assert set(outputs) == EXPORTS
    assert outputs["apiUrl"].startswith("https://")
    assert "@sha256:" in outputs["imageUri"]
    assert outputs["alarmTopicArn"].startswith("arn:aws:sns:")
    assert all(isinstance(value, str) and value for value in outputs.values())
    components = {r.type for r in stack.resources if r.type.startswith("safety-heatmap:")}
    assert components == {
        f"safety-heatmap:index:{name}"
        for name in ("Network", "Image", "Table", "Service", "HttpApi", "Alarms", "Budget")
    }


def test_dev_is_spot_only_and_prod_has_an_on_demand_base(stack):
    run_program(stack, "dev")
    dev = stack.one("aws:ecs/service:Service").inputs["capacityProviderStrategies"]
    assert dev == [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    stack.resources.clear()
    run_program(stack, "prod")
    prod = stack.one("aws:ecs/service:Service").inputs["capacityProviderStrategies"]
    assert prod == [
        {"capacityProvider": "FARGATE", "base": 1, "weight": 0},
        {"capacityProvider": "FARGATE_SPOT", "weight": 1},
    ]
    table = stack.one("aws:dynamodb/table:Table").inputs
    assert table["pointInTimeRecovery"] == {"enabled": True} and table["deletionProtectionEnabled"] is True


def test_every_log_group_has_the_stack_retention(stack):
    run_program(stack, "prod")
    groups = stack.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert len(groups) == 2
    assert {g.inputs["retentionInDays"] for g in groups} == {30}


def test_email_reaches_alarms_and_budget(stack):
    run_program(stack, "dev", alertEmail="ops@example.org")
    assert stack.one("aws:sns/topicSubscription:TopicSubscription").inputs["endpoint"] == "ops@example.org"
    notifications = stack.one("aws:budgets/budget:Budget").inputs["notifications"]
    assert {n["subscriberEmailAddresses"][0] for n in notifications} == {"ops@example.org"}


def test_invalid_config_stops_the_program_with_one_line(stack):
    with pytest.raises(SettingsError) as caught:
        run_program(stack, "dev", memory=300)
    assert (
        str(caught.value)
        == "invalid config safety-heatmap:memory = 300; allowed: with cpu 256: 512, 1024, 2048"
    )
    assert not [r for r in stack.resources if r.type.startswith("aws:")]


def test_github_repository_adds_the_ci_roles_scoped_to_the_stack_prefix(stack):
    outputs = run_program(stack, "dev", githubRepository="acme/heatmap")
    assert {"githubDeployRoleArn", "githubPreviewRoleArn", "githubOidcProviderArn"} <= set(outputs)
    roles = {r.inputs["name"] for r in stack.of_type("aws:iam/role:Role") if "name" in r.inputs}
    assert {"github-deploy-safety-heatmap-dev", "github-preview-safety-heatmap-dev"} <= roles
    # The deploy role may only write names that start with <project>-<stack>, which every
    # other resource of the stack does (its components are named that way).
    table = stack.one("aws:dynamodb/table:Table")
    assert table.name.startswith("safety-heatmap-dev-")


def alarm_names(stack) -> set[str]:
    return {
        a.name.removeprefix("safety-heatmap-dev-")
        for a in stack.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    }


def test_dev_alarms_and_target_tracking_fit_the_free_ten(stack):
    run_program(stack, "dev")
    assert alarm_names(stack) == {
        "api-5xx",
        "api-latency",
        "no-task",
        "memory-high",
        "dynamodb-throttles",
        "dynamodb-errors",
    }
    assert stack.one("aws:appautoscaling/policy:Policy").inputs["policyType"] == "TargetTrackingScaling"


def test_a_sleeping_stack_has_no_no_task_alarm(stack):
    run_program(stack, "dev", sleepSchedule="cron(0 20 ? * * *)", wakeSchedule="cron(0 7 ? * MON-FRI *)")
    assert "no-task" not in alarm_names(stack)
    assert "cpu-high" in alarm_names(stack)


def test_max_alarm_metrics_adds_the_optional_alarms(stack):
    run_program(stack, "dev", maxAlarmMetrics=12)
    assert {"no-task", "cpu-high"} <= alarm_names(stack)


def accepts_tags(resource_type: str) -> bool:
    import inspect

    import pulumi_aws as aws

    _, module_path, class_name = resource_type.split(":")
    module = aws
    for part in module_path.split("/")[0].split("."):
        module = getattr(module, part) if part != "index" else module
    cls = getattr(module, class_name[0].upper() + class_name[1:])
    return "tags" in inspect.signature(cls._internal_init).parameters


def test_every_taggable_resource_carries_the_stack_tag(stack):
    # The budget's cost filter counts costs by this tag (once it is activated as a cost allocation tag).
    run_program(stack, "dev")
    taggable = [r for r in stack.resources if r.type.startswith("aws:") and accepts_tags(r.type)]
    assert len(taggable) > 20
    for resource in taggable:
        assert resource.inputs.get("tags", {}).get("pulumi-stack") == "safety-heatmap-dev", resource.name
    vpc = stack.one("aws:ec2/vpc:Vpc").inputs["tags"]
    assert vpc == {"Name": "safety-heatmap-dev-vpc", "pulumi-stack": "safety-heatmap-dev"}
    # By default the budget covers the whole account: a tag filter sees $0 until the tag is activated.
    assert "costFilters" not in stack.one("aws:budgets/budget:Budget").inputs


def test_budget_scope_stack_filters_on_the_stack_tag(stack):
    run_program(stack, "dev", budgetScope="stack")
    assert stack.one("aws:budgets/budget:Budget").inputs["costFilters"] == [
        {"name": "TagKeyValue", "values": ["user:pulumi-stack$safety-heatmap-dev"]}
    ]
