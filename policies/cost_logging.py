"""Cost policies for CloudWatch Logs: every log group expires its data."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema

from policies import prices
from policies.support import UNKNOWN, as_number, config_value, money, resource_policy, types

LOG_GROUP_TYPES = types("aws:cloudwatch/logGroup:LogGroup", "aws-native:logs:LogGroup")


def check_log_retention(props: dict, config: Any, type_: str) -> list[str]:
    max_days = float(config_value(config, "maxRetentionDays", 30))
    raw = props.get("retentionInDays")
    if raw is UNKNOWN:
        return []  # decided at deploy time; nothing known to judge
    days = as_number(raw)
    q = prices.quotes()
    storage = f" at {money(q.unit('logs_storage_gb_month'))}/GB-month in {q.region}" if q else ""
    if days is None or days <= 0:
        # Missing or 0 means "never expire" (CloudWatch Logs default).
        return [
            f"Log group never expires its data: storage{storage} grows every month forever. Set "
            f"retentionInDays to at most {max_days:g}, or raise 'maxRetentionDays' in this policy's config."
        ]
    if days > max_days:
        return [
            f"Log retention {days:g} days is above the maximum {max_days:g}: storage{storage} is "
            f"kept {days / max_days:.1f}x as long. Set retentionInDays to at most {max_days:g}, or raise "
            "'maxRetentionDays' in this policy's config."
        ]
    return []


log_retention = resource_policy(
    "cost-log-retention",
    "Every CloudWatch log group has a retention of at most the configured number of days.",
    EnforcementLevel.MANDATORY,
    LOG_GROUP_TYPES,
    check_log_retention,
    PolicyConfigSchema(
        properties={
            "maxRetentionDays": {
                "type": "integer",
                "minimum": 1,
                "default": 30,
                "description": "The longest retention a log group may have, in days.",
            }
        }
    ),
)
