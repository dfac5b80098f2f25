"""IAM policy documents for the GitHub Actions roles, as plain dicts (no Pulumi here, so they test directly).

Trust: GitHub's OIDC token carries `aud` (we require `sts.amazonaws.com`, what configure-aws-credentials asks
for) and `sub`, which names the repository and the context of the job: `repo:O/N:ref:refs/heads/main` for a
job on main without an environment, `repo:O/N:environment:NAME` for a job bound to an environment and
`repo:O/N:pull_request` for a pull-request job (GitHub docs, "About security hardening with OpenID
Connect", example subject claims). Permissions: what `pulumi preview` / `pulumi up` of this stack call.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_OIDC_URL = f"https://{GITHUB_OIDC_HOST}"
STS_AUDIENCE = "sts.amazonaws.com"

# Managed policies the deploy role may attach to the stack's roles. ECS task execution (pull the image,
# write logs) is the only one the stack uses; anything broader (AdministratorAccess, ...) is refused.
DEFAULT_ATTACHABLE_POLICIES = ("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",)

# Service-linked roles AWS creates on first use in an account: ECS, ECS service auto scaling, and API
# Gateway's VPC links (ops.apigateway creates the ENIs of an HTTP API VPC link).
SERVICE_LINKED_ROLE_SERVICES = (
    "ecs.amazonaws.com",
    "ecs.application-autoscaling.amazonaws.com",
    "ops.apigateway.amazonaws.com",
)


@dataclass(frozen=True)
class Scope:
    """Where the stack's resources live: what every write permission is narrowed to."""

    account_id: str
    region: str
    resource_prefix: str  # the physical-name prefix of the stack's resources, e.g. "heatmap-dev"
    partition: str = "aws"
    dns_namespace: str = (
        "heatmap.internal"  # the Cloud Map private DNS namespace (ServiceArgs.namespace_name)
    )
    boundary_policy_name: str = ""  # the permissions boundary every role of the stack must carry

    @property
    def boundary_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:policy/{self.boundary_policy_name}"

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return (
            f"arn:{self.partition}:{service}:{self.region if region else ''}:"
            f"{self.account_id if account else ''}:{resource}"
        )


@dataclass(frozen=True)
class StateBucket:
    """The S3 location of a self-managed Pulumi backend (`s3://bucket[/prefix][?query]`)."""

    bucket: str
    prefix: str = ""

    @classmethod
    def from_url(cls, url: str) -> StateBucket:
        parsed = urlparse(url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ValueError(
                f"state backend URL {url!r} is not an S3 URL: use s3://bucket or s3://bucket/prefix "
                "(leave it unset for Pulumi Cloud)"
            )
        return cls(bucket=parsed.netloc, prefix=parsed.path.strip("/"))

    def object_arn(self, partition: str, key_pattern: str) -> str:
        path = f"{self.prefix}/{key_pattern}" if self.prefix else key_pattern
        return f"arn:{partition}:s3:::{self.bucket}/{path}"


def github_subjects(repository: str, *, environments: tuple[str, ...]) -> dict[str, list[str]]:
    """The `sub` claims each role accepts, by role: deploy (its environments only) and preview (PRs).

    The deploy role trusts environment subjects and nothing else, not even `ref:refs/heads/main`: a job that
    names an environment gets `repo:O/N:environment:NAME` as its subject *instead of* the ref subject
    (GitHub docs, OpenID Connect reference, "Filtering for a specific environment"), and the deploy workflow
    always runs in the environment named after the stack. Trusting the ref subject as well would let any
    workflow on main without an environment (so without prod's required reviewers) assume the role. A `:` in
    an environment name is sent as `%3A` (same page), so names are kept to [A-Za-z0-9._-].
    """
    return {
        "deploy": [f"repo:{repository}:environment:{env}" for env in environments],
        "preview": [f"repo:{repository}:pull_request"],
    }


def trust_policy(provider_arn: str, subjects: list[str]) -> dict:
    """AssumeRoleWithWebIdentity for GitHub tokens with our audience and one of `subjects`.

    StringLike only when a subject has a wildcard (environment:*); exact subjects use StringEquals, so a
    branch named e.g. `main-evil` can never match `ref:refs/heads/main`.
    """
    condition: dict[str, dict] = {"StringEquals": {f"{GITHUB_OIDC_HOST}:aud": STS_AUDIENCE}}
    operator = "StringLike" if any("*" in s or "?" in s for s in subjects) else "StringEquals"
    condition.setdefault(operator, {})[f"{GITHUB_OIDC_HOST}:sub"] = list(subjects)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "GitHubActionsOidc",
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": condition,
            }
        ],
    }


