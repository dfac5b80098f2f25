"""Alarms component alone under mocks."""

import pulumi
import pytest

from components.alarms import FREE_ALARM_METRICS, Alarms, AlarmsArgs, alarm_metric_count
from components.service import TARGET_TRACKING_ALARM_METRICS


def args(**overrides):
    values = dict(api_id="api-1", cluster_name="cluster-1", service_name="service-1", table_name="heatmap")
    values.update(overrides)
    return AlarmsArgs(**values)


def build(stack, **overrides):
    stack.run(lambda: Alarms("mon", args(**overrides)).topic_arn)
    return {
        a.name.removeprefix("mon-"): a.inputs for a in stack.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    }


def metric_count(alarm: dict) -> int:
    return sum(1 for query in alarm.get("metricQueries", []) if "metric" in query) or 1


def test_every_alarm_notifies_the_topic(stack):
    alarms = build(stack)
    topic_arn = stack.one("aws:sns/topic:Topic").outputs["arn"]
    assert sorted(alarms) == [
        "api-5xx",
        "api-latency",
        "dynamodb-errors",
        "dynamodb-throttles",
        "memory-high",
        "no-task",
    ]
    for alarm in alarms.values():
        assert alarm["alarmActions"] == [topic_arn]


def test_within_the_free_alarm_metrics_counting_target_tracking(stack):
    # The CPU target-tracking policy makes Application Auto Scaling create two alarms of its own
    # (AlarmHigh, AlarmLow), billed like any standard alarm: 8 here + 2 there = the free 10.
    alarms = build(stack)
    assert TARGET_TRACKING_ALARM_METRICS == 2
    assert sum(metric_count(a) for a in alarms.values()) == FREE_ALARM_METRICS - TARGET_TRACKING_ALARM_METRICS
    assert alarm_metric_count(args()) == FREE_ALARM_METRICS == 10


def test_cpu_high_is_left_to_target_tracking(stack):
    # Target tracking already acts on high CPU (it scales out); its AlarmHigh is the CPU alarm.
    assert "cpu-high" not in build(stack)


def test_more_alarm_metrics_when_config_asks(stack):
    alarms = build(stack, max_alarm_metrics=12)
    assert (alarms["cpu-high"]["metricName"], alarms["cpu-high"]["threshold"]) == ("CPUUtilization", 85)
    operations = [
        q["metric"]["dimensions"]["Operation"] for q in alarms["dynamodb-errors"]["metricQueries"][:-1]
    ]
    assert operations == ["Query", "UpdateItem", "GetItem"]
    assert sum(metric_count(a) for a in alarms.values()) + TARGET_TRACKING_ALARM_METRICS == 12
    assert alarm_metric_count(args(max_alarm_metrics=12)) == 12


def test_sleeping_service_has_no_no_task_alarm(stack):
    # While a sleep schedule holds the service at zero the alarm would fire every night; without Container
    # Insights nothing tells a planned zero from an outage, so it is left out (the 5xx alarm remains).
    alarms = build(stack, sleeps_on_schedule=True)
    assert "no-task" not in alarms
    assert "api-5xx" in alarms
    # The freed alarm metric goes to the first optional alarm.
    assert "cpu-high" in alarms
    assert alarm_metric_count(args(sleeps_on_schedule=True)) == 10


def test_no_task_running_works_without_container_insights(stack):
    alarm = build(stack)["no-task"]
    assert (alarm["namespace"], alarm["metricName"], alarm["statistic"]) == (
        "AWS/ECS",
        "CPUUtilization",
        "SampleCount",
    )
    assert alarm["dimensions"] == {"ClusterName": "cluster-1", "ServiceName": "service-1"}
    assert alarm["comparisonOperator"] == "LessThanThreshold" and alarm["threshold"] == 1
    assert alarm["treatMissingData"] == "breaching"


def test_api_alarms(stack):
    alarms = build(stack, latency_threshold_ms=1500)
    assert alarms["api-5xx"]["metricName"] == "5xx" and alarms["api-5xx"]["dimensions"] == {"ApiId": "api-1"}
    assert alarms["api-latency"]["extendedStatistic"] == "p90"
    assert alarms["api-latency"]["threshold"] == 1500


def test_memory_high(stack):
    alarms = build(stack)
    assert (alarms["memory-high"]["metricName"], alarms["memory-high"]["threshold"]) == (
        "MemoryUtilization",
        85,
    )


def test_dynamodb_alarms(stack):
    alarms = build(stack)
    throttles = alarms["dynamodb-throttles"]["metricQueries"]
    assert [q["metric"]["metricName"] for q in throttles if "metric" in q] == [
        "ReadThrottleEvents",
        "WriteThrottleEvents",
    ]
    assert throttles[-1] == {
        "id": "throttles",
        "expression": "FILL(reads, 0) + FILL(writes, 0)",
        "label": "Throttle events",
        "returnData": True,
    }
    errors = alarms["dynamodb-errors"]["metricQueries"]
    assert [q["metric"]["dimensions"]["Operation"] for q in errors if "metric" in q] == [
        "Query",
        "UpdateItem",
    ]
    assert errors[-1]["expression"] == "FILL(e0, 0) + FILL(e1, 0)"


def test_metric_math_fills_sparse_dynamodb_metrics_with_zero(stack):
    # DynamoDB publishes throttle and error metrics only when they happen; in metric math, a sum over
    # series where one has no point at that time has no point either, so every term is FILL(m, 0).
    alarms = build(stack)
    for name in ("dynamodb-throttles", "dynamodb-errors"):
        queries = alarms[name]["metricQueries"]
        ids = [q["id"] for q in queries if "metric" in q]
        expression = queries[-1]["expression"]
        assert expression == " + ".join(f"FILL({i}, 0)" for i in ids), name
        assert [q.get("returnData") for q in queries] == [False] * len(ids) + [True]


def test_email_subscription_only_with_email(stack):
    build(stack, alert_email="ops@example.org")
    subscription = stack.one("aws:sns/topicSubscription:TopicSubscription").inputs
    assert (subscription["protocol"], subscription["endpoint"]) == ("email", "ops@example.org")


def test_no_email_no_subscription(stack):
    build(stack)
    assert not stack.of_type("aws:sns/topicSubscription:TopicSubscription")


def test_parked_service_has_no_no_task_alarm(stack):
    alarms = build(stack, expect_running_tasks=False)
    assert "no-task" not in alarms


def test_more_metrics_than_allowed_is_refused(stack):
    with pytest.raises(pulumi.RunError) as caught:
        Alarms("mon", args(system_error_operations=("Query", "UpdateItem", "PutItem")))
    assert str(caught.value) == (
        "alarms would use 11 alarm metrics (2 of them target tracking's), more than the 10 allowed; "
        "raise maxAlarmMetrics or drop DynamoDB operations from system_error_operations"
    )
