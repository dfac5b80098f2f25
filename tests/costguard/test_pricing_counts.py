"""Counts the estimators read (tasks, capacities, GiB, capacity units, days, subnets) that are not a
whole number in a sane range are read as absent, with a note: no cost is ever negative or absurd."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from costguard.cli import main
from costguard.graph import Graph, Resource
from costguard.pricing import estimate

ROOT = Path(__file__).resolve().parents[2]
SYNTHETIC = ROOT / "tests" / "fixtures" / "pulumi-preview" / "heatmap-dev-synthetic.json"
NOT_COUNTS = [-5, 1e30, 1.5, "1.5", "-2", True, 10**400, "many", [3]]


def review(tmp_path: Path, data: dict) -> dict:
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(data))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["review", str(path), "--format", "json"])
    assert (code, err.getvalue()) == (0, ""), err.getvalue()
    return json.loads(out.getvalue())


def set_input(data: dict, name: str, key: str, value) -> None:
    step = next(s for s in data["steps"] if s["urn"].endswith(f"::{name}"))
    for side in ("oldState", "newState"):
        if step.get(side):
            step[side]["inputs"][key] = value


def resource(report: dict, name: str) -> dict:
    return next(r for r in report["resources"] if r["name"] == name)


def assert_nothing_negative(report: dict) -> None:
    for r in report["resources"]:
        for c in r["before"] + r["after"]:
            assert c["quantity"] >= 0 and c["monthly"] >= 0, (r["name"], c)
    assert report["total_monthly"] >= 0 and report["past_total_monthly"] >= 0


@pytest.fixture(scope="module")
def one_task(tmp_path_factory) -> dict:
    data = json.loads(SYNTHETIC.read_text())
    set_input(data, "api-svc", "desiredCount", 1)
    return review(tmp_path_factory.mktemp("one"), data)


@pytest.mark.parametrize("value", NOT_COUNTS, ids=repr)
def test_a_desired_count_that_is_no_count_is_one_task_with_a_note(tmp_path, one_task, value):
    data = json.loads(SYNTHETIC.read_text())
    set_input(data, "api-svc", "desiredCount", value)
    report = review(tmp_path, data)
    assert_nothing_negative(report)
    service, expected = resource(report, "api-svc"), resource(one_task, "api-svc")
    # Priced as an unknown desiredCount is: 1 task, before (no scaling target yet) and after.
    assert service["monthly_before"] == pytest.approx(expected["monthly_before"])
    assert service["monthly_after"] == pytest.approx(expected["monthly_after"])
    assert any(
        "desiredCount" in n and "is not a whole number from 0 to 5,000: 1 task assumed" in n
        for n in service["notes"]
    )
    # The Cloud Map service registers those tasks: 1 instance, not -5 or 1e30.
    discovery = resource(report, "api-discovery")
    assert discovery["monthly_before"] == pytest.approx(resource(one_task, "api-discovery")["monthly_before"])
    assert report["past_total_monthly"] < 1000


@pytest.mark.parametrize("value", [2, "2", 2.0, "2.0"], ids=repr)
def test_whole_numbers_in_any_spelling_are_counts(tmp_path, value):
    data = json.loads(SYNTHETIC.read_text())
    set_input(data, "api-svc", "desiredCount", value)
    service = resource(review(tmp_path, data), "api-svc")
    assert not any("whole number" in n for n in service["notes"])
    # Before: 2 tasks of 0.5 vCPU x86 on demand, as the fixture has it ($43.34).
    assert service["monthly_before"] == pytest.approx(43.34, abs=0.01)


@pytest.mark.parametrize(
    "name, key, value, fragment",
    [
        ("api-scaling", "minCapacity", -1, "scalable target minCapacity -1 is not a whole number"),
        ("api-scaling", "maxCapacity", 1e30, "scalable target maxCapacity 1e+30 is not a whole number"),
        (
            "api-wake",
            "scalableTargetAction",
            {"minCapacity": "1.5", "maxCapacity": "-3"},
            "minCapacity '1.5'",
        ),
    ],
)
def test_capacities_that_are_no_counts_are_read_as_absent(tmp_path, name, key, value, fragment):
    data = json.loads(SYNTHETIC.read_text())
    set_input(data, name, key, value)
    report = review(tmp_path, data)
    assert_nothing_negative(report)
    service = resource(report, "api-svc")
    assert any(fragment in n for n in service["notes"]), service["notes"]
    assert service["monthly_after"] < 50


# --- estimators, one by one --------------------------------------------------------------------------
def priced(*resources: Resource, region: str = "us-east-1"):
    graph = Graph("p", "dev", list(resources), {"aws:region": region})
    return {r.name: r for r in estimate(graph).resources}


def task_def(**extra) -> Resource:
    inputs = {"family": "api", "cpu": "256", "memory": "512", **extra}
    return Resource("urn:td", "aws:ecs/taskDefinition:TaskDefinition", "td", inputs=inputs)


def service(**inputs) -> Resource:
    base = {"name": "svc", "taskDefinition": "api", "desiredCount": 1, "launchType": "FARGATE"}
    return Resource("urn:svc", "aws:ecs/service:Service", "svc", inputs={**base, **inputs})


@pytest.mark.parametrize("size", [1e30, -30, 30.5, "300", "lots"], ids=repr)
def test_ephemeral_storage_that_is_no_size_is_the_free_20_gb(size):
    cost = priced(task_def(ephemeralStorage={"sizeInGib": size}), service())["svc"]
    assert "Ephemeral storage above 20 GB" not in {c.name for c in cost.after}
    assert any("ephemeralStorage.sizeInGiB" in n and "read as absent (20 GB, free)" in n for n in cost.notes)
    assert cost.monthly_after == pytest.approx(730 * (0.25 * 0.04048 + 0.5 * 0.004445))


def test_ephemeral_storage_of_200_gib_is_priced():
    cost = priced(task_def(ephemeralStorage={"sizeInGiB": "200"}), service())["svc"]
    lines = {c.name: c for c in cost.after}
    assert lines["Ephemeral storage above 20 GB"].quantity == pytest.approx(180 * 730)


def test_capacity_provider_weights_and_bases_that_are_no_counts_never_go_negative():
    strategy = [
        {"capacityProvider": "FARGATE", "weight": 2, "base": -4},
        {"capacityProvider": "FARGATE_SPOT", "weight": -1},
    ]
    svc = service(desiredCount=4, capacityProviderStrategies=strategy)
    del svc.inputs["launchType"]
    cost = priced(task_def(), svc)["svc"]
    assert all(c.quantity >= 0 and c.monthly >= 0 for c in cost.after)
    # The Spot weight is read as absent (0): all 4 tasks on demand.
    lines = {c.name: c for c in cost.after}
    assert lines["vCPU (x86_64, on demand)"].quantity == pytest.approx(4 * 0.25 * 730)
    assert "vCPU (x86_64, Spot)" not in lines
    assert any("FARGATE_SPOT weight -1 is not a whole number from 0 to 1,000" in n for n in cost.notes)
    assert any("FARGATE base -4 is not a whole number from 0 to 100,000" in n for n in cost.notes)


@pytest.mark.parametrize(
    "subnets, azs",
    [
        (["subnet-a", "subnet-b"], 2),
        (["subnet-a", "subnet-a"], 1),  # the same subnet twice is one network interface
        (["subnet-a", 5, {"id": "x"}], 1),
        (["04da6b54-80e4-46f7-96ec-b56ff0331ba9"] * 2, 2),  # two subnets still unknown
        ([5], 1),  # nothing usable: 1 AZ assumed
    ],
)
def test_interface_endpoint_counts_its_distinct_subnets(subnets, azs):
    endpoint = Resource(
        "urn:e",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "ep",
        inputs={"vpcEndpointType": "Interface", "subnetIds": subnets},
    )
    cost = priced(endpoint)["ep"]
    assert cost.after[0].name == f"Interface endpoint ({azs} AZ)"
    assert cost.after[0].quantity == azs * 730


@pytest.mark.parametrize("units", [-5, 2.5, 1e30], ids=repr)
def test_dynamodb_capacity_that_is_no_count_is_zero_with_a_note(units):
    table = Resource(
        "urn:t",
        "aws:dynamodb/table:Table",
        "tbl",
        inputs={
            "billingMode": "PROVISIONED",
            "readCapacity": units,
            "writeCapacity": 5,
            "globalSecondaryIndexes": [{"name": "gsi", "readCapacity": units, "writeCapacity": 1}],
        },
    )
    cost = priced(table)["tbl"]
    lines = {c.name: c for c in cost.after}
    assert lines["Provisioned reads"].quantity == 0
    assert lines["Provisioned writes"].quantity == 6 * 730
    assert any("readCapacity" in n and "is not a whole number from 0 to 1,000,000" in n for n in cost.notes)
    assert any("index gsi reads" in n for n in cost.notes)


@pytest.mark.parametrize("days", [-5, 1e30, 7.5], ids=repr)
def test_log_retention_that_is_no_count_is_no_retention_with_a_note(days):
    group = Resource("urn:l", "aws:cloudwatch/logGroup:LogGroup", "logs", inputs={"retentionInDays": days})
    cost = priced(group)["logs"]
    assert all(c.quantity >= 0 for c in cost.after)
    assert any("retentionInDays" in n and "no retention assumed" in n for n in cost.notes)
    assert any("no retention: logs never expire" in n for n in cost.notes)


def test_an_alarm_period_that_is_no_period_does_not_make_it_high_resolution():
    alarm = Resource("urn:a", "aws:cloudwatch/metricAlarm:MetricAlarm", "al", inputs={"period": -30})
    cost = priced(alarm)["al"]
    assert [c.name for c in cost.after] == ["Alarm metrics (standard)"]
    assert any("period -30 is not a whole number" in n for n in cost.notes)


def test_a_negative_component_is_an_error_never_a_negative_cost(monkeypatch):
    from costguard.pricing import estimators
    from costguard.pricing.model import CostComponent, PricingError

    def broken(resource, props, ctx):
        return [CostComponent.of("Broken", -1, ctx.book["elastic_ip"])]

    monkeypatch.setitem(estimators.load_all(), "aws:ec2/eip:Eip", broken)
    with pytest.raises(PricingError, match="ip \\(aws:ec2/eip:Eip\\): Broken comes to -1 IP-hour"):
        priced(Resource("urn:ip", "aws:ec2/eip:Eip", "ip"))
