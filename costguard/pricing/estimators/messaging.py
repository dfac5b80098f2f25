"""SNS email subscriptions and AWS Budgets actions."""

from __future__ import annotations

from costguard.pricing.estimators import prices
from costguard.pricing.model import CostComponent
from costguard.pricing.values import first

DAYS_PER_MONTH = 730 / 24


@prices("aws:sns/topicSubscription:TopicSubscription", "aws-native:sns:Subscription")
def topic_subscription(resource, props, ctx):
    protocol = str(first(props, "protocol") or "").lower()
    if protocol in ("email", "email-json"):
        emails = ctx.usage["sns_emails_per_month"]
        return [
            CostComponent.of(
                "Email notifications", emails / 100_000, ctx.book["sns_email_notifications"], "usage"
            )
        ]
    if protocol in ("sqs", "lambda", "firehose"):
        return []  # deliveries to SQS and Lambda carry no SNS delivery charge
    ctx.note(f"SNS {protocol or 'unknown'} deliveries are not in the price book")
    return None


@prices("aws:budgets/budgetAction:BudgetAction")
def budget_action(resource, props, ctx):
    # A budget with an action becomes an action-enabled budget, billed per budget-day.
    return [CostComponent.of("Action-enabled budget", DAYS_PER_MONTH, ctx.book["budgets_action_budget_day"])]
