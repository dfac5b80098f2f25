"""Security policies, through the Analyzer protocol."""

import json

import pytest

from costguard.graph import UNKNOWN

INGRESS = "security-no-public-ingress"
IAM = "security-iam-no-wildcard"
SCAN = "security-ecr-scan-on-push"
PRIV = "security-task-not-privileged"
LOGS = "security-api-access-logs"

OPEN_RULES = [
    (
        "aws:ec2/securityGroup:SecurityGroup",
        {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]},
    ),
    (
        "aws:ec2/securityGroup:SecurityGroup",
        {"ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "ipv6CidrBlocks": ["::/0"]}]},
    ),
    (
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        {
            "type": "ingress",
            "protocol": "tcp",
            "fromPort": 22,
            "toPort": 22,
            "cidrBlocks": ["10.0.0.0/8", "0.0.0.0/0"],
        },
    ),
    (
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": "0.0.0.0/0"},
    ),
    ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", {"ipProtocol": "-1", "cidrIpv6": "::/0"}),
    (
        "aws-native:ec2:SecurityGroup",
        {
            "securityGroupIngress": [
                {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIp": "0.0.0.0/0"}
            ]
        },
    ),
    (
        "aws-native:ec2:SecurityGroupIngress",
        {"ipProtocol": "tcp", "fromPort": 80, "toPort": 80, "cidrIpv6": "::/0"},
    ),
    (
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]},
    ),
]


@pytest.mark.parametrize(
    "cidr", ["0::/0", "0.0.0.0/00", "0.0.0.0/0.0.0.0", " 0.0.0.0/0 ", "0000:0000::/0", "10.1.2.3/0"]
)
@pytest.mark.parametrize(
    "type_,key",
    [
        ("aws:ec2/securityGroup:SecurityGroup", "cidrBlocks"),
        ("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "ipv6CidrBlocks"),
        ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "cidrIpv4"),
        ("aws-native:ec2:SecurityGroupIngress", "cidrIpv6"),
    ],
)
def test_every_spelling_of_a_world_open_cidr_is_rejected(pack, type_, key, cidr):
    rule = {"protocol": "tcp", "ipProtocol": "tcp", "fromPort": 22, "toPort": 22, key: [cidr]}
    props = {"ingress": [rule]} if "ecurityGroup:" in type_ else {**rule, key: cidr}
    (v,) = pack.violations(type_, props, INGRESS)
    assert f"port 22 from {cidr.strip()}" in v.message


