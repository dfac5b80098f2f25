"""The mocked provider functions and resource outputs that keep programs running under capture."""

import base64
import json

import pytest

from costguard.mock_outputs import call_outputs, policy_document, resource_outputs, zone_ids


@pytest.mark.parametrize(
    ("region", "first"),
    [
        ("us-east-1", "use1-az1"),
        ("eu-west-1", "euw1-az1"),
        ("eu-central-1", "euc1-az1"),
        ("ap-southeast-2", "apse2-az1"),
    ],
)
def test_zone_ids_follow_aws_naming(region, first):
    assert zone_ids(region)[0] == first and zone_ids(region)[2] == first[:-1] + "3"


def test_get_region_answers_both_v6_and_v7_field_names():
    out = call_outputs("aws:index/getRegion:getRegion", {}, "eu-west-1")
    assert out["name"] == out["region"] == "eu-west-1"
    assert (
        call_outputs("aws:index/getRegion:getRegion", {"region": "us-west-2"}, "eu-west-1")["region"]
        == "us-west-2"
    )


def test_availability_zones_and_ecr_token():
    zones = call_outputs("aws:index/getAvailabilityZones:getAvailabilityZones", {}, "us-east-1")
    assert zones["names"] == ["us-east-1a", "us-east-1b", "us-east-1c"]
    token = call_outputs("aws:ecr/getAuthorizationToken:getAuthorizationToken", {}, "us-east-1")
    assert base64.b64decode(token["authorizationToken"]) == b"AWS:password"
    assert (token["userName"], token["password"]) == ("AWS", "password")


def test_unknown_functions_return_nothing():
    assert call_outputs("gcp:compute/getZones:getZones", {"project": "x"}, "us-east-1") == {}


def test_policy_document_rendering():
    doc = json.loads(
        policy_document(
            {
                "sourcePolicyDocuments": [json.dumps({"Statement": [{"Effect": "Deny", "Action": "s3:*"}]})],
                "statements": [
                    {
                        "effect": "Allow",
                        "notActions": ["iam:*"],
                        "resources": ["*"],
                        "principals": [{"type": "*", "identifiers": ["*"]}],
                    },
                    {
                        "actions": ["sqs:SendMessage"],
                        "resources": ["arn:q"],
                        "principals": [
                            {"type": "AWS", "identifiers": ["arn:aws:iam::1:root", "arn:aws:iam::2:root"]}
                        ],
                    },
                ],
            }
        )["json"]
    )
    assert doc == {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Deny", "Action": "s3:*"},
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*", "Principal": "*"},
            {
                "Effect": "Allow",
                "Action": "sqs:SendMessage",
                "Resource": "arn:q",
                "Principal": {"AWS": ["arn:aws:iam::1:root", "arn:aws:iam::2:root"]},
            },
        ],
    }


def test_resource_outputs_are_plausible_and_stable():
    urn = "urn:pulumi:dev::p::aws:ecr/repository:Repository::repo"
    first = resource_outputs("aws:ecr/repository:Repository", "repo", urn, {"forceDelete": True}, "eu-west-1")
    again = resource_outputs("aws:ecr/repository:Repository", "repo", urn, {"forceDelete": True}, "eu-west-1")
    assert first == again
    name = first.outputs["name"]
    assert (
        name.startswith("repo-") and len(name) == len("repo-") + 7
    )  # Pulumi auto-naming: 7 random hex chars
    assert first.outputs["repositoryUrl"] == f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/{name}"
    assert first.outputs["arn"] == f"arn:aws:ecr:eu-west-1:123456789012:repository/{name}"
    assert first.outputs["forceDelete"] is True

    api = resource_outputs(
        "aws:apigatewayv2/api:Api", "api", "urn:x::api", {"protocolType": "HTTP"}, "us-east-1"
    )
    assert api.outputs["apiEndpoint"] == f"https://{api.id}.execute-api.us-east-1.amazonaws.com"

    lb = resource_outputs(
        "aws:lb/loadBalancer:LoadBalancer", "lb", "urn:x::lb", {"loadBalancerType": "network"}, "us-east-1"
    )
    assert lb.id == lb.outputs["arn"] and ":loadbalancer/net/lb-" in lb.outputs["arn"]
    assert lb.outputs["dnsName"].endswith(".us-east-1.elb.amazonaws.com")

    role = resource_outputs("aws:iam/role:Role", "r", "urn:x::r", {"name": "exec"}, "us-east-1")
    assert role.outputs["arn"] == "arn:aws:iam::123456789012:role/exec" and role.id == "exec"
    eip = resource_outputs("aws:ec2/eip:Eip", "e", "urn:x::e", {}, "us-east-1")
    assert eip.id.startswith("eipalloc-") and eip.outputs["allocationId"] == eip.id
