"""GitHub Actions roles for CI/CD, assumed with GitHub's OIDC token instead of stored AWS access keys.

`GitHubDeployRoles` creates:

- an IAM OIDC identity provider for `https://token.actions.githubusercontent.com` with the audience
  `sts.amazonaws.com` — or reuses an existing one by ARN (an account holds one provider per issuer URL, so
  a second stack in the same account must pass the first one's ARN);
- a **deploy role** that only jobs bound to the GitHub environment named after the stack
  (`repo:OWNER/NAME:environment:<stack>`) can assume — so prod's role only from the `prod` environment and
  its required reviewers, never from a `dev` job or a plain job on main — allowed to create, change and
  delete this stack's resources and nothing else (see `github_oidc_policies.py`, one comment per
  statement). An explicit deny keeps it from changing its own or the preview role's permissions or trust;
- a **permissions boundary** (`github-boundary-<project>-<stack>`, a managed policy): what the stack's own
  ECS task and execution roles need and no more. The deploy role may create roles, add policies to them or
  attach managed policies only when the role carries this boundary, may never remove a boundary or change
  a role's trust, and may never edit the boundary; so it cannot mint an admin role, pass one to a task, or
  retarget a role's trust to itself. The stack's `Service` creates its roles with it (`permissions_boundary`);
- a **preview role** that the repository's pull requests (`repo:OWNER/NAME:pull_request`) can assume,
  which reads configuration only (plus lock files if the state lives in S3).

Outputs: `deploy_role_arn`, `preview_role_arn` (paste into the repository variables `AWS_DEPLOY_ROLE_ARN`
and `AWS_PREVIEW_ROLE_ARN`), `oidc_provider_arn` and `permissions_boundary_arn`.

Because the deploy role may change none of this (explicit denies), a change to it is applied from a laptop
with `pulumi up` before it is merged; otherwise the next CI deploy stops on the deny.

**Cost**: free. IAM roles, managed and inline policies and OIDC identity providers have no charge; STS
AssumeRole calls are free too. Nothing here is billed per hour or per request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.github_oidc_policies import (
    DEFAULT_ATTACHABLE_POLICIES,
    GITHUB_OIDC_URL,
    MANAGED_POLICY_GROUPS,
    STS_AUDIENCE,
    Scope,
    StateBucket,
    boundary_policy,
    deploy_inline_policy,
    deploy_managed_policies,
    github_subjects,
    preview_policy,
    trust_policy,
)

REPOSITORY_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_PREFIX = re.compile(r"^[a-z0-9][a-z0-9-]{2,40}$")
PROVIDER_ARN_PATTERN = re.compile(
    r"^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com$"
)
ENVIRONMENT_PATTERN = re.compile(r"^(\*|[A-Za-z0-9._-]{1,255})$")


@dataclass(frozen=True)
class GitHubDeployRolesArgs:
    repository: str
    """GitHub repository allowed to assume the roles, `owner/name` (e.g. `acme/safety-heatmap-aws`)."""
    project: str
    """Pulumi project name; with `stack` it names the roles: `github-deploy-<project>-<stack>`."""
    stack: str
    """Pulumi stack name (`dev`, `prod`)."""
    region: str
    """AWS region of the stack (`aws:region`); write permissions are held to it."""
    resource_prefix: str | None = None
    """Physical-name prefix of the stack's resources; write permissions on ECR, ECS, DynamoDB, logs,
    alarms, SNS, budgets and IAM roles are limited to names starting with it. Default `<project>-<stack>`."""
    account_id: pulumi.Input[str] | None = None
    """AWS account id; default: the account of the credentials running `pulumi up`."""
    oidc_provider_arn: str | None = None
    """ARN of an existing GitHub OIDC provider in the account; when set, none is created."""
    state_backend_url: str | None = None
    """`s3://bucket[/prefix]` of a self-managed Pulumi backend: the roles get access to it. None for Pulumi
    Cloud."""
    environments: Sequence[str] = ()
    """GitHub environments whose jobs may assume the deploy role; empty (the default): only the one named
    after the stack. `*` trusts every environment of the repository, so a job in `dev` could assume this
    role: never use it for a stack whose environment has required reviewers. Restrict each environment's
    deployment branches to `main` in the repository settings."""
    attachable_policies: Sequence[str] = DEFAULT_ATTACHABLE_POLICIES
    """AWS managed policies the deploy role may attach to the stack's roles."""
    dns_namespace: str = "heatmap.internal"
    """The Cloud Map private DNS namespace of the stack (`ServiceArgs.namespace_name`): on destroy, the deploy
    role may delete Route 53 records under this name only."""
    partition: str = "aws"

    def __post_init__(self) -> None:
        if not REPOSITORY_PATTERN.match(self.repository or ""):
            raise ValueError(
                f"githubRepository {self.repository!r} is not owner/name (e.g. acme/safety-heatmap)"
            )
        prefix = self.prefix
        if not _PREFIX.match(prefix):
            raise ValueError(
                f"resource prefix {prefix!r} must be 3-41 lowercase letters, digits or hyphens "
                "(ECR repository names are lowercase)"
            )
        if self.oidc_provider_arn is not None and not PROVIDER_ARN_PATTERN.match(self.oidc_provider_arn):
            raise ValueError(
                f"githubOidcProviderArn {self.oidc_provider_arn!r} is not the ARN of a GitHub OIDC provider "
                "(arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com)"
            )
        if self.state_backend_url:
            StateBucket.from_url(self.state_backend_url)
        bad_envs = [e for e in self.environments if not ENVIRONMENT_PATTERN.match(e)]
        if bad_envs:
            raise ValueError(
                f"GitHub environments {list(self.environments)!r}: use names like dev, prod, or *"
            )
        for role in (self.deploy_role_name, self.preview_role_name):
            if len(role) > 64:
                raise ValueError(
                    f"role name {role!r} is longer than IAM's 64 characters: shorten project/stack"
                )
            if role.startswith(prefix):
                raise ValueError(
                    f"resource prefix {prefix!r} would cover the CI role {role!r}: choose another"
                )

    @property
    def prefix(self) -> str:
        return self.resource_prefix or f"{self.project}-{self.stack}"

    @property
    def deploy_environments(self) -> tuple[str, ...]:
        """The environments the deploy role trusts: those configured, else the one named after the stack."""
        return tuple(self.environments) or (self.stack,)

    @property
    def deploy_role_name(self) -> str:
        return f"github-deploy-{self.project}-{self.stack}"

    @property
    def preview_role_name(self) -> str:
        return f"github-preview-{self.project}-{self.stack}"

    @property
    def boundary_policy_name(self) -> str:
        return f"github-boundary-{self.project}-{self.stack}"

    def deploy_policy_name(self, group: str) -> str:
        return f"{self.deploy_role_name}-{group}"


