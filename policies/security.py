"""Security policies: no public ingress, no wildcard IAM, ECR scanning, unprivileged tasks, API access "
"logs."""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema

from policies.support import (
    UNKNOWN,
    as_json,
    as_list,
    as_number,
    config_value,
    get,
    is_unknown,
    plain,
    resource_policy,
    types,
)

# The default security group of a VPC takes the same inline `ingress` rules as any other.
SECURITY_GROUP_TYPES = types(
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws-native:ec2:SecurityGroup",
)
SG_RULE_TYPES = types("aws:ec2/securityGroupRule:SecurityGroupRule")
INGRESS_RULE_TYPES = types(
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws-native:ec2:SecurityGroupIngress"
)

_ALL_PROTOCOLS = frozenset({"-1", "all"})


@functools.lru_cache(maxsize=1024)
def is_world_open(cidr: str) -> bool:
    """A CIDR that admits every address: prefix length 0, however it is written.

    Parsed, not compared as text, so "0.0.0.0/0", "0.0.0.0/00", "0.0.0.0/0.0.0.0", "::/0" and "0::/0"
    all count (ipaddress.ip_network, strict=False: host bits are ignored, as "1.2.3.4/0" still means
    every address). Text that is not a network (unknown, malformed) is not open.
    """
    if is_unknown(cidr):
        return False
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def _open_sources(rule: dict) -> list[str]:
    """The world-open CIDRs among a rule's sources, across every spelling of the source keys."""
    sources = []
    for key in ("cidrBlocks", "ipv6CidrBlocks", "cidrIpv4", "cidrIpv6", "cidrIp"):
        sources += [s.strip() for s in as_list(rule.get(key)) if isinstance(s, str) and is_world_open(s)]
    return sources


def _port_range(rule: dict) -> tuple[int, int] | None:
    """(from, to) ports of a rule; None for "all traffic" (protocol -1) or when unknown."""
    protocol = rule.get("protocol", rule.get("ipProtocol"))
    if isinstance(protocol, str | int) and str(protocol).lower() in _ALL_PROTOCOLS:
        return None
    low, high = as_number(rule.get("fromPort")), as_number(rule.get("toPort"))
    if low is None or high is None or low < 0 or high < 0:
        return None
    return int(low), int(high)


def _describe(rule: dict, sources: list[str]) -> str:
    ports = _port_range(rule)
    where = (
        "all ports"
        if ports is None
        else (f"port {ports[0]}" if ports[0] == ports[1] else f"ports {ports[0]}-{ports[1]}")
    )
    return f"{where} from {', '.join(sorted(set(sources)))}"


def _public_rules(rules: list[Any], allowed_ports: set[int]) -> list[str]:
    found = []
    for rule in rules:
        if not isinstance(rule, dict):
            continue
        sources = _open_sources(rule)
        if not sources:
            continue
        ports = _port_range(rule)
        if ports is not None and all(p in allowed_ports for p in range(ports[0], ports[1] + 1)):
            continue
        found.append(_describe(rule, sources))
    return found


def check_public_ingress(props: dict, config: Any, type_: str) -> list[str]:
    allowed = {int(p) for p in plain(config_value(config, "allowedPorts", [])) if isinstance(p, int | float)}
    if type_ in SECURITY_GROUP_TYPES:
        rules = as_list(props.get("ingress") if "ingress" in props else props.get("securityGroupIngress"))
    elif type_ in SG_RULE_TYPES:
        if props.get("type") != "ingress":
            return []
        rules = [props]
    else:
        rules = [props]
    found = _public_rules(rules, allowed)
    if not found:
        return []
    return [
        f"Ingress open to the internet: {'; '.join(found)}. Admit traffic only from another security group "
        "(e.g. the API Gateway VPC link's) or a narrow CIDR, or add the port to 'allowedPorts' in this "
        "policy's config."
    ]


