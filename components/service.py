"""Service: the ECS Fargate service that runs the API, registered in Cloud Map with SRV records.

Creates:
- an ECS cluster (Container Insights off unless asked) with the FARGATE and FARGATE_SPOT capacity
  providers and the default strategy from config (on-demand base, then weights);
- a log group with finite retention for the container's stdout/stderr;
- an execution role that may pull only this repository's image and write only to this log group,
  and a task role that may do item-level DynamoDB actions only on this table and its indexes;
- a task definition: ARM64 by default, CPU/memory from config, the container port, environment
  (TABLE_NAME, AWS_REGION, ...), a container health check, a read-only root file system and
  `stopTimeout` 120 s, the most ECS allows: Fargate Spot sends SIGTERM two minutes before it
  reclaims a task, so the server gets all of that to drain;
- a Cloud Map private DNS namespace and service with **SRV** records: API Gateway's Cloud Map
  integration needs each task's IP and port, and only SRV records carry the port;
- the ECS service in the public subnets with a public IP (image pulls without a NAT gateway), the
  service security group, the Cloud Map registry (container name and port, required for SRV) and
  the deployment circuit breaker with rollback;
- Application Auto Scaling: a scalable target (min/max tasks) with CPU target tracking, and
  optional scheduled actions that scale to zero and back (cron + time zone from config).

Target tracking cannot scale out from zero tasks (no CPU data, and insufficient data never scales),
so while the service is awake the autoscaling floor is at least 1; only the sleep schedule, or
desiredTasks = 0, brings it to zero.

**Cost** (eu-west-1, 730 h/month; prices in the project's price book):
- per task, 0.25 vCPU / 0.5 GB ARM64: on demand 0.25 x $0.03238 + 0.5 x $0.00356 = $0.009875/h
  (~$7.21/month); on Fargate Spot ~$0.002986/h (~$2.18/month, Spot prices float);
- per running task, its public IPv4 address: $0.005/h (~$3.65/month);
- so dev (1 Spot task) ~$5.83/month and prod (1 on-demand + 1 Spot) ~$16.69/month, before
  autoscaling; x86 costs ~25% more than ARM64;
- Cloud Map: the private namespace's Route 53 hosted zone $0.50/month, $0.10 per registered task
  per month; logs: $0.57/GB ingested and $0.03/GB-month stored (retention keeps storage small);
- Container Insights (off by default) adds custom-metric charges per task and service.
The cluster, roles, target tracking and scheduled actions are free; the two CloudWatch alarms that
target tracking creates are billed like any alarm ($0.10 each per month beyond the 10 free alarm
metrics, which components.alarms keeps to).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

CONTAINER_NAME = "api"

# The CPU target-tracking policy makes Application Auto Scaling create and manage two CloudWatch alarms
# (AlarmHigh and AlarmLow; Application Auto Scaling User Guide, "Target tracking scaling policies"). They
# are ordinary standard-resolution alarms in the account, so they count against the 10 free alarm
# metrics (components.alarms counts them).
TARGET_TRACKING_ALARM_METRICS = 2

# The item-level DynamoDB actions the API performs (app/store.py: UpdateItem ADD per report, Query per
# heatmap partition, GetItem for /health); no Put/Delete, no Scan, no table-level or admin actions.
TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
)

ECS_TASKS_ASSUME_ROLE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


@dataclass
class ServiceArgs:
    image_uri: pulumi.Input[str]
    repository_arn: pulumi.Input[str]
    table_name: pulumi.Input[str]
    table_arn: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[str]]
    security_group_id: pulumi.Input[str]
    region: str
    cpu: int = 256
    memory: int = 512
    cpu_architecture: str = "ARM64"
    desired_tasks: int = 1
    min_tasks: int = 0
    max_tasks: int = 2
    on_demand_base: int = 0
    on_demand_weight: int = 0
    spot_weight: int = 1
    cpu_target_percent: int = 60
    log_retention_days: int = 7
    container_insights: bool = False
    sleep_schedule: str | None = None
    wake_schedule: str | None = None
    schedule_timezone: str = "UTC"
    log_level: str = "INFO"
    container_port: int = 8080
    # Liveness only (app: GET /live answers without DynamoDB): a DynamoDB outage must not make ECS replace
    # every task, which would not help; /health stays the deep check for people and probes.
    health_check_path: str = "/live"
    namespace_name: str = "heatmap.internal"
    permissions_boundary: pulumi.Input[str] | None = None
    """ARN of a managed policy set as the permissions boundary of the task and execution roles (the CI
    deploy role's boundary, when CI roles are on: components/github_oidc.py); None: no boundary."""


def capacity_provider_strategy(args: ServiceArgs) -> list[dict]:
    """The capacity provider strategy: on-demand base (if any) and the weights that are not zero."""
    # Only one provider in a strategy may define a base, so Spot never carries one.
    strategy: list[dict] = []
    if args.on_demand_base > 0 or args.on_demand_weight > 0:
        on_demand: dict = {"capacity_provider": "FARGATE", "weight": args.on_demand_weight}
        if args.on_demand_base > 0:
            on_demand["base"] = args.on_demand_base
        strategy.append(on_demand)
    if args.spot_weight > 0:
        strategy.append({"capacity_provider": "FARGATE_SPOT", "weight": args.spot_weight})
    return strategy


def awake_floor(args: ServiceArgs) -> int:
    """Lowest task count autoscaling may set while awake (0 only when the service is parked)."""
    if args.desired_tasks == 0:
        return 0
    return max(1, args.min_tasks)


def task_role_policy(table_arn: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "HeatmapTableItems",
                    "Effect": "Allow",
                    "Action": list(TABLE_ACTIONS),
                    "Resource": [table_arn, f"{table_arn}/index/*"],
                }
            ],
        }
    )