def _statement(sid: str, actions: list[str], resources: list[str] | str, **extra) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources, **extra}


def read_statements(scope: Scope) -> list[dict]:
    """What `pulumi preview` needs: reading the stack's resources. Shared by both roles."""
    return [
        # Describe/List/Get calls of these services accept no resource ARN (resource "*" is the only form
        # IAM allows for them); they read configuration, never data (no dynamodb:GetItem/Scan, no
        # s3:GetObject, no logs:GetLogEvents).
        _statement(
            "ReadStackConfiguration",
            [
                "ec2:Describe*",
                "ecs:Describe*",
                "ecs:List*",
                "ecr:DescribeRepositories",
                "ecr:DescribeImages",
                "ecr:DescribeImageScanFindings",
                "ecr:GetLifecyclePolicy",
                "ecr:GetRepositoryPolicy",
                "ecr:ListImages",
                "ecr:ListTagsForResource",
                "apigateway:GET",
                "servicediscovery:Get*",
                "servicediscovery:List*",
                "route53:GetChange",
                "route53:GetHostedZone",
                "route53:ListHostedZonesByName",
                "route53:ListResourceRecordSets",
                "route53:ListTagsForResource",
                "dynamodb:DescribeContinuousBackups",
                "dynamodb:DescribeTable",
                "dynamodb:DescribeTimeToLive",
                "dynamodb:ListTagsOfResource",
                "logs:DescribeLogGroups",
                "logs:ListTagsForResource",
                "logs:ListTagsLogGroup",
                "cloudwatch:DescribeAlarms",
                "cloudwatch:ListTagsForResource",
                "sns:GetSubscriptionAttributes",
                "sns:GetTopicAttributes",
                "sns:ListSubscriptionsByTopic",
                "sns:ListTagsForResource",
                "budgets:ListTagsForResource",
                "budgets:ViewBudget",
                "application-autoscaling:Describe*",
                "application-autoscaling:ListTagsForResource",
                "iam:GetOpenIDConnectProvider",
                "iam:GetPolicy",
                "iam:GetPolicyVersion",
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListAttachedRolePolicies",
                "iam:ListRolePolicies",
            ],
            "*",
        ),
        # The ECR image resource asks for registry credentials even in a preview (it resolves the push
        # target). The token alone grants nothing: pushing also needs ecr:PutImage etc. on the repository.
        _statement("EcrRegistryLogin", ["ecr:GetAuthorizationToken"], "*"),
        # Pull layers of the stack's own repositories (build cache); still read-only.
        _statement(
            "PullStackImages",
            ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            scope.arn("ecr", f"repository/{scope.resource_prefix}*"),
        ),
    ]


