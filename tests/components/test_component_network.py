"""Network component alone under mocks."""

import pulumi
import pytest

from components.network import Network, NetworkArgs


def build(stack, **kwargs):
    stack.run(lambda: Network("net", NetworkArgs(region="eu-west-1", **kwargs)))


def test_public_subnets_in_two_looked_up_zones(stack):
    build(stack)
    # Registrations reach the mock monitor concurrently: compare as (zone, CIDR) pairs, not by order.
    subnets = stack.of_type("aws:ec2/subnet:Subnet")
    assert sorted((s.inputs["availabilityZone"], s.inputs["cidrBlock"]) for s in subnets) == [
        ("eu-west-1a", "10.0.0.0/20"),
        ("eu-west-1b", "10.0.16.0/20"),
    ]
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets)
    tokens = [token for token, _ in stack.calls]
    assert "aws:index/getAvailabilityZones:getAvailabilityZones" in tokens
    assert len(stack.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")) == 2


def test_internet_route_and_no_nat(stack):
    build(stack)
    route = stack.one("aws:ec2/route:Route")
    assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    assert route.inputs["gatewayId"] == "net-igw-id"
    assert "natGatewayId" not in route.inputs
    assert not stack.of_type("aws:ec2/natGateway:NatGateway")
    assert not stack.of_type("aws:ec2/eip:Eip")


def test_vpc_resolves_private_dns(stack):
    build(stack)
    vpc = stack.one("aws:ec2/vpc:Vpc")
    assert vpc.inputs["enableDnsSupport"] is True and vpc.inputs["enableDnsHostnames"] is True


def test_only_free_gateway_endpoints(stack):
    build(stack)
    endpoints = stack.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert sorted(e.inputs["serviceName"] for e in endpoints) == [
        "com.amazonaws.eu-west-1.dynamodb",
        "com.amazonaws.eu-west-1.s3",
    ]
    for endpoint in endpoints:
        assert endpoint.inputs["vpcEndpointType"] == "Gateway"
        assert endpoint.inputs["routeTableIds"] == ["net-public-id"]


def test_service_admits_only_the_link_on_the_container_port(stack):
    build(stack, container_port=8080)
    ingress = stack.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert ingress.inputs["securityGroupId"] == "net-service-id"
    assert ingress.inputs["referencedSecurityGroupId"] == "net-vpc-link-id"
    assert (ingress.inputs["ipProtocol"], ingress.inputs["fromPort"], ingress.inputs["toPort"]) == (
        "tcp",
        8080,
        8080,
    )
    assert "cidrIpv4" not in ingress.inputs and "cidrIpv6" not in ingress.inputs


def test_no_ingress_from_anywhere(stack):
    build(stack)
    for group in stack.of_type("aws:ec2/securityGroup:SecurityGroup"):
        assert not group.inputs.get("ingress")
    for rule in stack.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"):
        assert rule.inputs.get("cidrIpv4") not in ("0.0.0.0/0",)
        assert rule.inputs.get("cidrIpv6") not in ("::/0",)


def test_egress_is_narrow(stack):
    build(stack)
    egress = {
        r.name: r.inputs for r in stack.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    }
    assert egress["net-link-to-service"]["referencedSecurityGroupId"] == "net-service-id"
    assert egress["net-link-to-service"]["fromPort"] == 8080
    assert egress["net-service-https"]["cidrIpv4"] == "0.0.0.0/0"
    assert (egress["net-service-https"]["fromPort"], egress["net-service-https"]["toPort"]) == (443, 443)


def test_zone_lookup_asks_for_available_regular_zones(stack):
    build(stack)
    [(_, arguments)] = [call for call in stack.calls if call[0].endswith("getAvailabilityZones")]
    assert arguments["state"] == "available"
    assert arguments["filters"] == [{"name": "opt-in-status", "values": ["opt-in-not-required"]}]


def test_region_with_one_zone_is_refused(stack):
    stack.zones = ["eu-west-1a"]
    with pytest.raises(pulumi.RunError, match="region eu-west-1 reports 1 usable availability zones; need 2"):
        build(stack)
