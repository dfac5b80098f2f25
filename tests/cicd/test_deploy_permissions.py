"""Does the CI deploy role hold every permission a real `pulumi up` / `pulumi destroy` of the stack needs?

Every resource type the program creates (dev and prod, with the CI roles on, the alert email and the
sleep/wake schedules set, and the docker-build image that `make plan` expands from awsx) is mapped to the
API calls the Pulumi AWS provider (the Terraform AWS provider underneath) makes to create, read, update,
tag and delete it, as IAM actions on the ARNs AWS authorises them against. Each call is evaluated against
the deploy role's real policy documents (taken from the program's own registrations) with an independent
evaluator (`iam_eval`). A resource type that appears without a mapping fails the test: add its calls here
and the permissions to `components/github_oidc_policies.py`.

Sources for the calls: the provider's CRUD functions (hashicorp/terraform-provider-aws
`internal/service/<service>/<resource>.go`, e.g. iam/role.go updates the description with
UpdateRoleDescription; servicediscovery/service.go with force_destroy lists and deregisters instances
before DeleteService), the AWS Cloud Map API permissions reference (the Route 53 and EC2 calls Cloud Map
makes with the caller's credentials), the Application Auto Scaling user guide (RegisterScalableTarget needs
ecs:DescribeServices/UpdateService; target tracking creates CloudWatch alarms as the caller), the API
Gateway developer guide (HTTP API access logging needs the logs delivery calls) and the service
authorization reference (which actions take a resource ARN at all).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import quote

import pytest

from costguard.capture import capture
from tests.cicd.iam_eval import DENY, Request, allowed, decide
from tests.cicd.stack_graph import ACCOUNT, REGION, ROOT, Registered, StackGraph, physical_name, run_program

REPO = "acme/safety-heatmap-aws"
GLOBAL_REGION = "us-east-1"  # IAM, Route 53 and Budgets requests are global: aws:RequestedRegion is us-east-1
VARIANT = {
    "githubRepository": REPO,
    "alertEmail": "ops@example.org",
    "sleepSchedule": "cron(0 20 ? * MON-FRI *)",
    "wakeSchedule": "cron(0 7 ? * MON-FRI *)",
}


def arn(service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
    return f"arn:aws:{service}:{REGION if region else ''}:{ACCOUNT if account else ''}:{resource}"


def call(action: str, resource: str = "*", why: str = "", **context) -> Request:
    service = action.split(":")[0]
    ctx = {"aws:RequestedRegion": GLOBAL_REGION if service in ("iam", "route53", "budgets") else REGION}
    ctx.update({key.replace("__", ":"): value for key, value in context.items()})
    return Request(action, resource, ctx, why)


def name(r: Registered) -> str:
    return physical_name(r.name, r.inputs)


def one(graph: StackGraph, type_token: str) -> Registered:
    (found,) = graph.of_type(type_token)
    return found


# --- EC2 (ids are generated; ARNs carry them) -----------------------------------------------------
VPC, SUBNET, RTB, IGW, SG, SGR, VPCE = (
    "vpc-0abc",
    "subnet-0abc",
    "rtb-0abc",
    "igw-0abc",
    "sg-0abc",
    "sgr-0abc",
    "vpce-0abc",
)


def ec2(kind: str, ident: str) -> str:
    return arn("ec2", f"{kind}/{ident}")


def _tags(kind: str, ident: str) -> list[Request]:
    # Tag-on-create (TagSpecifications) is authorised as ec2:CreateTags on the new resource.
    return [call("ec2:CreateTags", ec2(kind, ident)), call("ec2:DeleteTags", ec2(kind, ident))]


def vpc(r, g):
    return [
        call("ec2:CreateVpc", ec2("vpc", "*")),
        call("ec2:ModifyVpcAttribute", ec2("vpc", VPC), "enable DNS hostnames/support"),
        call("ec2:DescribeVpcs"),
        call("ec2:DescribeVpcAttribute"),
        call("ec2:DescribeNetworkAcls", why="read: the default network ACL"),
        call("ec2:DescribeRouteTables", why="read: the main route table"),
        call("ec2:DescribeSecurityGroups", why="read: the default security group"),
        call("ec2:DeleteVpc", ec2("vpc", VPC)),
        *_tags("vpc", VPC),
    ]


def subnet(r, g):
    return [
        call("ec2:CreateSubnet", ec2("subnet", "*")),
        call("ec2:CreateSubnet", ec2("vpc", VPC)),
        call("ec2:ModifySubnetAttribute", ec2("subnet", SUBNET), "map_public_ip_on_launch"),
        call("ec2:DescribeSubnets"),
        call("ec2:DescribeNetworkInterfaces", why="delete waits for the subnet's ENIs"),
        call("ec2:DeleteSubnet", ec2("subnet", SUBNET)),
        *_tags("subnet", SUBNET),
    ]


def internet_gateway(r, g):
    return [
        call("ec2:CreateInternetGateway", ec2("internet-gateway", "*")),
        call("ec2:AttachInternetGateway", ec2("internet-gateway", IGW)),
        call("ec2:AttachInternetGateway", ec2("vpc", VPC)),
        call("ec2:DescribeInternetGateways"),
        call("ec2:DetachInternetGateway", ec2("internet-gateway", IGW)),
        call("ec2:DeleteInternetGateway", ec2("internet-gateway", IGW)),
        *_tags("internet-gateway", IGW),
    ]


def route_table(r, g):
    return [
        call("ec2:CreateRouteTable", ec2("route-table", "*")),
        call("ec2:CreateRouteTable", ec2("vpc", VPC)),
        call("ec2:DescribeRouteTables"),
        call("ec2:DeleteRouteTable", ec2("route-table", RTB)),
        *_tags("route-table", RTB),
    ]


def route(r, g):
    return [
        call("ec2:CreateRoute", ec2("route-table", RTB)),
        call("ec2:ReplaceRoute", ec2("route-table", RTB)),
        call("ec2:DeleteRoute", ec2("route-table", RTB)),
        call("ec2:DescribeRouteTables"),
    ]


def route_table_association(r, g):
    return [
        call("ec2:AssociateRouteTable", ec2("route-table", RTB)),
        call("ec2:AssociateRouteTable", ec2("subnet", SUBNET)),
        call("ec2:ReplaceRouteTableAssociation", ec2("route-table", RTB), "route_table_id changes in place"),
        call("ec2:DisassociateRouteTable", ec2("route-table", RTB)),
        call("ec2:DescribeRouteTables"),
    ]


def security_group(r, g):
    return [
        call("ec2:CreateSecurityGroup", ec2("security-group", "*")),
        call("ec2:CreateSecurityGroup", ec2("vpc", VPC)),
        call("ec2:RevokeSecurityGroupEgress", ec2("security-group", SG), "the default allow-all egress rule"),
        call("ec2:AuthorizeSecurityGroupIngress", ec2("security-group", SG)),
        call("ec2:AuthorizeSecurityGroupEgress", ec2("security-group", SG)),
        call("ec2:DescribeSecurityGroups"),
        call("ec2:DescribeNetworkInterfaces", why="delete waits for ENIs that still use the group"),
        call("ec2:DeleteSecurityGroup", ec2("security-group", SG)),
        *_tags("security-group", SG),
    ]


def security_group_rule(direction: str) -> Callable:
    def requests(r, g):
        return [
            call(f"ec2:AuthorizeSecurityGroup{direction}", ec2("security-group", SG)),
            call(f"ec2:AuthorizeSecurityGroup{direction}", ec2("security-group-rule", "*")),
            call("ec2:CreateTags", ec2("security-group-rule", SGR)),
            call("ec2:DeleteTags", ec2("security-group-rule", SGR)),
            call("ec2:DescribeSecurityGroupRules"),
            call("ec2:ModifySecurityGroupRules", ec2("security-group", SG)),
            call(f"ec2:RevokeSecurityGroup{direction}", ec2("security-group", SG)),
        ]

    return requests


def vpc_endpoint(r, g):
    return [
        call("ec2:CreateVpcEndpoint", ec2("vpc-endpoint", "*")),
        call("ec2:CreateVpcEndpoint", ec2("vpc", VPC)),
        call("ec2:CreateVpcEndpoint", ec2("route-table", RTB), "gateway endpoints add their routes"),
        call("ec2:DescribeVpcEndpoints"),
        call("ec2:DescribePrefixLists"),
        call("ec2:ModifyVpcEndpoint", ec2("vpc-endpoint", VPCE)),
        call("ec2:DeleteVpcEndpoints", ec2("vpc-endpoint", VPCE)),
        *_tags("vpc-endpoint", VPCE),
    ]


# --- ECR and the image ----------------------------------------------------------------------------
def repository_arn(g) -> str:
    return arn("ecr", f"repository/{name(one(g, 'aws:ecr/repository:Repository'))}")


def repository(r, g):
    repo = arn("ecr", f"repository/{name(r)}")
    return [
        call(a, repo)
        for a in (
            "ecr:CreateRepository",
            "ecr:TagResource",
            "ecr:UntagResource",
            "ecr:DescribeRepositories",
            "ecr:ListTagsForResource",
            "ecr:PutImageScanningConfiguration",
            "ecr:PutImageTagMutability",
            "ecr:DeleteRepository",
            "ecr:BatchDeleteImage",
        )
    ]


def lifecycle_policy(r, g):
    repo = repository_arn(g)
    return [
        call(a, repo)
        for a in ("ecr:PutLifecyclePolicy", "ecr:GetLifecyclePolicy", "ecr:DeleteLifecyclePolicy")
    ]


def image_push(r, g):
    """awsx.ecr.Image (through docker-build): registry credentials, then a push with the layer cache read."""
    repo = repository_arn(g)
    return [call("ecr:GetAuthorizationToken", why="aws.ecr.getAuthorizationToken inside awsx")] + [
        call(a, repo)
        for a in (
            "ecr:BatchCheckLayerAvailability",
            "ecr:InitiateLayerUpload",
            "ecr:UploadLayerPart",
            "ecr:CompleteLayerUpload",
            "ecr:PutImage",
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
        )
    ]


# --- ECS ------------------------------------------------------------------------------------------
def cluster_name(g) -> str:
    return name(one(g, "aws:ecs/cluster:Cluster"))


def service_arn(g) -> str:
    return arn("ecs", f"service/{cluster_name(g)}/{name(one(g, 'aws:ecs/service:Service'))}")


def slr(service: str) -> Request:
    return call(
        "iam:CreateServiceLinkedRole",
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/{service}/AWSServiceRole",
        "first use in the account",
        iam__AWSServiceName=service,
    )


def cluster(r, g):
    c = arn("ecs", f"cluster/{name(r)}")
    return [
        call(a, c)
        for a in (
            "ecs:CreateCluster",
            "ecs:TagResource",
            "ecs:UntagResource",
            "ecs:DescribeClusters",
            "ecs:ListTagsForResource",
            "ecs:UpdateCluster",
            "ecs:DeleteCluster",
        )
    ] + [slr("ecs.amazonaws.com")]


def capacity_providers(r, g):
    c = arn("ecs", f"cluster/{cluster_name(g)}")
    return [call("ecs:PutClusterCapacityProviders", c), call("ecs:DescribeClusters", c)]


def task_definition(r, g):
    family = arn("ecs", f"task-definition/{r.inputs['family']}:1")
    passed = [
        call("iam:PassRole", r.inputs[key], key, iam__PassedToService="ecs-tasks.amazonaws.com")
        for key in ("executionRoleArn", "taskRoleArn")
    ]
    return [
        call("ecs:RegisterTaskDefinition"),
        call("ecs:TagResource", family, "tag-on-create"),
        call("ecs:DescribeTaskDefinition"),
        call("ecs:ListTagsForResource", family),
        call("ecs:DeregisterTaskDefinition"),
        *passed,
    ]


def ecs_service(r, g):
    s = service_arn(g)
    return [
        call(a, s)
        for a in (
            "ecs:CreateService",
            "ecs:TagResource",
            "ecs:UntagResource",
            "ecs:DescribeServices",
            "ecs:ListTagsForResource",
            "ecs:UpdateService",
            "ecs:DeleteService",
        )
    ]


# --- Application Auto Scaling ---------------------------------------------------------------------
TARGET = arn("application-autoscaling", "scalable-target/0123abcd")


def scaling_target(r, g):
    return [
        call("application-autoscaling:RegisterScalableTarget", TARGET),
        call("application-autoscaling:TagResource", TARGET),
        call("application-autoscaling:UntagResource", TARGET),
        call("application-autoscaling:ListTagsForResource", TARGET),
        call("application-autoscaling:DescribeScalableTargets"),
        call("application-autoscaling:DeregisterScalableTarget", TARGET),
        call(
            "ecs:DescribeServices", service_arn(g), "RegisterScalableTarget checks the service as the caller"
        ),
        call("ecs:UpdateService", service_arn(g), "RegisterScalableTarget checks the service as the caller"),
        slr("ecs.application-autoscaling.amazonaws.com"),
    ]


def scaling_policy(r, g):
    alarm = arn("cloudwatch", f"alarm:TargetTracking-service/{cluster_name(g)}/svc-AlarmHigh-0123")
    return [
        call("application-autoscaling:PutScalingPolicy", TARGET),
        call("application-autoscaling:DescribeScalingPolicies"),
        call("application-autoscaling:DeleteScalingPolicy", TARGET),
        call("cloudwatch:PutMetricAlarm", alarm, "target tracking creates its alarms as the caller"),
        call("cloudwatch:DescribeAlarms"),
        call("cloudwatch:DeleteAlarms", alarm),
    ]


def scheduled_action(r, g):
    return [
        call("application-autoscaling:PutScheduledAction", TARGET),
        call("application-autoscaling:DescribeScheduledActions"),
        call("application-autoscaling:DeleteScheduledAction", TARGET),
    ]


# --- Cloud Map and its private hosted zone --------------------------------------------------------
NAMESPACE_ARN = arn("servicediscovery", "namespace/ns-0abc")
SERVICE_ARN = arn("servicediscovery", "service/srv-0abc")
ZONE = "arn:aws:route53:::hostedzone/Z0ABC"


def namespace(r, g):
    return [
        call("servicediscovery:CreatePrivateDnsNamespace", why="no resource type: *"),
        call("servicediscovery:TagResource", NAMESPACE_ARN),
        call("servicediscovery:UntagResource", NAMESPACE_ARN),
        call("servicediscovery:GetOperation"),
        call("servicediscovery:GetNamespace", NAMESPACE_ARN),
        call("servicediscovery:ListTagsForResource", NAMESPACE_ARN),
        call("servicediscovery:UpdatePrivateDnsNamespace", NAMESPACE_ARN),
        call("servicediscovery:DeleteNamespace", NAMESPACE_ARN),
        # Cloud Map API permissions reference, CreatePrivateDnsNamespace:
        call("route53:CreateHostedZone"),
        call("route53:GetHostedZone", ZONE),
        call("route53:ListHostedZonesByName"),
        call("ec2:DescribeVpcs"),
        call("ec2:DescribeRegions"),
    ]


def discovery_service(r, g):
    ns = one(g, "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace").inputs["name"]
    srv = f"{r.inputs['name']}.{ns}"
    task_record = f"0123456789abcdef0123456789abcdef.{srv}"
    return [
        call("servicediscovery:CreateService", NAMESPACE_ARN),
        call("servicediscovery:CreateService", SERVICE_ARN),
        call("servicediscovery:TagResource", SERVICE_ARN),
        call("servicediscovery:UntagResource", SERVICE_ARN),
        call("servicediscovery:GetService", SERVICE_ARN),
        call("servicediscovery:ListTagsForResource", SERVICE_ARN),
        call("servicediscovery:UpdateService", SERVICE_ARN),
        call("servicediscovery:GetOperation"),
        # force_destroy: ListInstances, DeregisterInstance each, then DeleteService.
        call("servicediscovery:ListInstances", SERVICE_ARN),
        call("servicediscovery:DeregisterInstance", SERVICE_ARN),
        call(
            "route53:ChangeResourceRecordSets",
            ZONE,
            "DeregisterInstance deletes the task's SRV and A records as the caller",
            route53__ChangeResourceRecordSetsNormalizedRecordNames=[srv, task_record],
            route53__ChangeResourceRecordSetsRecordTypes=["SRV", "A"],
            route53__ChangeResourceRecordSetsActions=["DELETE"],
        ),
        call("route53:GetHealthCheck", "arn:aws:route53:::healthcheck/hc-0abc"),
        call("route53:DeleteHealthCheck", "arn:aws:route53:::healthcheck/hc-0abc"),
        call("route53:UpdateHealthCheck", "arn:aws:route53:::healthcheck/hc-0abc"),
        call("servicediscovery:DeleteService", SERVICE_ARN),
    ]


# --- API Gateway (HTTP API) -----------------------------------------------------------------------
API = "a1b2c3"


def apigw(path: str) -> str:
    return f"arn:aws:apigateway:{REGION}::{path}"


def _apigw_tags(path: str) -> list[Request]:
    tagged = quote(apigw(path), safe="")
    return [
        call("apigateway:POST", apigw(f"/tags/{tagged}")),
        call("apigateway:DELETE", apigw(f"/tags/{tagged}")),
    ]


def http_api(r, g):
    return [
        call("apigateway:POST", apigw("/apis")),
        call("apigateway:GET", apigw(f"/apis/{API}")),
        call("apigateway:PATCH", apigw(f"/apis/{API}")),
        call("apigateway:DELETE", apigw(f"/apis/{API}")),
        *_apigw_tags(f"/apis/{API}"),
    ]


def api_child(collection: str, ident: str) -> Callable:
    def requests(r, g):
        return [
            call("apigateway:POST", apigw(f"/apis/{API}/{collection}")),
            call("apigateway:GET", apigw(f"/apis/{API}/{collection}/{ident}")),
            call("apigateway:PATCH", apigw(f"/apis/{API}/{collection}/{ident}")),
            call("apigateway:DELETE", apigw(f"/apis/{API}/{collection}/{ident}")),
        ]

    return requests


def stage(r, g):
    delivery = [
        call(a)
        for a in (
            "logs:CreateLogDelivery",
            "logs:GetLogDelivery",
            "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries",
            "logs:PutResourcePolicy",
            "logs:DescribeResourcePolicies",
            "logs:DescribeLogGroups",
        )
    ]
    return api_child("stages", "$default")(r, g) + _apigw_tags(f"/apis/{API}/stages/$default") + delivery


def vpc_link(r, g):
    return [
        call("apigateway:POST", apigw("/vpclinks")),
        call("apigateway:GET", apigw("/vpclinks/vl0abc")),
        call("apigateway:PATCH", apigw("/vpclinks/vl0abc")),
        call("apigateway:DELETE", apigw("/vpclinks/vl0abc")),
        *_apigw_tags("/vpclinks/vl0abc"),
        slr("ops.apigateway.amazonaws.com"),
    ]


# --- Data and observability -----------------------------------------------------------------------
def table(r, g):
    t = arn("dynamodb", f"table/{name(r)}")
    return [
        call(a, t)
        for a in (
            "dynamodb:CreateTable",
            "dynamodb:TagResource",
            "dynamodb:UntagResource",
            "dynamodb:DescribeTable",
            "dynamodb:DescribeTimeToLive",
            "dynamodb:UpdateTimeToLive",
            "dynamodb:DescribeContinuousBackups",
            "dynamodb:UpdateContinuousBackups",
            "dynamodb:ListTagsOfResource",
            "dynamodb:UpdateTable",
            "dynamodb:DeleteTable",
        )
    ]


def log_group(r, g):
    lg = arn("logs", f"log-group:{name(r)}")
    return [call("logs:DescribeLogGroups")] + [
        call(a, lg)
        for a in (
            "logs:CreateLogGroup",
            "logs:TagResource",
            "logs:UntagResource",
            "logs:PutRetentionPolicy",
            "logs:ListTagsForResource",
            "logs:DeleteLogGroup",
        )
    ]


def metric_alarm(r, g):
    alarm = arn("cloudwatch", f"alarm:{name(r)}")
    return [call("cloudwatch:DescribeAlarms")] + [
        call(a, alarm)
        for a in (
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:TagResource",
            "cloudwatch:UntagResource",
            "cloudwatch:ListTagsForResource",
            "cloudwatch:DeleteAlarms",
        )
    ]


def topic_arn(g) -> str:
    return arn("sns", name(one(g, "aws:sns/topic:Topic")))


def topic(r, g):
    return [
        call(a, topic_arn(g))
        for a in (
            "sns:CreateTopic",
            "sns:TagResource",
            "sns:UntagResource",
            "sns:GetTopicAttributes",
            "sns:SetTopicAttributes",
            "sns:ListTagsForResource",
            "sns:DeleteTopic",
        )
    ]


def subscription(r, g):
    sub = f"{topic_arn(g)}:0b0c2a1e-1111-2222-3333-444455556666"
    return [
        call("sns:Subscribe", topic_arn(g)),
        call("sns:GetSubscriptionAttributes", sub),
        call("sns:SetSubscriptionAttributes", sub),
        call("sns:Unsubscribe", sub),
    ]


def budget(r, g):
    b = arn("budgets", f"budget/{name(r)}", region=False)
    # CreateBudget/CreateNotification/CreateSubscriber/DeleteBudget authorise as ModifyBudget; the
    # Describe* calls as ViewBudget (service authorization reference for AWS Budgets).
    return [
        call(a, b)
        for a in (
            "budgets:ModifyBudget",
            "budgets:ViewBudget",
            "budgets:TagResource",
            "budgets:UntagResource",
            "budgets:ListTagsForResource",
        )
    ]


# --- IAM ------------------------------------------------------------------------------------------
def is_ci(r: Registered) -> bool:
    return r.name.startswith("ci-") or r.type == "safety-heatmap:cicd:GitHubDeployRoles"


def stack_role(r, g):
    role = r.outputs["arn"]
    bounded = (
        {"iam__PermissionsBoundary": r.inputs["permissionsBoundary"]}
        if r.inputs.get("permissionsBoundary")
        else {}
    )
    return [
        call("iam:CreateRole", role, "with the stack's boundary", **bounded),
        call("iam:GetRole", role),
        call("iam:ListRolePolicies", role),
        call("iam:GetRolePolicy", role),
        call("iam:ListAttachedRolePolicies", role),
        call("iam:UpdateRoleDescription", role),
        call("iam:UpdateRole", role, "max_session_duration"),
        call("iam:TagRole", role),
        call("iam:UntagRole", role),
        call("iam:ListInstanceProfilesForRole", role, "delete detaches instance profiles first"),
        call("iam:DeleteRole", role),
    ]


def stack_role_policy(r, g):
    role = g.by_id(r.inputs["role"])
    bounded = (
        {"iam__PermissionsBoundary": role.inputs["permissionsBoundary"]}
        if role.inputs.get("permissionsBoundary")
        else {}
    )
    arn_ = role.outputs["arn"]
    return [
        call("iam:PutRolePolicy", arn_, "only on a role that carries the boundary", **bounded),
        call("iam:GetRolePolicy", arn_),
        call("iam:DeleteRolePolicy", arn_),
    ]


def no_api(r, g):
    """Component resources and the stack: the engine's own bookkeeping, no AWS call."""
    return []


