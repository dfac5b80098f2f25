import pytest

from costguard.graph import Graph, Resource
from costguard.pricing import estimate


def priced(region, *resources):
    graph = Graph("p", "dev", list(resources), {"aws:region": region})
    return {r.name: r for r in estimate(graph).resources}


def lines(cost):
    return {c.name: round(c.monthly, 6) for c in cost.after}


def test_nat_gateway_us_east_1():
    cost = priced("us-east-1", Resource("u", "aws:ec2/natGateway:NatGateway", "nat"))["nat"]
    # 0.045 $/h x 730 h = 32.85; default 10 GB processed x 0.045 = 0.45
    assert lines(cost) == {"NAT gateway": 32.85, "Data processed": 0.45}
    assert [c.kind for c in cost.after] == ["fixed", "usage"]
    assert cost.monthly_after == pytest.approx(33.30)


def test_nat_gateway_eu_west_1():
    cost = priced("eu-west-1", Resource("u", "aws-native:ec2:NatGateway", "nat"))["nat"]
    assert lines(cost)["NAT gateway"] == pytest.approx(0.048 * 730)  # 35.04


@pytest.mark.parametrize(
    "type_",
    [
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:alb/loadBalancer:LoadBalancer",
        "aws:elasticloadbalancingv2/loadBalancer:LoadBalancer",
        "aws-native:elasticloadbalancingv2:LoadBalancer",
    ],
)
def test_application_load_balancer_every_spelling(type_):
    cost = priced("us-east-1", Resource("u", type_, "alb"))["alb"]
    # 0.0225 x 730 = 16.425; 1 LCU x 730 h x 0.008 = 5.84
    assert lines(cost) == {"Application load balancer": 16.425, "Capacity units": 5.84}


def test_network_load_balancer_eu():
    cost = priced(
        "eu-west-1",
        Resource("u", "aws:lb/loadBalancer:LoadBalancer", "nlb", inputs={"loadBalancerType": "network"}),
    )
    # 0.0252 x 730 = 18.396; NLCU 0.006 x 730 = 4.38 (unverified in eu-west-1)
    assert lines(cost["nlb"]) == {"Network load balancer": 18.396, "Capacity units": 4.38}
    assert not cost["nlb"].after[1].verified


def test_classic_load_balancer_is_priced_unverified():
    cost = priced("us-east-1", Resource("u", "aws:elb/loadBalancer:LoadBalancer", "clb"))["clb"]
    assert lines(cost) == {"Classic load balancer": 18.25}  # 0.025 x 730
    assert not cost.after[0].verified


def test_interface_endpoint_per_az():
    endpoint = Resource(
        "u",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "ecr",
        inputs={"vpcEndpointType": "Interface", "subnetIds": ["a", "b", "c"]},
    )
    cost = priced("us-east-1", endpoint)["ecr"]
    # 3 AZ x 730 h x 0.01 = 21.90; default 5 GB x 0.01 = 0.05
    assert lines(cost) == {"Interface endpoint (3 AZ)": 21.9, "Data processed": 0.05}


def test_gateway_endpoint_is_free():
    cost = priced(
        "us-east-1",
        Resource("u", "aws:ec2/vpcEndpoint:VpcEndpoint", "s3", inputs={"vpcEndpointType": "Gateway"}),
    )
    assert cost["s3"].status == "free" and cost["s3"].after == []


def test_elastic_ip():
    cost = priced("us-east-1", Resource("u", "aws:ec2/eip:Eip", "ip"))["ip"]
    assert lines(cost) == {"Elastic IP (public IPv4)": 3.65}  # 0.005 x 730


def test_aws_native_spellings():
    nlb = Resource("u1", "aws-native:elasticloadbalancingv2:LoadBalancer", "nlb", inputs={"type": "network"})
    endpoint = Resource(
        "u2",
        "aws-native:ec2:VpcEndpoint",
        "vpce",
        inputs={"vpcEndpointType": "Interface", "subnetIds": ["a"]},
    )
    got = priced("us-east-1", nlb, endpoint)
    assert lines(got["nlb"])["Network load balancer"] == 16.425
    assert lines(got["vpce"])["Interface endpoint (1 AZ)"] == 7.3
