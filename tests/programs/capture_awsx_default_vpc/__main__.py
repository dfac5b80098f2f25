"""awsx.ec2.Vpc("vpc") with defaults, or with the NAT strategy from config."""

import pulumi
import pulumi_awsx as awsx

strategy = pulumi.Config().get("natStrategy")
args = {"nat_gateways": awsx.ec2.NatGatewayConfigurationArgs(strategy=strategy)} if strategy else {}
vpc = awsx.ec2.Vpc("vpc", **args)

pulumi.export("vpcId", vpc.vpc_id)
pulumi.export("privateSubnetIds", vpc.private_subnet_ids)
pulumi.export("publicSubnetIds", vpc.public_subnet_ids)
pulumi.export("natGatewayCount", vpc.nat_gateways.apply(len))
pulumi.export("firstSubnetCidr", vpc.subnets.apply(lambda subnets: subnets[0].cidr_block))
