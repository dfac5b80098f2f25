"""WAF web ACLs, Secrets Manager secrets, KMS keys."""

from __future__ import annotations

from costguard.pricing.estimators import prices
from costguard.pricing.model import CostComponent
from costguard.pricing.values import as_list, first, known


@prices(
    "aws:wafv2/webAcl:WebAcl",
    "aws:waf/webAcl:WebAcl",
    "aws:wafregional/webAcl:WebAcl",
    "aws-native:wafv2:WebAcl",
)
def web_acl(resource, props, ctx):
    rules_value = first(props, "rules")
    rules = len(as_list(rules_value)) if known(rules_value) else 0
    components = [CostComponent.of("Web ACL", 1, ctx.book["waf_web_acl_month"])]
    if rules:
        components.append(CostComponent.of("Rules", rules, ctx.book["waf_rule_month"]))
    requests = ctx.usage["waf_requests_per_month"]
    components.append(CostComponent.of("Requests", requests / 1e6, ctx.book["waf_requests"], "usage"))
    return components


@prices("aws:secretsmanager/secret:Secret", "aws-native:secretsmanager:Secret")
def secret(resource, props, ctx):
    calls = ctx.usage["secrets_api_calls_per_month"]
    replicas = first(props, "replicas", "replicaRegions")
    copies = 1 + (len(as_list(replicas)) if known(replicas) else 0)  # each replica is billed as a secret
    return [
        CostComponent.of(
            "Secret" if copies == 1 else f"Secret ({copies} copies)",
            copies,
            ctx.book["secretsmanager_secret_month"],
        ),
        CostComponent.of("API calls", calls / 10_000, ctx.book["secretsmanager_api_calls"], "usage"),
    ]


@prices("aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey", "aws-native:kms:Key", "aws-native:kms:ReplicaKey")
def kms_key(resource, props, ctx):
    requests = ctx.usage["kms_requests_per_month"]
    return [
        CostComponent.of("Customer managed key", 1, ctx.book["kms_key_month"]),
        CostComponent.of("Requests", requests / 10_000, ctx.book["kms_requests"], "usage"),
    ]
