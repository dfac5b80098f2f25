"""A VPC, two private subnets, an Interface endpoint for ECR (billed per AZ-hour) and a free Gateway one."""

import pulumi_aws as aws

region = aws.get_region()
vpc = aws.ec2.Vpc("vpc", cidr_block="10.1.0.0/16")
subnets = [
    aws.ec2.Subnet(
        f"private-{zone}",
        vpc_id=vpc.id,
        cidr_block=f"10.1.{i}.0/24",
        availability_zone=f"{region.region}{zone}",
    )
    for i, zone in enumerate("ab")
]
sg = aws.ec2.SecurityGroup("endpoints", vpc_id=vpc.id)
aws.ec2.VpcEndpoint(
    "ecr-api",
    vpc_id=vpc.id,
    service_name=f"com.amazonaws.{region.region}.ecr.api",
    vpc_endpoint_type="Interface",
    private_dns_enabled=True,
    subnet_ids=[s.id for s in subnets],
    security_group_ids=[sg.id],
)
aws.ec2.VpcEndpoint(
    "dynamodb",
    vpc_id=vpc.id,
    service_name=f"com.amazonaws.{region.region}.dynamodb",
    vpc_endpoint_type="Gateway",
    route_table_ids=[vpc.main_route_table_id],
)