def _compact(document: dict) -> str:
    return json.dumps(document, separators=(",", ":"))


class GitHubDeployRoles(pulumi.ComponentResource):
    """OIDC provider (or an existing one), deploy role and read-only preview role for GitHub Actions."""

    deploy_role_arn: pulumi.Output[str]
    preview_role_arn: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    permissions_boundary_arn: pulumi.Output[str]

    def __init__(self, name: str, args: GitHubDeployRolesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("safety-heatmap:cicd:GitHubDeployRoles", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        if args.oidc_provider_arn:
            provider_arn: pulumi.Output[str] = pulumi.Output.from_input(args.oidc_provider_arn)
        else:
            # No thumbprint: for GitHub's issuer IAM validates the certificate against its own trusted root
            # CAs and ignores thumbprints, and the field is optional (pulumi-aws v7 OpenIdConnectProvider
            # docs, `thumbprint_lists`).
            provider = aws.iam.OpenIdConnectProvider(
                f"{name}-github-oidc",
                url=GITHUB_OIDC_URL,
                client_id_lists=[STS_AUDIENCE],
                tags={"purpose": "github-actions"},
                opts=child,
            )
            provider_arn = provider.arn

        account_id = (
            pulumi.Output.from_input(args.account_id)
            if args.account_id is not None
            else aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        )
        state = StateBucket.from_url(args.state_backend_url) if args.state_backend_url else None
        subjects = github_subjects(args.repository, environments=args.deploy_environments)
        tags = {"github-repository": args.repository, "pulumi-stack": f"{args.project}/{args.stack}"}

        deploy_role = aws.iam.Role(
            f"{name}-deploy",
            name=args.deploy_role_name,
            description=f"GitHub Actions deploy of {args.project}/{args.stack} from {args.repository}",
            assume_role_policy=provider_arn.apply(
                lambda arn: json.dumps(trust_policy(arn, subjects["deploy"]))
            ),
            max_session_duration=3600,
            tags=tags,
            opts=child,
        )
        preview_role = aws.iam.Role(
            f"{name}-preview",
            name=args.preview_role_name,
            description=f"GitHub Actions read-only preview of {args.project}/{args.stack} for pull requests",
            assume_role_policy=provider_arn.apply(
                lambda arn: json.dumps(trust_policy(arn, subjects["preview"]))
            ),
            max_session_duration=3600,
            tags=tags,
            opts=child,
        )

        def scope_for(account: str) -> Scope:
            return Scope(
                account_id=account,
                region=args.region,
                resource_prefix=args.prefix,
                partition=args.partition,
                dns_namespace=args.dns_namespace,
                boundary_policy_name=args.boundary_policy_name,
            )

        # The boundary of every role the deploy role creates. Its ARN is an output, so a role that names it
        # (the stack's task and execution roles) is created only once the policy exists.
        boundary = aws.iam.Policy(
            f"{name}-boundary",
            name=args.boundary_policy_name,
            description=f"Permissions boundary of the roles of {args.project}/{args.stack}",
            policy=account_id.apply(lambda account: _compact(boundary_policy(scope_for(account)))),
            tags=tags,
            opts=child,
        )

        def ci_role_arns(account: str) -> list[str]:
            return [
                f"arn:{args.partition}:iam::{account}:role/{role}"
                for role in (args.deploy_role_name, args.preview_role_name)
            ]

        def ci_policy_arns(account: str) -> list[str]:
            return [
                f"arn:{args.partition}:iam::{account}:policy/{args.deploy_policy_name(group)}"
                for group in MANAGED_POLICY_GROUPS
            ]

        attachable = tuple(args.attachable_policies)
        # Compact JSON: IAM counts policy size without whitespace. The inline policy holds the reads, IAM and
        # the denies; the resource statements are in managed policies (see MANAGED_POLICY_GROUPS for why).
        aws.iam.RolePolicy(
            f"{name}-deploy-permissions",
            role=deploy_role.id,
            policy=pulumi.Output.all(account_id, provider_arn).apply(
                lambda values: _compact(
                    deploy_inline_policy(
                        scope_for(values[0]),
                        state,
                        ci_role_arns=ci_role_arns(values[0]),
                        provider_arn=values[1],
                        ci_policy_arns=ci_policy_arns(values[0]),
                        attachable_policies=attachable,
                    )
                )
            ),
            opts=child,
        )
        for group in MANAGED_POLICY_GROUPS:
            managed = aws.iam.Policy(
                f"{name}-deploy-{group}",
                name=args.deploy_policy_name(group),
                description=f"GitHub Actions deploy of {args.project}/{args.stack}: {group} resources",
                policy=account_id.apply(
                    lambda account, group=group: _compact(
                        deploy_managed_policies(scope_for(account), attachable_policies=attachable)[group]
                    )
                ),
                tags=tags,
                opts=child,
            )
            aws.iam.RolePolicyAttachment(
                f"{name}-deploy-{group}", role=deploy_role.name, policy_arn=managed.arn, opts=child
            )
        aws.iam.RolePolicy(
            f"{name}-preview-permissions",
            role=preview_role.id,
            policy=account_id.apply(lambda account: _compact(preview_policy(scope_for(account), state))),
            opts=child,
        )

        self.deploy_role_arn = deploy_role.arn
        self.preview_role_arn = preview_role.arn
        self.oidc_provider_arn = provider_arn
        self.permissions_boundary_arn = boundary.arn
        self.register_outputs(
            {
                "deploy_role_arn": self.deploy_role_arn,
                "preview_role_arn": self.preview_role_arn,
                "oidc_provider_arn": self.oidc_provider_arn,
                "permissions_boundary_arn": self.permissions_boundary_arn,
            }
        )
