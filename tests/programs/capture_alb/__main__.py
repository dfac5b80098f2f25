"""The conventional layout: awsx VPC (NAT strategy Single), ALB, Fargate service, ECR repository + image."""

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

vpc = awsx.ec2.Vpc(
    "net", nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=awsx.ec2.NatGatewayStrategy.SINGLE)
)
alb = awsx.lb.ApplicationLoadBalancer("web", subnet_ids=vpc.public_subnet_ids)
repo = awsx.ecr.Repository("Api", force_delete=True)
image = awsx.ecr.Image("api", repository_url=repo.url, context="./app", platform="linux/amd64")
cluster = aws.ecs.Cluster("cluster")
service = awsx.ecs.FargateService(
    "api",
    cluster=cluster.arn,
    network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(subnets=vpc.private_subnet_ids),
    task_definition_args=awsx.ecs.FargateServiceTaskDefinitionArgs(
        container=awsx.ecs.TaskDefinitionContainerDefinitionArgs(
            name="api",
            image=image.image_uri,
            cpu=512,
            memory=1024,
            essential=True,
            port_mappings=[
                awsx.ecs.TaskDefinitionPortMappingArgs(
                    container_port=80, target_group=alb.default_target_group
                )
            ],
        ),
    ),
)

pulumi.export("url", pulumi.Output.concat("http://", alb.load_balancer.dns_name))
pulumi.export("listenerArn", alb.listeners.apply(lambda ls: ls[0].arn))
pulumi.export("repositoryUrl", repo.repository.repository_url)
pulumi.export("imageUri", image.image_uri)
pulumi.export("serviceName", service.service.name)
pulumi.export("taskDefinitionFamily", service.task_definition.apply(lambda td: td.family))