REQUIRED: dict[str, Callable[[Registered, StackGraph], list[Request]]] = {
    "pulumi:pulumi:Stack": no_api,
    "safety-heatmap:index:Network": no_api,
    "safety-heatmap:index:Image": no_api,
    "safety-heatmap:index:Table": no_api,
    "safety-heatmap:index:Service": no_api,
    "safety-heatmap:index:HttpApi": no_api,
    "safety-heatmap:index:Alarms": no_api,
    "safety-heatmap:index:Budget": no_api,
    "aws:ec2/vpc:Vpc": vpc,
    "aws:ec2/subnet:Subnet": subnet,
    "aws:ec2/internetGateway:InternetGateway": internet_gateway,
    "aws:ec2/routeTable:RouteTable": route_table,
    "aws:ec2/route:Route": route,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": route_table_association,
    "aws:ec2/securityGroup:SecurityGroup": security_group,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": security_group_rule("Ingress"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": security_group_rule("Egress"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": vpc_endpoint,
    "aws:ecr/repository:Repository": repository,
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": lifecycle_policy,
    "awsx:ecr:Image": image_push,
    "docker-build:index:Image": image_push,
    "aws:ecs/cluster:Cluster": cluster,
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": capacity_providers,
    "aws:ecs/taskDefinition:TaskDefinition": task_definition,
    "aws:ecs/service:Service": ecs_service,
    "aws:appautoscaling/target:Target": scaling_target,
    "aws:appautoscaling/policy:Policy": scaling_policy,
    "aws:appautoscaling/scheduledAction:ScheduledAction": scheduled_action,
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": namespace,
    "aws:servicediscovery/service:Service": discovery_service,
    "aws:apigatewayv2/api:Api": http_api,
    "aws:apigatewayv2/integration:Integration": api_child("integrations", "int0abc"),
    "aws:apigatewayv2/route:Route": api_child("routes", "rt0abc"),
    "aws:apigatewayv2/stage:Stage": stage,
    "aws:apigatewayv2/vpcLink:VpcLink": vpc_link,
    "aws:dynamodb/table:Table": table,
    "aws:cloudwatch/logGroup:LogGroup": log_group,
    "aws:cloudwatch/metricAlarm:MetricAlarm": metric_alarm,
    "aws:sns/topic:Topic": topic,
    "aws:sns/topicSubscription:TopicSubscription": subscription,
    "aws:budgets/budget:Budget": budget,
    "aws:iam/role:Role": stack_role,
    "aws:iam/rolePolicy:RolePolicy": stack_role_policy,
}

# Invokes (data sources) the program calls, and what they ask AWS for. sts:GetCallerIdentity needs no
# permission (STS API reference: "No permissions are required to perform this operation").
INVOKES: dict[str, list[Request]] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": [call("ec2:DescribeAvailabilityZones")],
    "aws:index/getCallerIdentity:getCallerIdentity": [],
    "aws:index/getRegion:getRegion": [],
    "aws:index/getPartition:getPartition": [],
    # The image's registry login (components/image.py): GetAuthorizationToken has no resource type.
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": [call("ecr:GetAuthorizationToken")],
}


