"""The prices the policy messages quote, in ONE place.

Source: the project's AWS price reference (AWS Price List API offer files and AWS pricing pages,
late 2026), us-east-1, on-demand USD; a month is 730 hours (the AWS calculator's convention).
These are the figures a message cites ("a NAT gateway costs $32.85/month"); the cost estimate of a
whole stack comes from `costguard.pricing`'s price book, which should be the single source once it
lands: point `hourly`/`monthly` at it then, and keep the keys.
"""

from __future__ import annotations

HOURS_PER_MONTH = 730

# key: (price in USD, unit, AWS usage type / note)
US_EAST_1: dict[str, tuple[float, str, str]] = {
    "nat_gateway": (0.045, "hour", "AmazonEC2 NatGateway-Hours"),
    "nat_gateway_gb": (0.045, "GB", "AmazonEC2 NatGateway-Bytes"),
    "load_balancer": (0.0225, "hour", "AWSELB LoadBalancerUsage (ALB and NLB)"),
    "interface_endpoint_az": (0.01, "hour", "AmazonVPC VpcEndpoint-Hours, per AZ"),
    "public_ipv4": (0.005, "hour", "AmazonVPC PublicIPv4:InUseAddress / IdleAddress"),
    "waf_web_acl": (5.00, "month", "awswaf web ACL"),
    "waf_rule": (1.00, "month", "awswaf rule"),
    "fargate_x86_vcpu": (0.04048, "hour", "AmazonECS Fargate-vCPU-Hours:perCPU"),
    "fargate_x86_gb": (0.004445, "hour", "AmazonECS Fargate-GB-Hours"),
    "fargate_arm_vcpu": (0.03238, "hour", "AmazonECS Fargate-ARM-vCPU-Hours:perCPU"),
    "fargate_arm_gb": (0.00356, "hour", "AmazonECS Fargate-ARM-GB-Hours"),
    "logs_storage_gb": (0.03, "GB-month", "AmazonCloudWatch TimedStorage-ByteHrs"),
    "logs_ingestion_gb": (0.50, "GB", "AmazonCloudWatch DataProcessing-Bytes"),
    "custom_metric": (0.30, "metric-month", "AmazonCloudWatch CW:MetricMonitorUsage"),
    "http_api_million": (1.00, "million requests", "AmazonApiGateway ApiGatewayHttpRequest"),
    "rest_api_million": (3.50, "million requests", "AmazonApiGateway ApiGatewayRequest"),
    "ecr_storage_gb": (0.10, "GB-month", "AmazonECR TimedStorage-ByteHrs"),
    "dynamodb_write_million": (0.625, "million WRU", "AmazonDynamoDB WriteRequestUnits"),
}


def price(key: str) -> float:
    return US_EAST_1[key][0]


def monthly(key: str, quantity: float = 1.0) -> float:
    """The monthly price of `quantity` units of an hourly (x730) or monthly item."""
    amount, unit, _ = US_EAST_1[key]
    per_month = amount * HOURS_PER_MONTH if unit == "hour" else amount
    return round(per_month * quantity, 2)


def fargate_monthly(cpu_units: float, memory_mib: float, arm: bool) -> float:
    """One Fargate task running all month, on-demand."""
    arch = "arm" if arm else "x86"
    vcpu, gb = cpu_units / 1024, memory_mib / 1024
    hourly = vcpu * price(f"fargate_{arch}_vcpu") + gb * price(f"fargate_{arch}_gb")
    return round(hourly * HOURS_PER_MONTH, 2)
