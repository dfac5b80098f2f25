"""The whole program for dev and prod, captured under mocks in a subprocess (costguard.capture).

A resource inventory (type -> count) against a golden file, and the layout's promises checked on
every resource: nothing costly, no ingress from anywhere, finite log retention, alarms that notify.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from costguard.capture import capture
from costguard.graph import Graph

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
ANYWHERE = {"0.0.0.0/0", "::/0"}
LOAD_BALANCER_PREFIXES = ("aws:lb/", "aws:alb/", "aws:elb/")


@pytest.fixture(scope="module", params=["dev", "prod"])
def graph(request) -> Graph:
    return capture(ROOT, request.param)


def test_inventory_matches_golden(graph):
    inventory = dict(sorted(Counter(r.type for r in graph.resources).items()))
    path = GOLDEN / f"inventory-{graph.stack}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(inventory, indent=1) + "\n")
    assert inventory == json.loads(path.read_text())


def test_no_nat_gateway_load_balancer_or_interface_endpoint(graph):
    types = {r.type for r in graph.resources}
    assert "aws:ec2/natGateway:NatGateway" not in types
    assert not [t for t in types if t.startswith(LOAD_BALANCER_PREFIXES)]
    endpoints = graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert len(endpoints) == 2
    assert {e.inputs.get("vpcEndpointType", "Gateway") for e in endpoints} == {"Gateway"}
    assert sorted(e.inputs["serviceName"].rsplit(".", 1)[-1] for e in endpoints) == ["dynamodb", "s3"]


def test_no_ingress_from_anywhere(graph):
    for group in graph.of_type("aws:ec2/securityGroup:SecurityGroup"):
        for rule in group.inputs.get("ingress", []):
            assert not ANYWHERE & set(rule.get("cidrBlocks", []) + rule.get("ipv6CidrBlocks", []))
    rules = graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert rules and all(r.inputs.get("referencedSecurityGroupId") for r in rules)
    assert not [r for r in rules if {r.inputs.get("cidrIpv4"), r.inputs.get("cidrIpv6")} & ANYWHERE]
    assert not graph.of_type("aws:ec2/securityGroupRule:SecurityGroupRule")


def test_every_log_group_has_a_finite_retention(graph):
    expected = {"dev": 7, "prod": 30}[graph.stack]
    groups = graph.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert len(groups) == 2 and {g.inputs.get("retentionInDays") for g in groups} == {expected}


def test_every_alarm_notifies_the_topic(graph):
    topics = graph.of_type("aws:sns/topic:Topic")
    assert len(topics) == 1
    topic_arn = topics[0].outputs["arn"]
    alarms = graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert alarms and all(a.inputs.get("alarmActions") == [topic_arn] for a in alarms)
