"""Budget component alone under mocks."""

from components.budget import Budget, BudgetArgs


def build(stack, **kwargs):
    stack.run(lambda: Budget("bud", BudgetArgs(**kwargs)).budget_name)
    return stack.one("aws:budgets/budget:Budget").inputs


def test_monthly_cost_budget_with_two_alerts(stack):
    budget = build(stack, limit_usd=10, alert_email="ops@example.org")
    assert (budget["budgetType"], budget["timeUnit"]) == ("COST", "MONTHLY")
    assert (budget["limitAmount"], budget["limitUnit"]) == ("10.00", "USD")
    assert budget["notifications"] == [
        {
            "comparisonOperator": "GREATER_THAN",
            "threshold": 80,
            "thresholdType": "PERCENTAGE",
            "notificationType": "ACTUAL",
            "subscriberEmailAddresses": ["ops@example.org"],
        },
        {
            "comparisonOperator": "GREATER_THAN",
            "threshold": 100,
            "thresholdType": "PERCENTAGE",
            "notificationType": "FORECASTED",
            "subscriberEmailAddresses": ["ops@example.org"],
        },
    ]


def test_no_email_no_subscribers(stack):
    budget = build(stack, limit_usd=30)
    assert budget["limitAmount"] == "30.00"
    assert "notifications" not in budget
