"""A security group that admits SSH from anywhere: security-no-public-ingress must reject it."""

import pulumi_aws as aws

aws.ec2.SecurityGroup(
    "ssh-open",
    vpc_id="vpc-0123456789abcdef0",
    description="ssh from anywhere",
    ingress=[
        aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=22, to_port=22, cidr_blocks=["0.0.0.0/0"])
    ],
)