# The CI identity (OIDC provider, CI roles, their policies, the boundary): created and changed only from a
# laptop. `pulumi up` in CI must never change them: each write is an explicit deny, each read allowed (so a
# refresh works).
def ci_identity(r: Registered, g: StackGraph) -> tuple[list[Request], list[Request]]:
    """(reads that must be allowed, writes that must be explicitly denied) for a CI resource."""
    if r.type == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
        a = r.outputs["arn"]
        return [call("iam:GetOpenIDConnectProvider", a)], [
            call(x, a)
            for x in (
                "iam:DeleteOpenIDConnectProvider",
                "iam:UpdateOpenIDConnectProviderThumbprint",
                "iam:AddClientIDToOpenIDConnectProvider",
                "iam:RemoveClientIDFromOpenIDConnectProvider",
            )
        ]
    if r.type == "aws:iam/role:Role":
        a = r.outputs["arn"]
        writes = (
            "iam:UpdateAssumeRolePolicy",
            "iam:PutRolePolicy",
            "iam:DeleteRolePolicy",
            "iam:AttachRolePolicy",
            "iam:DetachRolePolicy",
            "iam:PutRolePermissionsBoundary",
            "iam:DeleteRole",
            "iam:UpdateRole",
            "iam:UpdateRoleDescription",
            "iam:TagRole",
            "iam:UntagRole",
        )
        reads = ("iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies")
        return [call(x, a) for x in reads], [call(x, a) for x in writes]
    if r.type in ("aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        role_name = r.inputs["role"] if r.type.endswith("RolePolicyAttachment") else None
        role = (
            f"arn:aws:iam::{ACCOUNT}:role/{role_name}"
            if role_name
            else g.by_id(r.inputs["role"]).outputs["arn"]
        )
        return [call("iam:GetRolePolicy", role), call("iam:ListAttachedRolePolicies", role)], [
            call(x, role)
            for x in (
                "iam:PutRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:AttachRolePolicy",
                "iam:DetachRolePolicy",
            )
        ]
    if r.type == "aws:iam/policy:Policy":
        a = r.outputs["arn"]
        return [call("iam:GetPolicy", a), call("iam:GetPolicyVersion", a)], [
            call(x, a)
            for x in (
                "iam:CreatePolicyVersion",
                "iam:DeletePolicyVersion",
                "iam:SetDefaultPolicyVersion",
                "iam:DeletePolicy",
                "iam:TagPolicy",
                "iam:UntagPolicy",
            )
        ]
    if r.type == "safety-heatmap:cicd:GitHubDeployRoles":
        return [], []
    raise AssertionError(f"CI resource {r.type} {r.name} has no reads/writes mapped in ci_identity()")


def deploy_documents(g: StackGraph) -> list[dict]:
    """The deploy role's documents as the program registers them: inline + attached managed policies."""
    (deploy_role,) = [r for r in g.of_type("aws:iam/role:Role") if r.name == "ci-deploy"]
    docs = [
        json.loads(r.inputs["policy"])
        for r in g.of_type("aws:iam/rolePolicy:RolePolicy")
        if r.inputs["role"] == deploy_role.id
    ]
    policies = {r.outputs["arn"]: r for r in g.of_type("aws:iam/policy:Policy")}
    for attachment in g.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        assert attachment.inputs["role"] == deploy_role.inputs["name"]
        docs.append(json.loads(policies[attachment.inputs["policyArn"]].inputs["policy"]))
    assert len(docs) == 4
    return docs


def _missing(graph: StackGraph, docs: list[dict]) -> list[str]:
    problems = []
    for resource in graph.resources:
        if is_ci(resource):
            continue
        mapper = REQUIRED.get(resource.type)
        if mapper is None:
            problems.append(f"{resource.type} ({resource.name}): no API calls mapped in REQUIRED")
            continue
        for request in mapper(resource, graph):
            if not allowed(docs, request):
                problems.append(f"{resource.type}: {request.action} on {request.resource} ({request.why})")
    for token in sorted(set(graph.invokes)):
        if token not in INVOKES:
            problems.append(f"invoke {token}: no API calls mapped in INVOKES")
            continue
        problems += [f"invoke {token}: {r.action}" for r in INVOKES[token] if not allowed(docs, r)]
    return problems


@pytest.fixture(scope="module", params=["dev", "prod"])
def program(request) -> StackGraph:
    return run_program(request.param, **VARIANT)


def test_every_resource_type_of_the_stack_has_the_permissions_pulumi_up_needs(program):
    problems = _missing(program, deploy_documents(program))
    assert not problems, "the deploy role cannot:\n" + "\n".join(sorted(set(problems)))


def test_the_variant_covers_what_the_issue_names(program):
    types = {r.type for r in program.resources}
    assert {
        "aws:appautoscaling/scheduledAction:ScheduledAction",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
        "aws:iam/policy:Policy",
    } <= types


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_type_of_the_offline_plan_is_mapped(stack):
    """The graph `make plan` prices (costguard capture, with awsx expanded into docker-build)."""
    graph = capture(ROOT, stack)
    program = run_program(stack, **VARIANT)
    docs = deploy_documents(program)
    unmapped = sorted({r.type for r in graph.resources} - set(REQUIRED))
    assert not unmapped, f"resource types without permissions mapped: {unmapped}"
    # The image build awsx expands: pushed with the deploy role's credentials.
    (build,) = graph.of_type("docker-build:index:Image")
    requests = image_push(build, program)
    assert all(allowed(docs, r) for r in requests), [r.action for r in requests if not allowed(docs, r)]


def test_the_stack_roles_carry_the_boundary_only_when_the_ci_roles_are_on():
    with_ci = run_program("dev", githubRepository=REPO)
    (boundary,) = [r for r in with_ci.of_type("aws:iam/policy:Policy") if r.name == "ci-boundary"]
    stack_roles = [r for r in with_ci.of_type("aws:iam/role:Role") if not is_ci(r)]
    assert len(stack_roles) == 2
    assert {r.inputs.get("permissionsBoundary") for r in stack_roles} == {boundary.outputs["arn"]}
    without = run_program("dev")
    assert not [
        r for r in without.resources if r.type.startswith("aws:iam/") and r.inputs.get("permissionsBoundary")
    ]
    assert not without.of_type("aws:iam/policy:Policy")


def test_ci_identity_is_read_only_to_the_deploy_role(program):
    docs = deploy_documents(program)
    ci = [r for r in program.resources if is_ci(r)]
    assert {r.type for r in ci} >= {
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/policy:Policy",
    }
    for resource in ci:
        reads, writes = ci_identity(resource, program)
        for request in reads:
            assert allowed(docs, request), (resource.name, request.action)
        for request in writes:
            decision, _ = decide(docs, request.action, request.resource, request.context)
            assert decision == DENY, (resource.name, request.action, request.resource, decision)


def test_the_deploy_role_trusts_only_its_stacks_environment(program):
    (deploy_role,) = [r for r in program.of_type("aws:iam/role:Role") if r.name == "ci-deploy"]
    trust = json.loads(deploy_role.inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    assert statement["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": [f"repo:{REPO}:environment:{program.stack}"],
        }
    }


def test_route53_record_deletes_stay_inside_the_namespace(program):
    """The only Route 53 write on existing zones: DELETE of A/AAAA/SRV records under the namespace."""
    docs = deploy_documents(program)
    zone = "arn:aws:route53:::hostedzone/ZOTHER"

    def change(names, types=("A",), actions=("DELETE",)):
        return call(
            "route53:ChangeResourceRecordSets",
            zone,
            route53__ChangeResourceRecordSetsNormalizedRecordNames=list(names),
            route53__ChangeResourceRecordSetsRecordTypes=list(types),
            route53__ChangeResourceRecordSetsActions=list(actions),
        )

    ours = f"api.{program.stack}.heatmap.internal"
    other = "api.prod.heatmap.internal" if program.stack != "prod" else "api.dev.heatmap.internal"
    assert allowed(docs, change([ours, f"abc.{ours}"], ("SRV", "A")))
    assert not allowed(docs, change(["www.example.org"]))
    assert not allowed(docs, change([other]))  # another stack's namespace in the same account
    assert not allowed(docs, change([ours, "www.example.org"]))
    assert not allowed(docs, change([ours], actions=("UPSERT",)))
    assert not allowed(docs, change([ours], types=("NS",)))
    for action in (
        "route53:DeleteHostedZone",
        "route53:AssociateVPCWithHostedZone",
        "route53:ChangeTagsForResource",
    ):
        assert not allowed(docs, call(action, zone)), action


def test_the_preview_role_reads_what_a_preview_needs_and_writes_nothing(program):
    (preview_role,) = [r for r in program.of_type("aws:iam/role:Role") if r.name == "ci-preview"]
    (inline,) = [
        r for r in program.of_type("aws:iam/rolePolicy:RolePolicy") if r.inputs["role"] == preview_role.id
    ]
    docs = [json.loads(inline.inputs["policy"])]
    repo = repository_arn(program)
    # Invokes run in a preview too, and docker-build builds (and logs in to the registry) on preview.
    needed = [r for token in set(program.invokes) for r in INVOKES[token]]
    needed += [
        call("ecr:GetAuthorizationToken"),
        call("ecr:BatchGetImage", repo),
        call("ecr:DescribeRepositories"),
    ]
    assert all(allowed(docs, r) for r in needed), [r.action for r in needed if not allowed(docs, r)]
    for write in image_push(None, program)[1:5] + table(one(program, "aws:dynamodb/table:Table"), program):
        if write.action.split(":")[1].startswith(("Describe", "List", "BatchGet", "BatchCheck")):
            continue
        assert not allowed(docs, write), write.action