public_ingress = resource_policy(
    "security-no-public-ingress",
    "Security groups admit nothing from 0.0.0.0/0 or ::/0, except on the configured ports.",
    EnforcementLevel.MANDATORY,
    SECURITY_GROUP_TYPES | SG_RULE_TYPES | INGRESS_RULE_TYPES,
    check_public_ingress,
    PolicyConfigSchema(
        properties={
            "allowedPorts": {
                "type": "array",
                "items": {"type": "integer", "minimum": 0, "maximum": 65535},
                "default": [],
                "description": "Ports that may be open to the internet (e.g. 443).",
            }
        }
    ),
)

# Classic resources take the document as a JSON string in `policy`; native ones as an object in
# `policyDocument`.
IAM_DOCUMENT_TYPES = types(
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
    "aws-native:iam:ManagedPolicy",
    "aws-native:iam:RolePolicy",
    "aws-native:iam:UserPolicy",
    "aws-native:iam:GroupPolicy",
)
# Attaching an AWS managed policy that is itself a wildcard grant is the same grant.
IAM_ATTACHMENT_TYPES = types(
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
)
WILDCARD_MANAGED_POLICIES = {
    "AdministratorAccess": '"*" on "*"',
    "IAMFullAccess": '"iam:*"',
    "PowerUserAccess": '"NotAction" on "*"',
}
IAM_INLINE_TYPES = types(
    "aws:iam/role:Role", "aws:iam/user:User", "aws:iam/group:Group",
    "aws-native:iam:Role", "aws-native:iam:User", "aws-native:iam:Group",
)  # fmt: skip


def _documents(props: dict, type_: str) -> list[Any]:
    if type_ in IAM_DOCUMENT_TYPES:
        return [as_json(props.get("policy", props.get("policyDocument")))]
    docs = []
    for inline in as_list(props.get("inlinePolicies")) + as_list(props.get("policies")):
        if isinstance(inline, dict):
            docs.append(as_json(inline.get("policy", inline.get("policyDocument"))))
    return docs


def wildcard_grants(document: Any, allowed_services: set[str]) -> list[str]:
    """The statements of an IAM policy document that allow '*' on '*' or a whole service ('iam:*')."""
    if not isinstance(document, dict):
        return []
    found = []
    for statement in as_list(document.get("Statement")):
        if not isinstance(statement, dict) or statement.get("Effect", "Allow") != "Allow":
            continue
        actions = [a for a in as_list(statement.get("Action")) if isinstance(a, str) and not is_unknown(a)]
        resources = [r for r in as_list(statement.get("Resource")) if isinstance(r, str)]
        # "NotResource" means every resource but the listed ones: as broad as "*" for this rule.
        everything = "*" in resources or "NotResource" in statement
        on = '"*"' if "*" in resources else '"NotResource"'
        if "NotAction" in statement and everything:
            found.append(f'"NotAction" on {on}')  # everything except a few actions, on everything
        for action in actions:
            if action == "*" and everything:
                found.append(f'"*" on {on}')
            elif action.endswith(":*") and action[:-2].lower() not in allowed_services:
                found.append(f'"{action}"')
    return found


def _managed_policy_grants(props: dict) -> list[str]:
    arns = as_list(props.get("policyArn")) + as_list(props.get("managedPolicyArns"))
    found = []
    for arn in arns:
        if isinstance(arn, str) and arn.startswith("arn:") and ":iam::aws:policy/" in arn:
            name = arn.rsplit("/", 1)[-1]
            if name in WILDCARD_MANAGED_POLICIES:
                found.append(f"{WILDCARD_MANAGED_POLICIES[name]} (AWS managed policy {name})")
    return found


def check_iam_wildcard(props: dict, config: Any, type_: str) -> list[str]:
    allowed = {str(s).lower() for s in plain(config_value(config, "allowedServiceWildcards", []))}
    found = _managed_policy_grants(props)
    if type_ in IAM_ATTACHMENT_TYPES:
        return _wildcard_message(found)
    for document in _documents(props, type_):
        found += wildcard_grants(document, allowed)
    return _wildcard_message(found)


_SERVICE_WILDCARD = re.compile(r'^"[A-Za-z0-9-]+:\*"$')


