"""A 2 vCPU / 4 GB Fargate task definition: cost-fargate-task-size must reject it (default max 512 / 1024)."""

import json

import pulumi_aws as aws

aws.ecs.TaskDefinition(
    "big",
    family="big",
    cpu="2048",
    memory="4096",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    container_definitions=json.dumps(
        [{"name": "app", "image": "public.ecr.aws/nginx/nginx:latest", "essential": True}]
    ),
)
