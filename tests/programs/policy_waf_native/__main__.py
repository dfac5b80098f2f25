"""A regional WAF v2 web ACL with the native provider: cost-no-waf must reject it ($5.00/month)."""

import pulumi_aws_native as aws_native

aws_native.wafv2.WebAcl(
    "acl",
    scope=aws_native.wafv2.WebAclScope.REGIONAL,
    default_action=aws_native.wafv2.WebAclDefaultActionArgs(allow={}),
    visibility_config=aws_native.wafv2.WebAclVisibilityConfigArgs(
        cloud_watch_metrics_enabled=False, metric_name="acl", sampled_requests_enabled=False
    ),
)
