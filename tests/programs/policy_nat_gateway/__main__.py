"""One NAT gateway: cost-no-nat-gateway must reject it ($32.85/month before data)."""

import pulumi_aws as aws

aws.ec2.NatGateway("nat", subnet_id="subnet-0123456789abcdef0", connectivity_type="private")
