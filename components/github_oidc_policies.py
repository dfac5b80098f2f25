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
        # Cloud Map private DNS namespace and service (the VPC link's SRV target). Namespace/service ARNs
        # carry generated ids, so: this account and region.
        _statement(
            "ManageServiceDiscovery",
            [
                "servicediscovery:CreatePrivateDnsNamespace",
                "servicediscovery:DeleteNamespace",
                "servicediscovery:UpdatePrivateDnsNamespace",
                "servicediscovery:CreateService",
                "servicediscovery:UpdateService",
                "servicediscovery:DeleteService",
                "servicediscovery:TagResource",
                "servicediscovery:UntagResource",
            ],
            scope.arn("servicediscovery", "*"),
        ),
        # Cloud Map creates and deletes the private hosted zone behind the namespace with the caller's
        # permissions. Route 53 is global; hosted zone ARNs carry generated ids.
        _statement(
            "ManageNamespaceHostedZone",
            [
                "route53:DeleteHostedZone",
                "route53:ChangeResourceRecordSets",
                "route53:ChangeTagsForResource",
                "route53:AssociateVPCWithHostedZone",
                "route53:DisassociateVPCFromHostedZone",
            ],
            f"arn:{scope.partition}:route53:::hostedzone/*",
        ),
        # CreateHostedZone accepts no resource ARN (the zone does not exist yet).
        _statement("CreateNamespaceHostedZone", ["route53:CreateHostedZone"], "*"),
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
                "application-autoscaling:TagResource",
                "application-autoscaling:UntagResource",
            ],
            scope.arn("application-autoscaling", "*"),
        ),
        # IAM: the stack's task and execution roles, by name prefix. Inline policies are the stack's own.
        _statement(
            "ManageStackRoles",
            [
                "iam:CreateRole",
                "iam:DeleteRole",
                "iam:UpdateRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:PutRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:ListInstanceProfilesForRole",
            ],
            scope.arn("iam", f"role/{p}*", region=False),
        ),
        # Managed policies: only those listed may be attached, so no role of the stack can be made admin.
        _statement(
            "AttachOnlyKnownManagedPolicies",
            ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
            scope.arn("iam", f"role/{p}*", region=False),
            Condition={"ArnEquals": {"iam:PolicyARN": list(attachable_policies)}},
        ),
        # The stack's roles may be handed to ECS tasks and to nothing else.
        _statement(
            "PassStackRolesToEcsTasks",
            ["iam:PassRole"],
            scope.arn("iam", f"role/{p}*", region=False),
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


def deploy_policy(
    scope: Scope,
    state: StateBucket | None,
    *,
    ci_role_arns: list[str],
    provider_arn: str,
    attachable_policies: tuple[str, ...] = DEFAULT_ATTACHABLE_POLICIES,
) -> dict:
    statements = read_statements(scope) + deploy_statements(scope, attachable_policies=attachable_policies)
    if state:
        statements += state_statements(state, scope.partition, write=True)
    statements.append(deny_self_change(ci_role_arns, provider_arn))
    return {"Version": "2012-10-17", "Statement": statements}
