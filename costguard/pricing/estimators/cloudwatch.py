"""CloudWatch alarms (including those a target tracking scaling policy makes AWS create),
dashboards and log groups."""

from __future__ import annotations

from costguard.pricing.estimators import prices
from costguard.pricing.model import CostComponent
from costguard.pricing.values import as_list, count, first, flag, mapping

AVERAGE_DAYS_PER_MONTH = 730 / 24
# The longest alarm period CloudWatch takes (seconds); a period under 60 s is high resolution.
MAX_PERIOD_SECONDS = 86_400
# CloudWatch Logs retention: at most 3,653 days (10 years); 0 (or unset) keeps logs forever.
MAX_RETENTION_DAYS = 3_653


@prices("aws:cloudwatch/metricAlarm:MetricAlarm", "aws-native:cloudwatch:Alarm")
def metric_alarm(resource, props, ctx):
    # An alarm is billed per metric it evaluates: metric-math alarms pay for each metric query
    # (expressions are free); a period under 60 s makes it a high-resolution alarm.
    queries = as_list(first(props, "metricQueries", "metrics"))
    metric_queries = [
        q for q in queries if isinstance(q, dict) and isinstance(q.get("metric") or q.get("metricStat"), dict)
    ]
    metrics = len(metric_queries) or 1

    def period(value):  # seconds: 10, 20, 30 or a multiple of 60, up to a day
        return count(value, MAX_PERIOD_SECONDS, "period", ctx.note)

    periods = [period(first(props, "period"))]
    for q in metric_queries:
        spec = mapping(q.get("metric") or q.get("metricStat"))
        periods.append(period(spec.get("period")))
    high_res = any(p and p < 60 for p in periods)
    key, label = (
        ("cw_alarm_high_resolution", "high resolution") if high_res else ("cw_alarm_standard", "standard")
    )
    return [CostComponent.of(f"Alarm metrics ({label})", metrics, ctx.book[key])]


# A target tracking policy's alarms: Application Auto Scaling "creates and manages the CloudWatch
# alarms that invoke the scaling policy" (docs.aws.amazon.com/autoscaling/application/userguide/
# target-tracking-scaling-policy-overview.html) — a high one (scale out) and a low one (scale in),
# e.g. TargetTracking-service/...-AlarmHigh-... and -AlarmLow-..., both on 60 s periods
# (hashicorp/terraform-provider-aws#42553). They are ordinary alarms, billed per metric like any
# other (CloudWatch pricing; aws-solutions/instance-scheduler-on-aws#351 shows the charge on a bill
# for the alarms DynamoDB auto scaling created). Step scaling uses alarms the user declares (priced
# as their own resources); other policy types create none.
TARGET_TRACKING_ALARMS = 2


@prices("aws:appautoscaling/policy:Policy", "aws-native:applicationautoscaling:ScalingPolicy")
def scaling_policy(resource, props, ctx):
    # pulumi-aws defaults policyType to "StepScaling".
    if str(first(props, "policyType") or "StepScaling") != "TargetTrackingScaling":
        return []
    config = mapping(first(props, "targetTrackingScalingPolicyConfiguration"))
    custom = mapping(config.get("customizedMetricSpecification"))
    # Metric math: each alarm pays for the metrics it queries (expressions are free).
    queries = [q for q in as_list(custom.get("metrics")) if isinstance(q, dict)]
    metrics = sum(1 for q in queries if isinstance(q.get("metricStat"), dict)) or 1
    if flag(config.get("disableScaleIn")):
        ctx.note("disableScaleIn: the low alarm is assumed to exist still (not verified)")
    return [
        CostComponent.of(
            "Alarm metrics (target tracking)",
            TARGET_TRACKING_ALARMS * metrics,
            ctx.book["cw_alarm_standard"],
        )
    ]


@prices("aws:cloudwatch/dashboard:Dashboard", "aws-native:cloudwatch:Dashboard")
def dashboard(resource, props, ctx):
    return [CostComponent.of("Dashboard", 1, ctx.book["cw_dashboard"])]


@prices("aws:cloudwatch/logGroup:LogGroup", "aws-native:logs:LogGroup")
def log_group(resource, props, ctx):
    if str(first(props, "logGroupClass") or "STANDARD").upper() != "STANDARD":
        ctx.note("Infrequent Access log class priced at the standard class's ingestion price")
    ingested = ctx.usage["log_gb_ingested_per_month"]
    stored = ctx.usage["log_gb_stored"]
    if stored < 0:
        retention = count(
            first(props, "retentionInDays"),
            MAX_RETENTION_DAYS,
            "retentionInDays",
            ctx.note,
            "no retention assumed",
        )
        if retention:
            # Steady state: the group holds `retention` days of logs.
            stored = ingested * retention / AVERAGE_DAYS_PER_MONTH
        else:
            months = ctx.usage["log_months_kept_without_retention"]
            stored = ingested * months
            ctx.note(f"no retention: logs never expire ({months:g} months of logs assumed stored)")
    return [
        CostComponent.of("Log ingestion", ingested, ctx.book["logs_ingestion_gb"], "usage"),
        CostComponent.of("Log storage", stored, ctx.book["logs_storage_gb_month"], "usage"),
    ]