def deploy_statements(scope: Scope, *, attachable_policies: tuple[str, ...]) -> list[dict]:
    """What `pulumi up` / `pulumi destroy` of this stack need beyond the reads, each as narrow as IAM allows.

    Deliberately absent: NAT gateways, Elastic IPs, load balancers, EC2 instances, KMS keys, any iam:* or
    "*" action. Creating a costly resource the stack does not use fails at the API, not only in the policy
    pack.
    """
    p = scope.resource_prefix
    in_region = {"StringEquals": {"aws:RequestedRegion": scope.region}}
    role = scope.arn("iam", f"role/{p}*", region=False)
    return [
        # ECR: the stack's repositories only (create, lifecycle, scan on push, push the image, delete).
        _statement(
            "ManageStackRepositories",
            [
                "ecr:CreateRepository",
                "ecr:DeleteRepository",
                "ecr:PutLifecyclePolicy",
                "ecr:DeleteLifecyclePolicy",
                "ecr:PutImageScanningConfiguration",
                "ecr:PutImageTagMutability",
                "ecr:TagResource",
                "ecr:UntagResource",
                "ecr:InitiateLayerUpload",
                "ecr:UploadLayerPart",
                "ecr:CompleteLayerUpload",
                "ecr:PutImage",
                "ecr:BatchDeleteImage",
            ],
            scope.arn("ecr", f"repository/{p}*"),
        ),
        # ECS: the stack's cluster and services (ARNs carry the names, so the prefix applies).
        _statement(
            "ManageStackEcs",
            [
                "ecs:CreateCluster",
                "ecs:DeleteCluster",
                "ecs:UpdateCluster",
                "ecs:UpdateClusterSettings",
                "ecs:PutClusterCapacityProviders",
                "ecs:CreateService",
                "ecs:UpdateService",
                "ecs:DeleteService",
                "ecs:TagResource",
                "ecs:UntagResource",
            ],
            [
                scope.arn("ecs", f"cluster/{p}*"),
                scope.arn("ecs", f"service/{p}*/*"),
                scope.arn("ecs", f"task-definition/{p}*:*"),
            ],
        ),
        # Task definitions: Register/Deregister accept no resource ARN; held to the stack's region.
        _statement(
            "RegisterTaskDefinitions",
            ["ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition"],
            "*",
            Condition=in_region,
        ),
        # EC2 networking: VPC, public subnets, internet gateway, routes, security groups, the DynamoDB
        # gateway endpoint. EC2 ARNs carry ids, not names, so the narrowest form is this account and region.
        _statement(
            "ManageStackNetwork",
            [
                "ec2:CreateVpc",
                "ec2:DeleteVpc",
                "ec2:ModifyVpcAttribute",
                "ec2:CreateSubnet",
                "ec2:DeleteSubnet",
                "ec2:ModifySubnetAttribute",
                "ec2:CreateInternetGateway",
                "ec2:DeleteInternetGateway",
                "ec2:AttachInternetGateway",
                "ec2:DetachInternetGateway",
                "ec2:CreateRouteTable",
                "ec2:DeleteRouteTable",
                "ec2:AssociateRouteTable",
                "ec2:DisassociateRouteTable",
                "ec2:ReplaceRouteTableAssociation",
                "ec2:CreateRoute",
                "ec2:DeleteRoute",
                "ec2:ReplaceRoute",
                "ec2:CreateSecurityGroup",
                "ec2:DeleteSecurityGroup",
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:AuthorizeSecurityGroupEgress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupEgress",
                "ec2:ModifySecurityGroupRules",
                "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
                "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
                "ec2:CreateVpcEndpoint",
                "ec2:ModifyVpcEndpoint",
                "ec2:DeleteVpcEndpoints",
                "ec2:CreateTags",
                "ec2:DeleteTags",
            ],
            scope.arn("ec2", "*"),
        ),
        # API Gateway HTTP API, its stage/routes/integrations and the VPC link, in this region only.
        _statement(
            "ManageHttpApi",
            ["apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"],
            [
                scope.arn("apigateway", "/apis", account=False),
                scope.arn("apigateway", "/apis/*", account=False),
                scope.arn("apigateway", "/vpclinks", account=False),
                scope.arn("apigateway", "/vpclinks/*", account=False),
                scope.arn("apigateway", "/tags/*", account=False),
            ],
        ),
        # HTTP API access logs go through CloudWatch Logs "log delivery", whose calls accept no resource
        # ARN (API Gateway developer guide, "Permissions for CloudWatch logging" for HTTP APIs).
        _statement(
            "HttpApiAccessLogDelivery",
            [
                "logs:CreateLogDelivery",
                "logs:GetLogDelivery",
                "logs:UpdateLogDelivery",
                "logs:DeleteLogDelivery",
                "logs:ListLogDeliveries",
                "logs:PutResourcePolicy",
                "logs:DescribeResourcePolicies",
            ],
            "*",
            Condition=in_region,
        ),
        # Cloud Map namespace and service (the VPC link's SRV target), and the instances ECS registered, which
        # `force_destroy` deregisters (ListInstances + DeregisterInstance) before DeleteService. Namespace and
        # service ARNs carry generated ids (ns-..., srv-...), so: this account and region.
        _statement(
            "ManageServiceDiscovery",
            [
                "servicediscovery:DeleteNamespace",
                "servicediscovery:UpdatePrivateDnsNamespace",
                "servicediscovery:CreateService",
                "servicediscovery:UpdateService",
                "servicediscovery:DeleteService",
                "servicediscovery:ListInstances",
                "servicediscovery:DeregisterInstance",
                "servicediscovery:TagResource",
                "servicediscovery:UntagResource",
            ],
            scope.arn("servicediscovery", "*"),
        ),
        # CreatePrivateDnsNamespace has no resource type in the service authorization reference (Actions,
        # resources, and condition keys for AWS Cloud Map): "*" is the only form. It creates the namespace's
        # private hosted zone with the caller's permissions (Cloud Map API permissions reference:
        # route53:CreateHostedZone, GetHostedZone, ListHostedZonesByName, ec2:DescribeVpcs and
        # ec2:DescribeRegions; the reads are in ReadStackConfiguration). CreateHostedZone has no resource
        # either: the zone does not exist yet.
        _statement(
            "CreateServiceDiscoveryNamespace",
            ["servicediscovery:CreatePrivateDnsNamespace"],
            "*",
            Condition=in_region,
        ),
        _statement("CreateNamespaceHostedZone", ["route53:CreateHostedZone"], "*"),
        # DeregisterInstance (force_destroy) has Cloud Map delete the instance's records with the caller's
        # permissions. The zone's id is generated, so its ARN cannot be named; the records can: only DELETE,
        # only the A/AAAA/SRV records Cloud Map writes, only names under the namespace (condition keys and
        # their lowercase, no-trailing-dot normalisation: Route 53 developer guide, "Using IAM policy
        # conditions for fine-grained access control"). DeleteNamespace needs no Route 53 permission of the
        # caller (Cloud Map API permissions reference), so DeleteHostedZone is not granted at all.
        _statement(
            "DeleteServiceDiscoveryRecords",
            ["route53:ChangeResourceRecordSets"],
            f"arn:{scope.partition}:route53:::hostedzone/*",
            Condition={
                "ForAllValues:StringLike": {
                    "route53:ChangeResourceRecordSetsNormalizedRecordNames": [f"*.{scope.dns_namespace}"]
                },
                "ForAllValues:StringEquals": {
                    "route53:ChangeResourceRecordSetsActions": ["DELETE"],
                    "route53:ChangeResourceRecordSetsRecordTypes": ["A", "AAAA", "SRV"],
                },
            },
        ),
        # The Cloud Map API permissions reference lists these for DeregisterInstance. The stack's service uses
        # a custom health check, so Cloud Map has no Route 53 health check of it to touch; health check ARNs
        # carry generated ids, so they cannot be narrowed further.
        _statement(
            "DeregisterInstanceHealthChecks",
            ["route53:GetHealthCheck", "route53:UpdateHealthCheck", "route53:DeleteHealthCheck"],
            f"arn:{scope.partition}:route53:::healthcheck/*",
        ),
        # DynamoDB: the stack's tables only.
        _statement(
            "ManageStackTables",
            [
                "dynamodb:CreateTable",
                "dynamodb:DeleteTable",
                "dynamodb:UpdateTable",
                "dynamodb:UpdateTimeToLive",
                "dynamodb:UpdateContinuousBackups",
                "dynamodb:TagResource",
                "dynamodb:UntagResource",
            ],
            scope.arn("dynamodb", f"table/{p}*"),
        ),
        # CloudWatch log groups whose name contains the prefix (e.g. /ecs/<prefix>-api, /aws/apigateway/...).
        _statement(
            "ManageStackLogGroups",
            [
                "logs:CreateLogGroup",
                "logs:DeleteLogGroup",
                "logs:PutRetentionPolicy",
                "logs:DeleteRetentionPolicy",
                "logs:TagResource",
                "logs:UntagResource",
                "logs:TagLogGroup",
                "logs:UntagLogGroup",
            ],
            [scope.arn("logs", f"log-group:*{p}*"), scope.arn("logs", f"log-group:*{p}*:*")],
        ),
        # CloudWatch alarms: the stack's, plus those Application Auto Scaling creates for target tracking.
        _statement(
            "ManageStackAlarms",
            [
                "cloudwatch:PutMetricAlarm",
                "cloudwatch:DeleteAlarms",
                "cloudwatch:TagResource",
                "cloudwatch:UntagResource",
            ],
            [
                scope.arn("cloudwatch", f"alarm:{p}*"),
                scope.arn("cloudwatch", "alarm:TargetTracking-service/*"),
            ],
        ),
        # SNS: the stack's alarm topic and its email subscription (subscription ARNs start with the topic's).
        _statement(
            "ManageStackTopics",
            [
                "sns:CreateTopic",
                "sns:DeleteTopic",
                "sns:SetTopicAttributes",
                "sns:Subscribe",
                "sns:Unsubscribe",
                "sns:SetSubscriptionAttributes",
                "sns:TagResource",
                "sns:UntagResource",
            ],
            scope.arn("sns", f"{p}*"),
        ),
        # AWS Budgets: the stack's monthly budget (a global service; budget ARNs carry no region).
        _statement(
            "ManageStackBudget",
            ["budgets:ModifyBudget", "budgets:TagResource", "budgets:UntagResource"],
            scope.arn("budgets", f"budget/{p}*", region=False),
        ),
        # Service auto scaling: scalable targets and policies carry generated ids; this account and region.
        _statement(
            "ManageServiceAutoScaling",
            [
                "application-autoscaling:RegisterScalableTarget",
                "application-autoscaling:DeregisterScalableTarget",
                "application-autoscaling:PutScalingPolicy",
                "application-autoscaling:DeleteScalingPolicy",
                # The sleep/wake schedules (aws.appautoscaling.ScheduledAction in service.py).
                "application-autoscaling:PutScheduledAction",
                "application-autoscaling:DeleteScheduledAction",
                "application-autoscaling:TagResource",
                "application-autoscaling:UntagResource",
            ],
            scope.arn("application-autoscaling", "*"),
        ),
        # IAM: the stack's task and execution roles, by name prefix. Creating a role, adding or attaching a
        # policy to it, or setting its boundary all require that the role carries the stack's boundary
        # (condition key iam:PermissionsBoundary: IAM user guide, "Permissions boundaries for IAM entities",
        # delegating example; service authorization reference for IAM). So no role CI makes can hold more than
        # the boundary allows, whatever its inline policy says. `KeepRolesInsideTheBoundary` below denies the
        # same calls without it, so no other Allow can open them.
        _statement(
            "ManageStackRolesInsideBoundary",
            [
                "iam:CreateRole",
                "iam:PutRolePolicy",
                "iam:PutRolePermissionsBoundary",
            ],
            role,
            Condition={"StringEquals": {"iam:PermissionsBoundary": scope.boundary_arn}},
        ),
        # Managed policies: only those listed, and only to a role that carries the boundary.
        _statement(
            "AttachOnlyKnownManagedPolicies",
            ["iam:AttachRolePolicy"],
            role,
            Condition={
                "ArnEquals": {"iam:PolicyARN": list(attachable_policies)},
                "StringEquals": {"iam:PermissionsBoundary": scope.boundary_arn},
            },
        ),
        # Calls that cannot widen a role: describe it, tag it, take permissions away, delete it. Trust changes
        # (UpdateAssumeRolePolicy) are not here: the stack's roles trust ecs-tasks.amazonaws.com and nothing
        # else, a new trust is applied from a laptop, and NoTrustOrBoundaryRemoval denies it outright.
        _statement(
            "ManageStackRoles",
            [
                "iam:DeleteRole",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:DeleteRolePolicy",
                "iam:DetachRolePolicy",
                "iam:ListInstanceProfilesForRole",
            ],
            role,
        ),
        # The stack's roles may be handed to ECS tasks and to nothing else.
        _statement(
            "PassStackRolesToEcsTasks",
            ["iam:PassRole"],
            role,
            Condition={"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        ),
        # First use in an account: the service-linked roles of ECS, its auto scaling and API Gateway.
        _statement(
            "CreateServiceLinkedRoles",
            ["iam:CreateServiceLinkedRole"],
            scope.arn("iam", "role/aws-service-role/*", region=False),
            Condition={"StringEquals": {"iam:AWSServiceName": list(SERVICE_LINKED_ROLE_SERVICES)}},
        ),
    ]


def state_statements(state: StateBucket, partition: str, *, write: bool) -> list[dict]:
    """S3 access for a self-managed backend. A preview reads state and takes the backend's lock files."""
    bucket_arn = f"arn:{partition}:s3:::{state.bucket}"
    statements = [
        _statement("ListStateBucket", ["s3:ListBucket", "s3:GetBucketLocation"], bucket_arn),
        _statement("ReadState", ["s3:GetObject"], state.object_arn(partition, "*")),
    ]
    if write:
        statements.append(
            _statement("WriteState", ["s3:PutObject", "s3:DeleteObject"], state.object_arn(partition, "*"))
        )
    else:
        statements.append(
            _statement(
                "TakeStateLock",
                ["s3:PutObject", "s3:DeleteObject"],
                state.object_arn(partition, ".pulumi/locks/*"),
            )
        )
    return statements


# The item-level table actions the API's task role holds (service.TABLE_ACTIONS; a test keeps them in step).
TASK_TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem")
# The calls that give a role permissions: each needs the stack's boundary on the role (or in the request).
BOUNDARY_GUARDED_ACTIONS = (
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
)
CI_POLICY_CHANGES = (
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:TagPolicy",
    "iam:UntagPolicy",
)


def boundary_policy(scope: Scope) -> dict:
    """The permissions boundary of the stack's roles: the most any role the deploy role creates can ever do.

    It is what the ECS execution role (pull this stack's images, write its logs) and the task role (the API's
    item-level table calls) need, on this stack's resources only. A boundary grants nothing by itself; a
    role's effective permissions are the intersection of its own policies and the boundary (IAM user guide,
    "Permissions boundaries for IAM entities"). No iam:*, no sts:*, no data beyond the stack's tables.
    """
    p = scope.resource_prefix
    return {
        "Version": "2012-10-17",
        "Statement": [
            # GetAuthorizationToken accepts no resource ARN (ECR docs); the token alone pulls nothing.
            _statement("EcrLogin", ["ecr:GetAuthorizationToken"], "*"),
            _statement(
                "PullStackImages",
                ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                scope.arn("ecr", f"repository/{p}*"),
            ),
            _statement(
                "WriteStackLogs",
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                scope.arn("logs", f"log-group:*{p}*:*"),
            ),
            _statement(
                "StackTableItems",
                list(TASK_TABLE_ACTIONS),
                [scope.arn("dynamodb", f"table/{p}*"), scope.arn("dynamodb", f"table/{p}*/index/*")],
            ),
        ],
    }


def boundary_guards(scope: Scope, *, ci_policy_arns: list[str] = ()) -> list[dict]:
    """Explicit denies that keep every role CI can touch inside the boundary, and the boundary unchanged.

    - Giving any role permissions without the stack's boundary is denied (StringNotEquals is true when the
      request carries no boundary at all, so a CreateRole without one is denied too).
    - Removing a boundary, or changing any role's trust (retargeting a role to trust CI or another account),
      is denied on every role of the account.
    - The boundary and the deploy role's managed policies cannot be edited, re-versioned or deleted by CI;
      they change from a laptop.
    """
    every_role = f"arn:{scope.partition}:iam::{scope.account_id}:role/*"
    return [
        {
            "Sid": "KeepRolesInsideTheBoundary",
            "Effect": "Deny",
            "Action": sorted(BOUNDARY_GUARDED_ACTIONS),
            "Resource": every_role,
            "Condition": {"StringNotEquals": {"iam:PermissionsBoundary": scope.boundary_arn}},
        },
        {
            "Sid": "NoTrustOrBoundaryRemoval",
            "Effect": "Deny",
            "Action": ["iam:DeleteRolePermissionsBoundary", "iam:UpdateAssumeRolePolicy"],
            "Resource": every_role,
        },
        {
            "Sid": "NoChangesToCiPolicies",
            "Effect": "Deny",
            "Action": sorted(CI_POLICY_CHANGES),
            "Resource": sorted([scope.boundary_arn, *ci_policy_arns]),
        },
    ]


def deny_self_change(role_arns: list[str], provider_arn: str) -> dict:
    """Explicit deny: CI can never widen its own roles or trust, whatever the prefix matches."""
    return {
        "Sid": "NoChangesToCiIdentity",
        "Effect": "Deny",
        "Action": sorted(
            [
                "iam:AttachRolePolicy",
                "iam:DeleteRole",
                "iam:DeleteRolePermissionsBoundary",
                "iam:DeleteRolePolicy",
                "iam:DetachRolePolicy",
                "iam:PutRolePermissionsBoundary",
                "iam:PutRolePolicy",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
                "iam:DeleteOpenIDConnectProvider",
                "iam:UpdateOpenIDConnectProviderThumbprint",
                "iam:AddClientIDToOpenIDConnectProvider",
                "iam:RemoveClientIDFromOpenIDConnectProvider",
            ]
        ),
        "Resource": sorted([*role_arns, provider_arn]),
    }


def preview_policy(scope: Scope, state: StateBucket | None) -> dict:
    statements = read_statements(scope)
    if state:
        statements += state_statements(state, scope.partition, write=False)
    return {"Version": "2012-10-17", "Statement": statements}


# The deploy role's permissions are larger than the 10,240 characters of inline policy IAM allows per role
# (IAM and STS quotas), so the resource statements live in three customer managed policies of at most 6,144
# characters each, attached to the role (10 managed policies per role by default): grouped by area, by Sid.
# The inline policy keeps the reads, the state backend and everything about IAM: roles, the boundary and
# the explicit denies that protect CI's own identity.
MANAGED_POLICY_GROUPS: dict[str, frozenset[str]] = {
    "compute": frozenset(
        {"ManageStackRepositories", "ManageStackEcs", "RegisterTaskDefinitions", "ManageServiceAutoScaling"}
    ),
    "network": frozenset(
        {
            "ManageStackNetwork",
            "ManageHttpApi",
            "HttpApiAccessLogDelivery",
            "ManageServiceDiscovery",
            "CreateServiceDiscoveryNamespace",
            "CreateNamespaceHostedZone",
            "DeleteServiceDiscoveryRecords",
            "DeregisterInstanceHealthChecks",
        }
    ),
    "data": frozenset(
        {
            "ManageStackTables",
            "ManageStackLogGroups",
            "ManageStackAlarms",
            "ManageStackTopics",
            "ManageStackBudget",
        }
    ),
}
INLINE_POLICY_MAX = 10_240  # characters, whitespace not counted, all inline policies of a role together
MANAGED_POLICY_MAX = 6_144  # characters, whitespace not counted, per managed policy


def _document(statements: list[dict]) -> dict:
    return {"Version": "2012-10-17", "Statement": statements}


def deploy_managed_policies(
    scope: Scope, *, attachable_policies: tuple[str, ...] = DEFAULT_ATTACHABLE_POLICIES
) -> dict[str, dict]:
    """The deploy role's managed policies, by group name (MANAGED_POLICY_GROUPS)."""
    statements = deploy_statements(scope, attachable_policies=attachable_policies)
    return {
        group: _document([st for st in statements if st["Sid"] in sids])
        for group, sids in MANAGED_POLICY_GROUPS.items()
    }


def deploy_inline_policy(
    scope: Scope,
    state: StateBucket | None,
    *,
    ci_role_arns: list[str],
    provider_arn: str,
    ci_policy_arns: list[str] = (),
    attachable_policies: tuple[str, ...] = DEFAULT_ATTACHABLE_POLICIES,
) -> dict:
    """The deploy role's inline policy: reads, IAM, the state backend and the denies."""
    grouped = set().union(*MANAGED_POLICY_GROUPS.values())
    statements = read_statements(scope) + [
        st
        for st in deploy_statements(scope, attachable_policies=attachable_policies)
        if st["Sid"] not in grouped
    ]
    if state:
        statements += state_statements(state, scope.partition, write=True)
    statements += boundary_guards(scope, ci_policy_arns=list(ci_policy_arns))
    statements.append(deny_self_change(ci_role_arns, provider_arn))
    return _document(statements)


def deploy_policy(
    scope: Scope,
    state: StateBucket | None,
    *,
    ci_role_arns: list[str],
    provider_arn: str,
    ci_policy_arns: list[str] = (),
    attachable_policies: tuple[str, ...] = DEFAULT_ATTACHABLE_POLICIES,
) -> dict:
    """Everything the deploy role holds, inline and managed, as one document (what IAM evaluates)."""
    inline = deploy_inline_policy(
        scope,
        state,
        ci_role_arns=ci_role_arns,
        provider_arn=provider_arn,
        ci_policy_arns=ci_policy_arns,
        attachable_policies=attachable_policies,
    )
    managed = deploy_managed_policies(scope, attachable_policies=attachable_policies)
    return _document(inline["Statement"] + [st for doc in managed.values() for st in doc["Statement"]])