def _wildcard_message(found: list[str]) -> list[str]:
    if not found:
        return []
    grants = list(dict.fromkeys(found))
    # 'allowedServiceWildcards' can excuse "service:*" only; "*" on "*", NotAction and the admin managed
    # policies have no config key: the fix is least privilege (or this policy's enforcementLevel).
    services = [g for g in grants if _SERVICE_WILDCARD.match(g)]
    names = ", ".join(repr(g.strip('"')[:-2]) for g in services)
    if services and len(services) == len(grants):
        allow = f", or add {names} to 'allowedServiceWildcards' in this policy's config"
    elif services:
        allow = f"; 'allowedServiceWildcards' in this policy's config can allow {names}, not the rest"
    else:
        allow = ""
    return [
        f"IAM policy allows {', '.join(grants)}. Grant the specific actions the workload calls on the "
        f"specific resources (least privilege){allow}."
    ]


iam_no_wildcard = resource_policy(
    "security-iam-no-wildcard",
    'No IAM policy allows "*" actions on "*" resources or every action of a service (e.g. "iam:*").',
    EnforcementLevel.MANDATORY,
    IAM_DOCUMENT_TYPES | IAM_INLINE_TYPES | IAM_ATTACHMENT_TYPES,
    check_iam_wildcard,
    PolicyConfigSchema(
        properties={
            "allowedServiceWildcards": {
                "type": "array",
                "items": {"type": "string"},
                "default": [],
                "description": "Service prefixes whose 'service:*' is allowed (e.g. 'logs').",
            }
        }
    ),
)

ECR_REPOSITORY_TYPES = types("aws:ecr/repository:Repository", "aws-native:ecr:Repository")


def check_scan_on_push(props: dict, config: Any, type_: str) -> list[str]:
    scan = get(props, "imageScanningConfiguration", "scanOnPush")
    if scan is True or scan is UNKNOWN or is_unknown(scan):
        return []
    return [
        "ECR repository does not scan images on push; known vulnerabilities reach the service unseen. Set "
        "imageScanningConfiguration.scanOnPush to true (basic scanning is free)."
    ]


ecr_scan_on_push = resource_policy(
    "security-ecr-scan-on-push",
    "ECR repositories scan every image on push.",
    EnforcementLevel.MANDATORY,
    ECR_REPOSITORY_TYPES,
    check_scan_on_push,
)

TASK_DEFINITION_TYPES = types("aws:ecs/taskDefinition:TaskDefinition", "aws-native:ecs:TaskDefinition")


def check_privileged(props: dict, config: Any, type_: str) -> list[str]:
    containers = as_json(props.get("containerDefinitions"))
    names = []
    for container in as_list(containers):
        if isinstance(container, dict) and container.get("privileged") is True:
            names.append(str(container.get("name", "?")))
    if not names:
        return []
    return [
        f"Container(s) {', '.join(names)} run privileged (root on the host). Remove 'privileged' and grant "
        "only the Linux capabilities the container needs."
    ]


task_not_privileged = resource_policy(
    "security-task-not-privileged",
    "No ECS container runs privileged.",
    EnforcementLevel.MANDATORY,
    TASK_DEFINITION_TYPES,
    check_privileged,
)

API_STAGE_TYPES = types(
    "aws:apigatewayv2/stage:Stage",
    "aws-native:apigatewayv2:Stage",
    "aws:apigateway/stage:Stage",
    "aws-native:apigateway:Stage",
)


def check_access_logs(props: dict, config: Any, type_: str) -> list[str]:
    settings = props.get("accessLogSettings", props.get("accessLogSetting"))
    if settings is UNKNOWN:
        return []
    destination = get(settings or {}, "destinationArn")
    if destination is UNKNOWN or (isinstance(destination, str) and destination.strip()):
        return []  # an ARN of a log group created in the same preview is unknown but present
    return [
        "API stage does not write access logs; requests cannot be traced or audited. Set accessLogSettings "
        "with a destinationArn (a CloudWatch log group with a finite retention) and a format."
    ]


api_access_logs = resource_policy(
    "security-api-access-logs",
    "API Gateway stages write access logs.",
    EnforcementLevel.MANDATORY,
    API_STAGE_TYPES,
    check_access_logs,
)