@pytest.mark.parametrize("cidr", ["0.0.0.0/1", "::/1", "0.0.0.0", "10.0.0.0/8", "not-a-cidr", UNKNOWN])
def test_narrower_or_unreadable_cidrs_are_not_world_open(pack, cidr):
    props = {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": [cidr]}]}
    assert pack.violations("aws:ec2/securityGroup:SecurityGroup", props, INGRESS) == []


@pytest.mark.parametrize("type_,props", OPEN_RULES)
def test_ingress_from_the_internet_is_rejected(pack, type_, props):
    (v,) = pack.violations(type_, props, INGRESS)
    assert v.enforcement_level == "mandatory" and "open to the internet" in v.message


SAFE_RULES = [
    (
        "aws:ec2/securityGroup:SecurityGroup",
        {"ingress": [{"protocol": "tcp", "fromPort": 8080, "toPort": 8080, "securityGroups": [UNKNOWN]}]},
    ),
    (
        "aws:ec2/securityGroup:SecurityGroup",
        {"egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]},
    ),
    (
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        {"type": "egress", "protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]},
    ),
    (
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        {"ipProtocol": "tcp", "fromPort": 8080, "toPort": 8080, "referencedSecurityGroupId": UNKNOWN},
    ),
    (
        "aws-native:ec2:SecurityGroupIngress",
        {"ipProtocol": "tcp", "fromPort": 80, "toPort": 80, "sourceSecurityGroupId": "sg-1"},
    ),
    (
        "aws:ec2/securityGroup:SecurityGroup",
        {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/16"]}]},
    ),
    ("aws:ec2/securityGroup:SecurityGroup", {"ingress": UNKNOWN}),
    (
        "aws:ec2/securityGroup:SecurityGroup",
        {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": [UNKNOWN]}]},
    ),
]


@pytest.mark.parametrize("type_,props", SAFE_RULES)
def test_ingress_from_a_security_group_or_private_range_passes(pack, type_, props):
    assert pack.violations(type_, props, INGRESS) == []


def test_allowed_ports_open_exactly_those_ports(pack):
    https = {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}]}
    everything = {"ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]}
    wide = {"ingress": [{"protocol": "tcp", "fromPort": 440, "toPort": 450, "cidrBlocks": ["0.0.0.0/0"]}]}
    sg = "aws:ec2/securityGroup:SecurityGroup"
    assert pack.violations(sg, https, INGRESS) != []
    pack.configure({INGRESS: {"allowedPorts": [443]}})
    assert pack.violations(sg, https, INGRESS) == []
    assert pack.violations(sg, everything, INGRESS) != []
    (v,) = pack.violations(sg, wide, INGRESS)
    assert "ports 440-450 from 0.0.0.0/0" in v.message


def _doc(action, resource="*"):
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}],
    }


IAM_CASES = [
    ("aws:iam/policy:Policy", lambda d: {"policy": json.dumps(d)}),
    ("aws:iam/rolePolicy:RolePolicy", lambda d: {"policy": json.dumps(d)}),
    ("aws:iam/userPolicy:UserPolicy", lambda d: {"policy": json.dumps(d)}),
    ("aws:iam/groupPolicy:GroupPolicy", lambda d: {"policy": json.dumps(d)}),
    ("aws:iam/role:Role", lambda d: {"inlinePolicies": [{"name": "p", "policy": json.dumps(d)}]}),
    ("aws-native:iam:ManagedPolicy", lambda d: {"policyDocument": d}),
    ("aws-native:iam:RolePolicy", lambda d: {"policyDocument": d}),
    ("aws-native:iam:Role", lambda d: {"policies": [{"policyName": "p", "policyDocument": d}]}),
]


@pytest.mark.parametrize("type_,props", IAM_CASES)
def test_wildcard_iam_is_rejected_in_every_spelling(pack, type_, props):
    (v,) = pack.violations(type_, props(_doc("*")), IAM)
    assert '"*" on "*"' in v.message
    (v,) = pack.violations(type_, props(_doc(["dynamodb:GetItem", "iam:*"], "arn:aws:iam::1:role/x")), IAM)
    assert '"iam:*"' in v.message
    assert (
        pack.violations(type_, props(_doc(["dynamodb:GetItem"], "arn:aws:dynamodb:*:*:table/t")), IAM) == []
    )


def test_star_action_on_a_specific_resource_and_deny_statements_pass(pack):
    deny = {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    assert pack.violations("aws:iam/policy:Policy", {"policy": json.dumps(deny)}, IAM) == []
    scoped = _doc("*", "arn:aws:s3:::bucket/*")
    assert pack.violations("aws:iam/policy:Policy", {"policy": json.dumps(scoped)}, IAM) == []
    assert pack.violations("aws:iam/policy:Policy", {"policy": UNKNOWN}, IAM) == []


@pytest.mark.parametrize(
    "type_,props",
    [
        (
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            {"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
        ),
        ("aws:iam/policyAttachment:PolicyAttachment", {"policyArn": "arn:aws:iam::aws:policy/IAMFullAccess"}),
        ("aws:iam/role:Role", {"managedPolicyArns": ["arn:aws:iam::aws:policy/PowerUserAccess"]}),
        ("aws-native:iam:Role", {"managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]}),
    ],
)
def test_attaching_a_wildcard_managed_policy_is_rejected(pack, type_, props):
    (v,) = pack.violations(type_, props, IAM)
    assert "AWS managed policy" in v.message


def test_attaching_a_scoped_managed_policy_passes(pack):
    arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    assert pack.violations("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {"policyArn": arn}, IAM) == []
    assert (
        pack.violations("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {"policyArn": UNKNOWN}, IAM)
        == []
    )


def test_allow_not_action_on_everything_is_rejected(pack):
    doc = {"Statement": [{"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}]}
    (v,) = pack.violations("aws:iam/policy:Policy", {"policy": json.dumps(doc)}, IAM)
    assert '"NotAction" on "*"' in v.message


@pytest.mark.parametrize(
    "statement,grant",
    [
        ({"Action": "*", "NotResource": "arn:aws:s3:::audit/*"}, '"*" on "NotResource"'),
        ({"NotAction": "iam:*", "NotResource": ["arn:aws:s3:::audit/*"]}, '"NotAction" on "NotResource"'),
    ],
)
def test_everything_on_every_resource_but_a_few_is_rejected(pack, statement, grant):
    doc = {"Statement": [{"Effect": "Allow", **statement}]}
    (v,) = pack.violations("aws:iam/policy:Policy", {"policy": json.dumps(doc)}, IAM)
    assert grant in v.message


def test_the_message_offers_allowed_service_wildcards_only_for_what_it_can_allow(pack):
    star = {"policy": json.dumps(_doc("*", "*"))}
    (v,) = pack.violations("aws:iam/policy:Policy", star, IAM)
    assert '"*" on "*"' in v.message and "allowedServiceWildcards" not in v.message
    (v,) = pack.violations("aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                           {"policyArn": "arn:aws:iam::aws:policy/IAMFullAccess"}, IAM)  # fmt: skip
    assert "allowedServiceWildcards" not in v.message
    service = {"policy": json.dumps(_doc("logs:*", "arn:aws:logs:*"))}
    (v,) = pack.violations("aws:iam/policy:Policy", service, IAM)
    assert "add 'logs' to 'allowedServiceWildcards'" in v.message
    both = {"Statement": [_doc("logs:*", "*")["Statement"][0], _doc("*", "*")["Statement"][0]]}
    (v,) = pack.violations("aws:iam/policy:Policy", {"policy": json.dumps(both)}, IAM)
    assert "'allowedServiceWildcards' in this policy's config can allow 'logs', not the rest" in v.message


def test_service_wildcards_can_be_allowed(pack):
    props = {"policy": json.dumps(_doc("logs:*", "arn:aws:logs:*"))}
    assert pack.violations("aws:iam/policy:Policy", props, IAM) != []
    pack.configure({IAM: {"allowedServiceWildcards": ["logs"]}})
    assert pack.violations("aws:iam/policy:Policy", props, IAM) == []


@pytest.mark.parametrize("type_", ["aws:ecr/repository:Repository", "aws-native:ecr:Repository"])
def test_repository_must_scan_on_push(pack, type_):
    assert pack.violations(type_, {}, SCAN) != []
    assert pack.violations(type_, {"imageScanningConfiguration": {"scanOnPush": False}}, SCAN) != []
    assert pack.violations(type_, {"imageScanningConfiguration": {"scanOnPush": True}}, SCAN) == []
    assert pack.violations(type_, {"imageScanningConfiguration": UNKNOWN}, SCAN) == []


@pytest.mark.parametrize(
    "type_,encode",
    [("aws:ecs/taskDefinition:TaskDefinition", json.dumps), ("aws-native:ecs:TaskDefinition", lambda c: c)],
)
def test_privileged_containers_are_rejected(pack, type_, encode):
    bad = [{"name": "api", "privileged": False}, {"name": "sidecar", "privileged": True}]
    (v,) = pack.violations(type_, {"containerDefinitions": encode(bad)}, PRIV)
    assert "sidecar" in v.message and "api" not in v.message.split("Container(s)")[1].split("run")[0]
    assert pack.violations(type_, {"containerDefinitions": encode(bad[:1])}, PRIV) == []
    assert pack.violations(type_, {"containerDefinitions": UNKNOWN}, PRIV) == []


@pytest.mark.parametrize(
    "type_,key",
    [
        ("aws:apigatewayv2/stage:Stage", "accessLogSettings"),
        ("aws-native:apigatewayv2:Stage", "accessLogSettings"),
        ("aws:apigateway/stage:Stage", "accessLogSettings"),
        ("aws-native:apigateway:Stage", "accessLogSetting"),
    ],
)
def test_api_stages_must_write_access_logs(pack, type_, key):
    assert pack.violations(type_, {}, LOGS) != []
    assert (
        pack.violations(
            type_, {key: {"destinationArn": "arn:aws:logs:us-east-1:1:log-group:a", "format": "{}"}}, LOGS
        )
        == []
    )
    assert pack.violations(type_, {key: {"destinationArn": UNKNOWN, "format": "{}"}}, LOGS) == []
