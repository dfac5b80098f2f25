"""Alarms: an SNS topic and the CloudWatch alarms that notify it.

Creates an SNS topic, an email subscription when an address is given (AWS mails a confirmation
link first), and these alarms, each with the topic as its alarm and OK action:

1. API 5xx: HTTP API `5xx` sum >= 5 in 5 minutes;
2. API latency: HTTP API `Latency` p90 above the configured milliseconds for 3 x 5 minutes;
3. no task running: ECS `CPUUtilization` **SampleCount** < 1 for 5 minutes with missing data
   treated as breaching. ECS publishes one service CPU datapoint per minute while at least one task
   runs, with or without Container Insights, so no datapoints means no task. Left out when the
   service is parked at zero tasks on purpose, and when a sleep schedule scales it to zero at night:
   it would then fire every night, and nothing free tells a planned zero from an outage (the desired
   task count is a Container Insights metric, paid; metric math has no time-zone calendar to follow
   a cron schedule). While such a service is awake, API Gateway answers 5xx when no task is
   registered in Cloud Map, so the 5xx alarm still reports an outage once clients call;
4. memory high: service average above 85% for 3 x 5 minutes;
5. DynamoDB throttles: ReadThrottleEvents + WriteThrottleEvents > 0 (metric math);
6. DynamoDB system errors: SystemErrors > 0 summed over the item operations the heatmap API serves
   traffic with, Query and UpdateItem (this metric only exists per operation).

Optional, added in this order while they fit in `max_alarm_metrics` (config `maxAlarmMetrics`):
CPU high (service average above 85% for 3 x 5 minutes) and SystemErrors of GetItem (used by
`/health` only). CPU high is optional because the service's CPU target-tracking policy already acts
on high CPU: Application Auto Scaling creates two alarms for it, AlarmHigh and AlarmLow
(Application Auto Scaling User Guide, "Target tracking scaling policies": it "creates and manages the
CloudWatch alarms"; PutScalingPolicy returns them), and those are ordinary alarms in the account.

DynamoDB publishes these metrics only for periods in which the event happened, and metric math
over several series yields no point where any of them has none ("reads + writes" is empty when only
reads throttled). Every term is therefore `FILL(m, 0)` (CloudWatch User Guide, "Using metric math",
function FILL), so one throttled read or one system error on one operation is enough to alarm.

**Cost**: CloudWatch bills $0.10 per standard-resolution alarm metric per month, and the free
tier covers 10 alarm metrics per account, the target-tracking alarms included (they are billed like
any standard alarm). By default this component uses 8 (alarms 1-4 one each, 5 two, 6 two) and target
tracking 2: 10 in all, ~$1.00/month without the free tier and $0 with it; `alarm_metric_count()`
tells the number. Each metric beyond 10 that `maxAlarmMetrics` allows costs $0.10/month. SNS email:
first 1,000 notifications/month free, then $2 per 100k. The topic is free.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

FREE_ALARM_METRICS = 10


@dataclass
class AlarmsArgs:
    api_id: pulumi.Input[str]
    cluster_name: pulumi.Input[str]
    service_name: pulumi.Input[str]
    table_name: pulumi.Input[str]
    alert_email: str | None = None
    latency_threshold_ms: int = 2000
    cpu_high_percent: int = 85
    memory_high_percent: int = 85
    # False when the service is parked (desiredTasks 0).
    expect_running_tasks: bool = True
    # True when a sleep schedule scales the service to zero at night: no "no task running" alarm.
    sleeps_on_schedule: bool = False
    system_error_operations: Sequence[str] = field(default_factory=lambda: ("Query", "UpdateItem"))
    optional_error_operations: Sequence[str] = field(default_factory=lambda: ("GetItem",))
    # Alarm metrics that Application Auto Scaling creates for the service (components.service).
    target_tracking_alarm_metrics: int = 2
    max_alarm_metrics: int = FREE_ALARM_METRICS


@dataclass(frozen=True)
class AlarmSet:
    no_task: bool
    cpu_high: bool
    error_operations: tuple[str, ...]
    metrics: int  # alarm metrics in the account for this stack, target tracking's included


def alarm_set(args: AlarmsArgs) -> AlarmSet:
    """The alarms to create: the core set, then the optional ones while they fit in max_alarm_metrics."""
    no_task = args.expect_running_tasks and not args.sleeps_on_schedule
    # 5xx, latency, memory (+ no task), 2 throttle metrics, one SystemErrors metric per operation.
    core = (
        3 + (1 if no_task else 0) + 2 + len(args.system_error_operations) + args.target_tracking_alarm_metrics
    )
    metrics, cpu_high, operations = core, False, list(args.system_error_operations)
    if metrics + 1 <= args.max_alarm_metrics:
        metrics, cpu_high = metrics + 1, True
    for operation in args.optional_error_operations:
        if operation not in operations and metrics + 1 <= args.max_alarm_metrics:
            metrics += 1
            operations.append(operation)
    return AlarmSet(no_task=no_task, cpu_high=cpu_high, error_operations=tuple(operations), metrics=metrics)


def alarm_metric_count(args: AlarmsArgs) -> int:
    """Alarm metrics CloudWatch bills for this stack: these alarms' and target tracking's."""
    return alarm_set(args).metrics


class Alarms(pulumi.ComponentResource):
    topic_arn: pulumi.Output[str]

    def __init__(self, name: str, args: AlarmsArgs, opts: pulumi.ResourceOptions | None = None):
        chosen = alarm_set(args)
        if chosen.metrics > args.max_alarm_metrics:
            raise pulumi.RunError(
                f"alarms would use {chosen.metrics} alarm metrics ({args.target_tracking_alarm_metrics} of "
                f"them target tracking's), more than the {args.max_alarm_metrics} allowed; "
                "raise maxAlarmMetrics or drop DynamoDB operations from system_error_operations"
            )
        super().__init__("safety-heatmap:index:Alarms", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        topic = aws.sns.Topic(f"{name}-topic", opts=child)
        if args.alert_email:
            aws.sns.TopicSubscription(
                f"{name}-email", topic=topic.arn, protocol="email", endpoint=args.alert_email, opts=child
            )
        actions = [topic.arn]

        def alarm(suffix: str, description: str, **kwargs) -> aws.cloudwatch.MetricAlarm:
            kwargs.setdefault("treat_missing_data", "notBreaching")
            return aws.cloudwatch.MetricAlarm(
                f"{name}-{suffix}",
                alarm_description=description,
                alarm_actions=actions,
                ok_actions=actions,
                opts=child,
                **kwargs,
            )

        api = {"ApiId": args.api_id}
        ecs = {"ClusterName": args.cluster_name, "ServiceName": args.service_name}
        table = {"TableName": args.table_name}

        alarm(
            "api-5xx",
            "The API returned 5 or more 5xx responses in 5 minutes",
            namespace="AWS/ApiGateway",
            metric_name="5xx",
            dimensions=api,
            statistic="Sum",
            period=300,
            evaluation_periods=1,
            threshold=5,
            comparison_operator="GreaterThanOrEqualToThreshold",
        )
        alarm(
            "api-latency",
            f"API p90 latency above {args.latency_threshold_ms} ms for 15 minutes",
            namespace="AWS/ApiGateway",
            metric_name="Latency",
            dimensions=api,
            extended_statistic="p90",
            period=300,
            evaluation_periods=3,
            threshold=args.latency_threshold_ms,
            comparison_operator="GreaterThanThreshold",
        )
        if chosen.no_task:
            alarm(
                "no-task",
                "No task of the API service has reported CPU for 5 minutes: nothing is running",
                namespace="AWS/ECS",
                metric_name="CPUUtilization",
                dimensions=ecs,
                statistic="SampleCount",
                period=60,
                evaluation_periods=5,
                threshold=1,
                comparison_operator="LessThanThreshold",
                treat_missing_data="breaching",
            )
        if chosen.cpu_high:
            alarm(
                "cpu-high",
                f"API service CPU above {args.cpu_high_percent}% for 15 minutes",
                namespace="AWS/ECS",
                metric_name="CPUUtilization",
                dimensions=ecs,
                statistic="Average",
                period=300,
                evaluation_periods=3,
                threshold=args.cpu_high_percent,
                comparison_operator="GreaterThanThreshold",
            )
        alarm(
            "memory-high",
            f"API service memory above {args.memory_high_percent}% for 15 minutes",
            namespace="AWS/ECS",
            metric_name="MemoryUtilization",
            dimensions=ecs,
            statistic="Average",
            period=300,
            evaluation_periods=3,
            threshold=args.memory_high_percent,
            comparison_operator="GreaterThanThreshold",
        )
        alarm(
            "dynamodb-throttles",
            "DynamoDB throttled reads or writes on the heatmap table",
            metric_queries=[
                _sum_query("reads", "ReadThrottleEvents", table),
                _sum_query("writes", "WriteThrottleEvents", table),
                {
                    "id": "throttles",
                    "expression": _filled_sum(["reads", "writes"]),
                    "label": "Throttle events",
                    "return_data": True,
                },
            ],
            evaluation_periods=1,
            threshold=0,
            comparison_operator="GreaterThanThreshold",
        )
        operations = list(chosen.error_operations)
        error_ids = [f"e{index}" for index in range(len(operations))]
        alarm(
            "dynamodb-errors",
            "DynamoDB returned system errors (HTTP 500) to the API",
            metric_queries=[
                _sum_query(query_id, "SystemErrors", {"TableName": args.table_name, "Operation": operation})
                for query_id, operation in zip(error_ids, operations, strict=True)
            ]
            + [
                {
                    "id": "errors",
                    "expression": _filled_sum(error_ids),
                    "label": "System errors",
                    "return_data": True,
                }
            ],
            evaluation_periods=1,
            threshold=0,
            comparison_operator="GreaterThanThreshold",
        )

        self.topic_arn = topic.arn
        self.register_outputs({"topicArn": self.topic_arn})


def _filled_sum(query_ids: Sequence[str]) -> str:
    """`FILL(a, 0) + FILL(b, 0) + ...`: a sum that exists whenever any one term has a point."""
    return " + ".join(f"FILL({query_id}, 0)" for query_id in query_ids)


def _sum_query(query_id: str, metric: str, dimensions: dict) -> dict:
    return {
        "id": query_id,
        "return_data": False,
        "metric": {
            "namespace": "AWS/DynamoDB",
            "metric_name": metric,
            "dimensions": dimensions,
            "stat": "Sum",
            "period": 300,
        },
    }
