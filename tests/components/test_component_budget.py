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


def test_budget_filtered_to_the_stack_cost_allocation_tag(stack):
    # Two stacks in one account: each budget counts only its own stack's tagged costs.
    budget = build(stack, limit_usd=10, cost_tag=("pulumi-stack", "safety-heatmap-dev"))
    assert budget["costFilters"] == [
        {"name": "TagKeyValue", "values": ["user:pulumi-stack$safety-heatmap-dev"]}
    ]


def test_account_wide_budget_has_no_filter(stack):
    assert "costFilters" not in build(stack, limit_usd=10)


def test_budget_in_dollars_and_cents(stack):
    assert build(stack, limit_usd=12.5)["limitAmount"] == "12.50"
