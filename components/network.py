"""Network: a VPC with public subnets only, free gateway endpoints, and the two security groups.

Creates a VPC (DNS support and host names on, so the Cloud Map private namespace resolves), one
public /20 subnet in each of the first `az_count` availability zones the region reports (looked up,
never hard-coded), an internet gateway with one route table (0.0.0.0/0 -> gateway) shared by the
subnets, gateway VPC endpoints for DynamoDB and S3 on that route table, and two security groups:

- the VPC link group: no ingress at all (API Gateway's VPC link only opens connections), egress
  only to the service group on the container port;
- the service group: ingress only from the link group on the container port, egress only HTTPS
  (image pulls from ECR, CloudWatch Logs, DynamoDB through the gateway endpoint).

There is no NAT gateway and no private subnet: tasks get a public IP to pull their image.

**Cost**: $0.00/month for everything here. VPCs, subnets, route tables, internet gateways, security
groups and gateway endpoints for S3/DynamoDB carry no charge. What this layout avoids: a NAT gateway
(eu-west-1 $0.048/h, ~$35/month each, plus $0.048/GB) and interface endpoints ($0.011 per AZ-hour,
~$8/month per AZ per endpoint). The price it does pay lives with the tasks (see `service.py`):
$0.005/h (~$3.65/month) per running task's public IPv4 address.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass
class NetworkArgs:
    region: str
    container_port: int = 8080
    cidr_block: str = "10.0.0.0/16"
    az_count: int = 2


class Network(pulumi.ComponentResource):
    vpc_id: pulumi.Output[str]
    public_subnet_ids: pulumi.Output[list[str]]
    route_table_id: pulumi.Output[str]
    link_security_group_id: pulumi.Output[str]
    service_security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("safety-heatmap:index:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        found = aws.get_availability_zones(
            state="available",
            # Skip Local/Wavelength zones: they are opt-in and Fargate does not run there.
            filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
            opts=pulumi.InvokeOptions(parent=self),
        )
        zones = list(found.names or [])[: args.az_count]
        if len(zones) < 2:
            raise pulumi.RunError(
                f"region {args.region} reports {len(zones)} usable availability zones; need 2"
            )

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr_block,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": f"{name}-vpc"},
            opts=child,
        )
        gateway = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, opts=child)
        route_table = aws.ec2.RouteTable(f"{name}-public", vpc_id=vpc.id, opts=child)
        aws.ec2.Route(
            f"{name}-internet",
            route_table_id=route_table.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=gateway.id,
            opts=child,
        )

        blocks = list(ipaddress.ip_network(args.cidr_block).subnets(new_prefix=20))
        subnets = []
        for index, zone in enumerate(zones):
            subnet = aws.ec2.Subnet(
                f"{name}-public-{index}",
                vpc_id=vpc.id,
                cidr_block=str(blocks[index]),
                availability_zone=zone,
                # Tasks ask for their own public IP (assignPublicIp); nothing else should get one.
                map_public_ip_on_launch=False,
                tags={"Name": f"{name}-public-{zone}"},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{index}", subnet_id=subnet.id, route_table_id=route_table.id, opts=child
            )
            subnets.append(subnet)

        for service in ("dynamodb", "s3"):
            aws.ec2.VpcEndpoint(
                f"{name}-{service}",
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.{args.region}.{service}",
                vpc_endpoint_type="Gateway",
                route_table_ids=[route_table.id],
                opts=child,
            )

        link_group = aws.ec2.SecurityGroup(
            f"{name}-vpc-link",
            vpc_id=vpc.id,
            description="API Gateway VPC link: no ingress; egress to the service on its port",
            opts=child,
        )
        service_group = aws.ec2.SecurityGroup(
            f"{name}-service",
            vpc_id=vpc.id,
            description="Fargate tasks: ingress only from the VPC link; egress HTTPS",
            opts=child,
        )
        # Separate rule resources: the two groups refer to each other, which inline rules cannot express.
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-service-from-link",
            security_group_id=service_group.id,
            referenced_security_group_id=link_group.id,
            ip_protocol="tcp",
            from_port=args.container_port,
            to_port=args.container_port,
            description="HTTP from the API Gateway VPC link",
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-link-to-service",
            security_group_id=link_group.id,
            referenced_security_group_id=service_group.id,
            ip_protocol="tcp",
            from_port=args.container_port,
            to_port=args.container_port,
            description="HTTP to the Fargate tasks",
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-service-https",
            security_group_id=service_group.id,
            cidr_ipv4="0.0.0.0/0",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description="HTTPS to ECR, CloudWatch Logs and DynamoDB (gateway endpoint)",
            opts=child,
        )

        self.vpc_id = vpc.id
        self.public_subnet_ids = pulumi.Output.all(*[subnet.id for subnet in subnets])
        self.route_table_id = route_table.id
        self.link_security_group_id = link_group.id
        self.service_security_group_id = service_group.id
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "publicSubnetIds": self.public_subnet_ids,
                "routeTableId": self.route_table_id,
                "linkSecurityGroupId": self.link_security_group_id,
                "serviceSecurityGroupId": self.service_security_group_id,
            }
        )
