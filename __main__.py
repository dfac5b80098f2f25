"""Safety Heatmap stack: read the settings once, compose the components, export what operators need.

An invalid config value raises `SettingsError` (a `pulumi.RunError`): Pulumi prints its one-line
message and exits non-zero, without a traceback.
"""

import pulumi

from components.alarms import Alarms, AlarmsArgs
from components.budget import Budget, BudgetArgs
from components.github_oidc import GitHubDeployRoles, GitHubDeployRolesArgs
from components.http_api import HttpApi, HttpApiArgs
from components.image import Image, ImageArgs
from components.network import Network, NetworkArgs
from components.service import TARGET_TRACKING_ALARM_METRICS, Service, ServiceArgs
from components.settings import settings_from_pulumi_config
from components.table import Table, TableArgs
from components.tagging import STACK_TAG_KEY, tag_resources

CONTAINER_PORT = 8080  # the Dockerfile's uvicorn port

settings = settings_from_pulumi_config()
# Every physical name starts with <project>-<stack>: the CI deploy role's permissions are scoped to it.
stack = f"{pulumi.get_project()}-{pulumi.get_stack()}"
# Every AWS resource carries pulumi-stack=<project>-<stack>: the budget's cost filter (budgetScope: stack).
tag_resources({STACK_TAG_KEY: stack})
# The Cloud Map namespace is per stack, so that one stack's deploy role, which may delete the records
# under its namespace in Route 53, cannot touch another stack's in the same account.
dns_namespace = f"{pulumi.get_stack()}.heatmap.internal"

# The CI roles come first when on: their permissions boundary must be on the service's roles.
ci = (
    GitHubDeployRoles(
        "ci",
        GitHubDeployRolesArgs(
            repository=settings.github_repository,
            project=pulumi.get_project(),
            stack=pulumi.get_stack(),
            region=settings.region,
            resource_prefix=stack,
            oidc_provider_arn=settings.github_oidc_provider_arn,
            state_backend_url=settings.github_state_backend_url,
            environments=settings.github_deploy_environments,
            dns_namespace=dns_namespace,
        ),
    )
    if settings.github_repository
    else None
)

network = Network(stack, NetworkArgs(region=settings.region, container_port=CONTAINER_PORT))
image = Image(
    stack,
    ImageArgs(
        keep_tagged=settings.image_keep_tagged,
        platform=settings.platform,
        force_delete=not settings.deletion_protection,
    ),
)
table = Table(
    stack,
    TableArgs(
        point_in_time_recovery=settings.point_in_time_recovery,
        deletion_protection=settings.deletion_protection,
    ),
)
service = Service(
    stack,
    ServiceArgs(
        image_uri=image.image_uri,
        repository_arn=image.repository_arn,
        table_name=table.table_name,
        table_arn=table.table_arn,
        vpc_id=network.vpc_id,
        subnet_ids=network.public_subnet_ids,
        security_group_id=network.service_security_group_id,
        region=settings.region,
        cpu=settings.cpu,
        memory=settings.memory,
        cpu_architecture=settings.cpu_architecture,
        desired_tasks=settings.desired_tasks,
        min_tasks=settings.min_tasks,
        max_tasks=settings.max_tasks,
        on_demand_base=settings.on_demand_base,
        on_demand_weight=settings.on_demand_weight,
        spot_weight=settings.spot_weight,
        cpu_target_percent=settings.cpu_target_percent,
        log_retention_days=settings.log_retention_days,
        container_insights=settings.container_insights,
        sleep_schedule=settings.sleep_schedule,
        wake_schedule=settings.wake_schedule,
        schedule_timezone=settings.schedule_timezone,
        container_port=CONTAINER_PORT,
        namespace_name=dns_namespace,
        permissions_boundary=ci.permissions_boundary_arn if ci is not None else None,
    ),
)
api = HttpApi(
    stack,
    HttpApiArgs(
        subnet_ids=network.public_subnet_ids,
        link_security_group_id=network.link_security_group_id,
        discovery_service_arn=service.discovery_service_arn,
        throttle_rate_limit=settings.throttle_rate_limit,
        throttle_burst_limit=settings.throttle_burst_limit,
        log_retention_days=settings.log_retention_days,
        cors_allow_origins=settings.cors_allow_origins,
    ),
)
alarms = Alarms(
    stack,
    AlarmsArgs(
        api_id=api.api_id,
        cluster_name=service.cluster_name,
        service_name=service.service_name,
        table_name=table.table_name,
        alert_email=settings.alert_email,
        latency_threshold_ms=settings.alarm_latency_ms,
        expect_running_tasks=settings.desired_tasks > 0,
        sleeps_on_schedule=settings.sleep_schedule is not None,
        target_tracking_alarm_metrics=TARGET_TRACKING_ALARM_METRICS,
        max_alarm_metrics=settings.max_alarm_metrics,
    ),
)
Budget(
    stack,
    BudgetArgs(
        limit_usd=settings.monthly_budget_usd,
        alert_email=settings.alert_email,
        cost_tag=(STACK_TAG_KEY, stack) if settings.budget_scope == "stack" else None,
    ),
)

pulumi.export("apiUrl", api.url)
pulumi.export("imageUri", image.image_uri)
pulumi.export("clusterName", service.cluster_name)
pulumi.export("serviceName", service.service_name)
pulumi.export("tableName", table.table_name)
pulumi.export("serviceLogGroupName", service.log_group_name)
pulumi.export("accessLogGroupName", api.access_log_group_name)
pulumi.export("alarmTopicArn", alarms.topic_arn)

if ci is not None:
    pulumi.export("githubDeployRoleArn", ci.deploy_role_arn)
    pulumi.export("githubPreviewRoleArn", ci.preview_role_arn)
    pulumi.export("githubOidcProviderArn", ci.oidc_provider_arn)
