"""One network load balancer with the native provider: cost-no-load-balancer must reject it."""

import pulumi_aws_native as aws_native

aws_native.elasticloadbalancingv2.LoadBalancer(
    "lb", type="network", scheme="internet-facing", subnets=["subnet-0aaa", "subnet-0bbb"]
)