def execution_role_policy(repository_arn: str, log_group_arn: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                # GetAuthorizationToken has no resource-level permissions (ECR docs): "*" is the only form.
                {
                    "Sid": "EcrLogin",
                    "Effect": "Allow",
                    "Action": "ecr:GetAuthorizationToken",
                    "Resource": "*",
                },
                {
                    "Sid": "PullImage",
                    "Effect": "Allow",
                    "Action": [
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:BatchGetImage",
                        "ecr:GetDownloadUrlForLayer",
                    ],
                    "Resource": repository_arn,
                },
                {
                    "Sid": "WriteLogs",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": f"{log_group_arn}:*",
                },
            ],
        }
    )


def container_definitions(args: ServiceArgs, image_uri: str, table_name: str, log_group_name: str) -> str:
    port = args.container_port
    probe = (
        "import sys,urllib.request;"
        f"sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:{port}{args.health_check_path}',"
        " timeout=4).status == 200 else 1)"
    )
    return json.dumps(
        [
            {
                "name": CONTAINER_NAME,
                "image": image_uri,
                "essential": True,
                "portMappings": [{"containerPort": port, "protocol": "tcp", "name": "http"}],
                "environment": [
                    {"name": "TABLE_NAME", "value": table_name},
                    {"name": "AWS_REGION", "value": args.region},
                    {"name": "AWS_DEFAULT_REGION", "value": args.region},
                    {"name": "PORT", "value": str(port)},
                    {"name": "LOG_LEVEL", "value": args.log_level},
                ],
                # The slim image has no curl; Python is there.
                "healthCheck": {
                    "command": ["CMD", "python", "-c", probe],
                    "interval": 15,
                    "timeout": 5,
                    "retries": 3,
                    "startPeriod": 20,
                },
                "stopTimeout": 120,
                "readonlyRootFilesystem": True,
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": log_group_name,
                        "awslogs-region": args.region,
                        "awslogs-stream-prefix": CONTAINER_NAME,
                    },
                },
            }
        ]
    )


