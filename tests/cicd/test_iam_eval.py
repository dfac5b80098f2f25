"""The policy evaluator the permission tests rely on, checked against the IAM user guide's rules."""

from tests.cicd.iam_eval import ALLOW, DENY, IMPLICIT_DENY, Request, allowed, decide

POLICY = {
    "Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/*"},
        {
            "Sid": "B",
            "Effect": "Allow",
            "Action": "iam:CreateRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:PermissionsBoundary": "arn:pb"}},
        },
        {
            "Sid": "C",
            "Effect": "Deny",
            "Action": "iam:CreateRole",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"iam:PermissionsBoundary": "arn:pb"}},
        },
        {
            "Sid": "D",
            "Effect": "Allow",
            "Action": "route53:ChangeResourceRecordSets",
            "Resource": "*",
            "Condition": {
                "ForAllValues:StringLike": {"route53:ChangeResourceRecordSetsNormalizedRecordNames": "*.x"}
            },
        },
    ]
}


def test_wildcards_actions_case_insensitive_resources_case_sensitive():
    assert decide([POLICY], "S3:getobject", "arn:aws:s3:::b/k") == (ALLOW, ["A"])
    assert decide([POLICY], "s3:GetObject", "arn:aws:s3:::B/k")[0] == IMPLICIT_DENY
    assert decide([POLICY], "s3:PutObject", "arn:aws:s3:::b/k")[0] == IMPLICIT_DENY


def test_missing_key_fails_positive_operators_and_satisfies_negated_ones():
    assert decide([POLICY], "iam:CreateRole", "r", {"iam:PermissionsBoundary": "arn:pb"})[0] == ALLOW
    assert decide([POLICY], "iam:CreateRole", "r", {}) == (DENY, ["C"])
    assert decide([POLICY], "iam:CreateRole", "r", {"iam:PermissionsBoundary": "arn:other"})[0] == DENY


def test_for_all_values_needs_every_value_and_is_vacuous_when_missing():
    key = "route53:ChangeResourceRecordSetsNormalizedRecordNames"
    assert allowed([POLICY], Request("route53:ChangeResourceRecordSets", "z", {key: ["a.x", "b.x"]}))
    assert not allowed([POLICY], Request("route53:ChangeResourceRecordSets", "z", {key: ["a.x", "b.y"]}))
    assert allowed([POLICY], Request("route53:ChangeResourceRecordSets", "z", {}))


def test_a_boundary_must_allow_too():
    boundary = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    assert allowed([POLICY], Request("s3:GetObject", "arn:aws:s3:::b/k"), boundary=boundary)
    assert not allowed([POLICY], Request("s3:GetBucketPolicy", "arn:aws:s3:::b/k"), boundary=boundary)
