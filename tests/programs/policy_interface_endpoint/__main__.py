"""An interface endpoint for ECR in two subnets: cost-no-interface-endpoint must reject it ($14.60/month)."""

import pulumi_aws as aws

aws.ec2.VpcEndpoint(
    "ecr-api",
    vpc_id="vpc-0123456789abcdef0",
    service_name="com.amazonaws.us-east-1.ecr.api",
    vpc_endpoint_type="Interface",
    subnet_ids=["subnet-0aaa", "subnet-0bbb"],
    private_dns_enabled=True,
)