class Service(pulumi.ComponentResource):
    cluster_name: pulumi.Output[str]
    service_name: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    discovery_service_arn: pulumi.Output[str]
    task_role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("safety-heatmap:index:Service", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        cluster = aws.ecs.Cluster(
            f"{name}-cluster",
            settings=[
                {"name": "containerInsights", "value": "enabled" if args.container_insights else "disabled"}
            ],
            opts=child,
        )
        strategy = capacity_provider_strategy(args)
        providers = aws.ecs.ClusterCapacityProviders(
            f"{name}-capacity",
            cluster_name=cluster.name,
            capacity_providers=["FARGATE", "FARGATE_SPOT"],
            default_capacity_provider_strategies=strategy,
            opts=child,
        )

        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs", retention_in_days=args.log_retention_days, opts=child
        )

        execution_role = aws.iam.Role(
            f"{name}-execution",
            assume_role_policy=ECS_TASKS_ASSUME_ROLE,
            description="ECS agent: pull, log",
            permissions_boundary=args.permissions_boundary,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-execution",
            role=execution_role.id,
            policy=pulumi.Output.all(args.repository_arn, log_group.arn).apply(
                lambda arns: execution_role_policy(arns[0], arns[1])
            ),
            opts=child,
        )
        task_role = aws.iam.Role(
            f"{name}-task",
            assume_role_policy=ECS_TASKS_ASSUME_ROLE,
            description="API: table items only",
            permissions_boundary=args.permissions_boundary,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-task",
            role=task_role.id,
            policy=pulumi.Output.from_input(args.table_arn).apply(task_role_policy),
            opts=child,
        )

        task_definition = aws.ecs.TaskDefinition(
            f"{name}-task",
            family=f"{name}-api",
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(args.cpu),
            memory=str(args.memory),
            runtime_platform={"cpu_architecture": args.cpu_architecture, "operating_system_family": "LINUX"},
            execution_role_arn=execution_role.arn,
            task_role_arn=task_role.arn,
            container_definitions=pulumi.Output.all(args.image_uri, args.table_name, log_group.name).apply(
                lambda values: container_definitions(args, values[0], values[1], values[2])
            ),
            opts=child,
        )

        namespace = aws.servicediscovery.PrivateDnsNamespace(
            f"{name}-namespace",
            name=args.namespace_name,
            vpc=args.vpc_id,
            description="Private DNS for API Gateway's Cloud Map integration",
            opts=child,
        )
        discovery = aws.servicediscovery.Service(
            f"{name}-discovery",
            name=CONTAINER_NAME,
            dns_config={
                "namespace_id": namespace.id,
                "routing_policy": "MULTIVALUE",
                "dns_records": [{"type": "SRV", "ttl": 10}],
            },
            # Present (empty: AWS fixes the threshold at 1) so ECS reports task health to Cloud Map.
            health_check_custom_config={},
            force_destroy=True,
            opts=child,
        )

        service = aws.ecs.Service(
            f"{name}-service",
            cluster=cluster.arn,
            task_definition=task_definition.arn,
            desired_count=args.desired_tasks,
            capacity_provider_strategies=strategy,
            platform_version="LATEST",
            network_configuration={
                "subnets": args.subnet_ids,
                "security_groups": [args.security_group_id],
                "assign_public_ip": True,
            },
            service_registries={
                "registry_arn": discovery.arn,
                "container_name": CONTAINER_NAME,
                "container_port": args.container_port,
            },
            deployment_circuit_breaker={"enable": True, "rollback": True},
            deployment_minimum_healthy_percent=100,
            deployment_maximum_percent=200,
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            wait_for_steady_state=False,
            opts=pulumi.ResourceOptions(
                parent=self,
                # The capacity providers must be on the cluster before a strategy can name them.
                depends_on=[providers],
                # Autoscaling owns the task count after the first deployment.
                ignore_changes=["desiredCount"],
            ),
        )

        floor = awake_floor(args)
        resource_id = pulumi.Output.concat("service/", cluster.name, "/", service.name)
        target = aws.appautoscaling.Target(
            f"{name}-scaling",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=resource_id,
            min_capacity=floor,
            max_capacity=args.max_tasks,
            opts=child,
        )
        cpu_target = aws.appautoscaling.Policy(
            f"{name}-cpu-target",
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration={
                "predefined_metric_specification": {
                    "predefined_metric_type": "ECSServiceAverageCPUUtilization"
                },
                "target_value": args.cpu_target_percent,
                "scale_in_cooldown": 300,
                "scale_out_cooldown": 60,
            },
            opts=child,
        )
        if args.sleep_schedule and args.wake_schedule:
            # One change at a time on the scalable target: Application Auto Scaling answers concurrent
            # PutScalingPolicy/PutScheduledAction calls on one target with ConcurrentUpdateException
            # (hashicorp/terraform-provider-aws#17915), and the engine would otherwise create these in
            # parallel. Chain: policy -> sleep -> wake.
            previous: pulumi.Resource = cpu_target
            for action, schedule, low, high in (
                ("sleep", args.sleep_schedule, 0, 0),
                ("wake", args.wake_schedule, floor, args.max_tasks),
            ):
                previous = aws.appautoscaling.ScheduledAction(
                    f"{name}-{action}",
                    service_namespace=target.service_namespace,
                    scalable_dimension=target.scalable_dimension,
                    resource_id=target.resource_id,
                    schedule=schedule,
                    timezone=args.schedule_timezone,
                    scalable_target_action={"min_capacity": low, "max_capacity": high},
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[previous]),
                )

        self.cluster_name = cluster.name
        self.service_name = service.name
        self.log_group_name = log_group.name
        self.discovery_service_arn = discovery.arn
        self.task_role_arn = task_role.arn
        self.register_outputs(
            {
                "clusterName": self.cluster_name,
                "serviceName": self.service_name,
                "logGroupName": self.log_group_name,
                "discoveryServiceArn": self.discovery_service_arn,
                "taskRoleArn": self.task_role_arn,
            }
        )
