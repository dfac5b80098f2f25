import pytest

from costguard.graph import Graph, Resource
from costguard.pricing import PricingError, Usage, estimate

NAT, EIP = "aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def graph(*resources, region="us-east-1"):
    return Graph("p", "dev", list(resources), {"aws:region": region} if region else {})


def test_before_and_after_follow_the_step():
    result = estimate(
        graph(
            Resource("u1", NAT, "created", op="create"),
            Resource("u2", NAT, "deleted", op="delete", old_inputs={}),
            Resource("u3", EIP, "kept", op="same", old_inputs={}),
            Resource("u4", ALARM, "updated", op="update", inputs={"period": 10}, old_inputs={"period": 300}),
        )
    )
    costs = {r.name: r for r in result.resources}
    assert (costs["created"].before, costs["created"].monthly_after) == ([], pytest.approx(33.30))
    assert (costs["deleted"].monthly_before, costs["deleted"].after) == (pytest.approx(33.30), [])
    assert costs["kept"].monthly_before == costs["kept"].monthly_after == pytest.approx(3.65)
    # A standard alarm (0.10) becomes a high-resolution one (0.30).
    assert (costs["updated"].monthly_before, costs["updated"].monthly_after) == (
        pytest.approx(0.10),
        pytest.approx(0.30),
    )
    assert costs["deleted"].status == "priced"


def test_totals_are_the_sum_of_lines_and_split_fixed_and_usage():
    result = estimate(
        graph(
            Resource("u1", NAT, "a"),
            Resource("u2", EIP, "b", op="delete", old_inputs={}),
            Resource("u3", "aws:s3/bucket:Bucket", "c"),
        )
    )
    assert result.total_monthly == pytest.approx(sum(c.monthly for r in result.resources for c in r.after))
    assert result.total_monthly == pytest.approx(32.85 + 0.45)
    assert result.past_total_monthly == pytest.approx(3.65)
    assert result.diff == pytest.approx(33.30 - 3.65)
    assert (result.fixed_monthly, result.usage_monthly) == (pytest.approx(32.85), pytest.approx(0.45))
    assert result.not_priced == {"aws:s3/bucket:Bucket": 1}
    data = result.to_dict()
    assert data["total_monthly"] == pytest.approx(33.30) and data["not_priced"] == {"aws:s3/bucket:Bucket": 1}


def test_region_comes_from_the_graph_or_the_argument():
    assert estimate(graph(Resource("u", NAT, "n"), region="eu-west-1")).region == "eu-west-1"
    assert estimate(graph(Resource("u", NAT, "n"), region=None), region="us-east-1").region == "us-east-1"
    with pytest.raises(PricingError, match="no AWS region"):
        estimate(graph(Resource("u", NAT, "n"), region=None))
    with pytest.raises(PricingError, match="supported regions"):
        estimate(graph(Resource("u", NAT, "n")), region="mars-1")


def test_assumptions_list_only_the_values_used(tmp_path):
    path = tmp_path / "usage.yml"
    path.write_text(
        "stacks:\n  dev: {nat_gb_processed_per_month: 100}\n  prod: {nat_gb_processed_per_month: 5}\n"
    )
    result = estimate(graph(Resource("u", NAT, "n")), usage=Usage.load(path))
    assert [(a.key, a.value, a.source) for a in result.assumptions] == [
        ("nat_gb_processed_per_month", 100.0, "usage.yml: stacks.dev")
    ]
    assert result.resources[0].monthly_after == pytest.approx(32.85 + 100 * 0.045)


def test_unverified_prices_are_reported_in_notes():
    result = estimate(graph(Resource("u", "aws:kms/key:Key", "k"), region="eu-west-1"))
    assert result.unverified_prices == ["kms_key_month", "kms_requests"]
    assert any("not verified for eu-west-1" in n for n in result.notes)


def test_an_input_removed_by_an_update_is_not_revived_from_old_outputs():
    td = Resource(
        "urn:td",
        "aws:ecs/taskDefinition:TaskDefinition",
        "td",
        op="same",
        inputs={"family": "f", "cpu": "256", "memory": "512"},
        old_inputs={"family": "f", "cpu": "256", "memory": "512"},
    )
    spot = [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    svc = Resource(
        "urn:svc",
        "aws:ecs/service:Service",
        "svc",
        op="update",
        inputs={"desiredCount": 1, "taskDefinition": "f", "launchType": "FARGATE"},
        old_inputs={"desiredCount": 1, "taskDefinition": "f", "capacityProviderStrategies": spot},
        outputs={"desiredCount": 1, "capacityProviderStrategies": spot, "id": "svc-1"},
    )
    cost = {r.name: r for r in estimate(graph(td, svc)).resources}["svc"]
    assert [c.name for c in cost.before][0] == "vCPU (x86_64, Spot)"
    assert [c.name for c in cost.after][0] == "vCPU (x86_64, on demand)"
