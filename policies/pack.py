"""Every policy of the pack, in the order they are reported."""

from __future__ import annotations

from policies import cost_api, cost_budget, cost_compute, cost_logging, cost_network, security

PACK_NAME = "costguard"

POLICIES = [
    cost_network.nat_gateway,
    cost_network.load_balancer,
    cost_network.interface_endpoint,
    cost_network.elastic_ip,
    cost_network.waf,
    cost_network.denied_services,
    cost_compute.fargate_task_size,
    cost_compute.ecs_task_count,
    cost_logging.log_retention,
    cost_compute.container_insights,
    cost_compute.ecr_lifecycle,
    cost_api.api_throttling,
    cost_api.rest_api,
    cost_compute.dynamodb_capacity,
    cost_budget.monthly_budget,
    security.public_ingress,
    security.iam_no_wildcard,
    security.ecr_scan_on_push,
    security.task_not_privileged,
    security.api_access_logs,
]
