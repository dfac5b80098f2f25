"""The conventional layout, as the awsx and ECS getting-started guides build it."""

import pulumi_aws as aws
import pulumi_awsx as awsx

vpc = awsx.ec2.Vpc("vpc")  # awsx default: 3 AZs, public + private subnets, one NAT gateway per AZ
alb = awsx.lb.ApplicationLoadBalancer("alb", subnet_ids=vpc.public_subnet_ids)
cluster = aws.ecs.Cluster("cluster")
repository = awsx.ecr.Repository("repo")
image = awsx.ecr.Image("image", repository_url=repository.url, context="../../..", platform="linux/amd64")
table = aws.dynamodb.Table(
    "reports",
    billing_mode="PAY_PER_REQUEST",
    hash_key="pk",
    range_key="sk",
    attributes=[
        aws.dynamodb.TableAttributeArgs(name="pk", type="S"),
        aws.dynamodb.TableAttributeArgs(name="sk", type="S"),
    ],
)
service = awsx.ecs.FargateService(
    "service",
    cluster=cluster.arn,
    desired_count=1,
    network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
        subnets=vpc.private_subnet_ids, assign_public_ip=False
    ),
    task_definition_args=awsx.ecs.FargateServiceTaskDefinitionArgs(
        container=awsx.ecs.TaskDefinitionContainerDefinitionArgs(
            name="api",
            image=image.image_uri,
            cpu=256,
            memory=512,
            essential=True,
            port_mappings=[
                awsx.ecs.TaskDefinitionPortMappingArgs(
                    container_port=8080, target_group=alb.default_target_group
                )
            ],
        ),
    ),
)
