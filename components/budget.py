"""Budget: an AWS Budgets monthly cost budget with email alerts.

Creates one COST budget per stack with a MONTHLY limit in USD and, when an email is given, two
notifications to it: at 80% of ACTUAL spend and at 100% of FORECASTED spend. Without an email the
budget still exists (visible in the console and to `aws budgets describe-budgets`) but mails no one.
The budget covers the whole account's cost: the stack does not assume cost allocation tags are
activated, which a per-tag filter would need.

**Cost**: $0.00/month. Plain budgets (without budget actions) are free; AWS bills only
action-enabled budgets ($0.10 per budget-day after the first 62 budget-days a month).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass
class BudgetArgs:
    limit_usd: float
    alert_email: str | None = None


def notifications(email: str | None) -> list[dict]:
    if not email:
        return []
    return [
        {
            "comparison_operator": "GREATER_THAN",
            "threshold": 80,
            "threshold_type": "PERCENTAGE",
            "notification_type": "ACTUAL",
            "subscriber_email_addresses": [email],
        },
        {
            "comparison_operator": "GREATER_THAN",
            "threshold": 100,
            "threshold_type": "PERCENTAGE",
            "notification_type": "FORECASTED",
            "subscriber_email_addresses": [email],
        },
    ]


class Budget(pulumi.ComponentResource):
    budget_name: pulumi.Output[str]

    def __init__(self, name: str, args: BudgetArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("safety-heatmap:index:Budget", name, None, opts)

        budget = aws.budgets.Budget(
            f"{name}-monthly",
            budget_type="COST",
            time_unit="MONTHLY",
            limit_amount=f"{args.limit_usd:.2f}",
            limit_unit="USD",
            notifications=notifications(args.alert_email) or None,
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.budget_name = budget.name
        self.register_outputs({"budgetName": self.budget_name})
