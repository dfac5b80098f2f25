"""A VPC with a public subnet, an internet gateway and a classic NAT gateway + Elastic IP."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
cidr = config.require("cidr")
az_count = config.require_int("azCount")
zones = aws.get_availability_zones(state="available")

vpc = aws.ec2.Vpc("main", cidr_block=cidr, enable_dns_hostnames=True)
igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
subnets = [
    aws.ec2.Subnet(
        f"public-{i}",
        vpc_id=vpc.id,
        cidr_block=f"10.20.{i}.0/24",
        availability_zone=zones.names[i],
        map_public_ip_on_launch=True,
    )
    for i in range(az_count)
]
eip = aws.ec2.Eip("nat", domain="vpc")
nat = aws.ec2.NatGateway(
    "nat", subnet_id=subnets[0].id, allocation_id=eip.id, opts=pulumi.ResourceOptions(depends_on=[igw])
)

pulumi.export("natGatewayId", nat.id)
pulumi.export("password", config.require_secret("dbPassword"))
