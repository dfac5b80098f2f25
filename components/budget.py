"""Budget: an AWS Budgets monthly cost budget with email alerts.

Creates one COST budget per stack with a MONTHLY limit in USD and, when an email is given, two
notifications to it: at 80% of ACTUAL spend and at 100% of FORECASTED spend. Without an email the
budget still exists (visible in the console and to `aws budgets describe-budgets`) but mails no one.
With `cost_tag` (key, value) the budget counts only costs carrying that tag (a `TagKeyValue` cost
filter, `user:<key>$<value>`; pulumi_aws budgets.Budget docs, "Create a cost filter using resource
tags"), so stacks sharing an account each judge their own spend; the stack tags its resources with
`pulumi-stack=<project>-<stack>` (components/tagging.py). AWS counts a tag only after it has been
activated as a cost allocation tag in the Billing console; until then a filtered budget sees $0.
Some charges carry no resource tag at all (each task's public IPv4 address is billed to the task's
ENI, which ECS manages; the Route 53 hosted zone is created by Cloud Map), so a filtered budget can
read a few dollars low: one account per stack with `cost_tag=None` (config `budgetScope: account`)
counts everything. Without `cost_tag` the budget covers the whole account.

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
    # (tag key, value) of a cost allocation tag; None = the whole account.
    cost_tag: tuple[str, str] | None = None


def cost_filters(cost_tag: tuple[str, str] | None) -> list[dict] | None:
    if cost_tag is None:
        return None
    key, value = cost_tag
    return [{"name": "TagKeyValue", "values": [f"user:{key}${value}"]}]


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
            cost_filters=cost_filters(args.cost_tag),
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.budget_name = budget.name
        self.register_outputs({"budgetName": self.budget_name})
