"""GitHubDeployRoles under Pulumi's in-process mocks: who can assume which role, and what each role may do."""

from __future__ import annotations

import json
import re

import pulumi
import pytest

ACCOUNT = "123456789012"
REPO = "acme/safety-heatmap"
EXISTING_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"


class RecordingMocks(pulumi.runtime.Mocks):
    """Creates every resource with its inputs as state, plus the ARN AWS would give it."""

    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        self.resources.append(args)
        state = dict(args.inputs)
        if args.typ == "aws:iam/role:Role":
            state["arn"] = f"arn:aws:iam::{ACCOUNT}:role/{args.inputs['name']}"
        if args.typ == "aws:iam/policy:Policy":
            state["arn"] = f"arn:aws:iam::{ACCOUNT}:policy/{args.inputs['name']}"
        if args.typ == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            host = args.inputs["url"].removeprefix("https://")
            state["arn"] = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{host}"
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs):
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT,
                "arn": f"arn:aws:iam::{ACCOUNT}:user/dev",
                "userId": "AIDA",
                "id": ACCOUNT,
            }
        raise AssertionError(f"unexpected invoke {args.token}")

    def of_type(self, typ: str) -> list[pulumi.runtime.MockResourceArgs]:
        return [r for r in self.resources if r.typ == typ]

    def one(self, typ: str, name_suffix: str) -> pulumi.runtime.MockResourceArgs:
        (found,) = [r for r in self.of_type(typ) if r.name.endswith(name_suffix)]
        return found


@pytest.fixture
def mocks() -> RecordingMocks:
    recording = RecordingMocks()
    pulumi.runtime.set_mocks(recording, project="heatmap", stack="dev", preview=False)
    return recording


def run_component(**overrides) -> dict[str, str]:
    """Runs the component under the mocks to completion; returns its resolved outputs."""
    from components.github_oidc import GitHubDeployRoles, GitHubDeployRolesArgs

    args = {"repository": REPO, "project": "heatmap", "stack": "dev", "region": "eu-west-1", **overrides}
    outputs: dict[str, str] = {}

    @pulumi.runtime.test
    def program():
        roles = GitHubDeployRoles("ci", GitHubDeployRolesArgs(**args))
        return pulumi.Output.all(
            roles.deploy_role_arn, roles.preview_role_arn, roles.oidc_provider_arn
        ).apply(lambda values: outputs.update(zip(("deploy", "preview", "provider"), values, strict=True)))

    program()  # returns once every resource registration has reached the mocks
    return outputs


def document(resource: pulumi.runtime.MockResourceArgs, key: str) -> dict:
    value = resource.inputs[key]
    return json.loads(value) if isinstance(value, str) else value


def deploy_documents(mocks: RecordingMocks) -> list[dict]:
    """Every document the deploy role holds: its inline policy and the managed policies attached to it."""
    documents = [document(mocks.one("aws:iam/rolePolicy:RolePolicy", "-deploy-permissions"), "policy")]
    policies = {r.name: r for r in mocks.of_type("aws:iam/policy:Policy")}
    attachments = mocks.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachments, "the deploy role has no managed policies attached"
    for attachment in attachments:
        assert attachment.inputs["role"] == "github-deploy-heatmap-dev"
        (policy,) = [
            r for r in policies.values() if attachment.inputs["policyArn"].endswith(r.inputs["name"])
        ]
        documents.append(document(policy, "policy"))
    return documents


def boundary_document(mocks: RecordingMocks) -> dict:
    return document(mocks.one("aws:iam/policy:Policy", "-boundary"), "policy")


BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/github-boundary-heatmap-dev"


# --- an independent evaluator of the trust conditions, written from the IAM docs -------------------------
def _like(pattern: str, value: str) -> bool:
    """IAM StringLike: `*` any run of characters (':' and '/' included), `?` one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value) is not None


def can_assume(trust: dict, *, federated: str, aud: str, sub: str) -> bool:
    """Whether a web-identity token with these claims may assume a role with this trust policy."""
    for statement in trust["Statement"]:
        if statement["Effect"] != "Allow" or statement["Action"] != "sts:AssumeRoleWithWebIdentity":
            continue
        if statement["Principal"] != {"Federated": federated}:
            continue
        claims = {
            "token.actions.githubusercontent.com:aud": aud,
            "token.actions.githubusercontent.com:sub": sub,
        }
        ok = True
        for operator, conditions in statement["Condition"].items():
            match = {"StringEquals": lambda p, v: p == v, "StringLike": _like}[operator]
            for key, allowed in conditions.items():
                allowed = allowed if isinstance(allowed, list) else [allowed]
                ok = ok and any(match(p, claims[key]) for p in allowed)
        if ok:
            return True
    return False


# The dev stack's deploy role: only jobs in the `dev` environment (the deploy workflow's environment for dev).
DEPLOY_OK = [f"repo:{REPO}:environment:dev"]
NOBODY = [
    # A plain job on main has no environment, so no required reviewers: it must not reach any deploy role.
    f"repo:{REPO}:ref:refs/heads/main",
    # Another environment of the same repository (prod's required reviewers are not dev's, and vice versa).
    f"repo:{REPO}:environment:prod",
    f"repo:{REPO}:environment:dev-evil",
    f"repo:{REPO}:ref:refs/heads/feature",
    f"repo:{REPO}:ref:refs/heads/main-evil",
    f"repo:{REPO}:ref:refs/tags/v1.0.0",
    "repo:acme/safety-heatmap-fork:ref:refs/heads/main",
    "repo:acme/safety-heatmap-fork:environment:dev",
    "repo:evil/safety-heatmap:environment:dev",
    "repo:evil/safety-heatmap:pull_request",
]
PREVIEW_OK = [f"repo:{REPO}:pull_request"]


def check_trust(mocks: RecordingMocks, provider_arn: str, deploy_ok: list[str] = DEPLOY_OK) -> None:
    deploy = document(mocks.one("aws:iam/role:Role", "-deploy"), "assumeRolePolicy")
    preview = document(mocks.one("aws:iam/role:Role", "-preview"), "assumeRolePolicy")

    everyone = sorted(set(DEPLOY_OK + PREVIEW_OK + NOBODY + deploy_ok))
    for trust, allowed in ((deploy, deploy_ok), (preview, PREVIEW_OK)):
        (statement,) = trust["Statement"]
        assert (
            statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:aud"]
            == "sts.amazonaws.com"
        )
        assert {
            s for s in everyone if can_assume(trust, federated=provider_arn, aud="sts.amazonaws.com", sub=s)
        } == set(allowed)
        # The right subject with another audience, or through another identity provider, is refused.
        assert not can_assume(trust, federated=provider_arn, aud="https://github.com/acme", sub=allowed[0])
        other_provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.com"
        assert not can_assume(trust, federated=other_provider, aud="sts.amazonaws.com", sub=allowed[0])

    # Exact subjects, so the exact-match operator: no wildcard left for a look-alike to slip through.
    assert "StringLike" not in deploy["Statement"][0]["Condition"]
    assert deploy["Statement"][0]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == (
        deploy_ok
    )
    assert preview["Statement"][0]["Condition"]["StringEquals"][
        "token.actions.githubusercontent.com:sub"
    ] == [f"repo:{REPO}:pull_request"]


def test_creates_github_provider_and_trusts_only_the_stacks_environment_and_pull_requests(mocks):
    outputs = run_component()
    created_arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    (provider,) = mocks.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider.inputs["url"] == "https://token.actions.githubusercontent.com"
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    assert not provider.inputs.get("thumbprintLists")
    check_trust(mocks, created_arn)
    assert outputs == {
        "deploy": f"arn:aws:iam::{ACCOUNT}:role/github-deploy-heatmap-dev",
        "preview": f"arn:aws:iam::{ACCOUNT}:role/github-preview-heatmap-dev",
        "provider": created_arn,
    }


def test_existing_provider_is_reused_not_created(mocks):
    provider_arn = run_component(oidc_provider_arn=EXISTING_PROVIDER, account_id="210987654321")["provider"]
    assert mocks.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider") == []
    assert provider_arn == EXISTING_PROVIDER
    check_trust(mocks, EXISTING_PROVIDER)
    # An explicit account id is used as given, without looking it up.
    deploy = document(mocks.one("aws:iam/rolePolicy:RolePolicy", "-deploy-permissions"), "policy")
    (deny,) = [s for s in deploy["Statement"] if s["Sid"] == "NoChangesToCiIdentity"]
    assert "arn:aws:iam::210987654321:role/github-deploy-heatmap-dev" in deny["Resource"]


def _actions(statement: dict) -> list[str]:
    actions = statement["Action"]
    return actions if isinstance(actions, list) else [actions]


def _resources(statement: dict) -> list[str]:
    resources = statement["Resource"]
    return resources if isinstance(resources, list) else [resources]


READ_VERB = re.compile(r"^[a-z0-9-]+:(Describe|List|Get|BatchGet|View|BatchCheck|GET$)")
# Write calls that accept no resource ARN at all (AWS service authorization reference): the only writes
# allowed on "*", and each only in its region where the service is regional.
RESOURCELESS_WRITES = {
    "ecs:RegisterTaskDefinition",
    "ecs:DeregisterTaskDefinition",
    "servicediscovery:CreatePrivateDnsNamespace",
    "route53:CreateHostedZone",
    "logs:CreateLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:PutResourcePolicy",
}


def test_no_wildcard_admin_and_writes_scoped_to_the_stack(mocks):
    run_component(state_backend_url="s3://acme-pulumi-state/heatmap?region=eu-west-1")
    deploy_docs = deploy_documents(mocks)
    deploy = {"Statement": [st for doc in deploy_docs for st in doc["Statement"]]}
    preview = document(mocks.one("aws:iam/rolePolicy:RolePolicy", "-preview-permissions"), "policy")
    for policy in (deploy, preview, boundary_document(mocks)):
        for statement in policy["Statement"]:
            for action in _actions(statement):
                service, _, verb = action.partition(":")
                assert action != "*" and verb != "*", statement["Sid"]
                assert service != "iam" or "*" not in verb, statement["Sid"]
            if statement["Effect"] != "Allow" or "*" not in _resources(statement):
                continue
            for action in _actions(statement):
                assert READ_VERB.match(action) or action in RESOURCELESS_WRITES, (statement["Sid"], action)
                if action in RESOURCELESS_WRITES and not action.startswith("route53:"):
                    assert statement["Condition"] == {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}

    # The preview role writes nothing but the state backend's lock files.
    for statement in preview["Statement"]:
        writes = [
            a for a in _actions(statement) if not READ_VERB.match(a) and a != "ecr:GetAuthorizationToken"
        ]
        if writes:
            assert writes == ["s3:DeleteObject", "s3:PutObject"]
            assert _resources(statement) == ["arn:aws:s3:::acme-pulumi-state/heatmap/.pulumi/locks/*"]

    # IAM writes touch only the stack's roles (prefix heatmap-dev) or AWS service-linked roles.
    for statement in deploy["Statement"]:
        iam_writes = [a for a in _actions(statement) if a.startswith("iam:") and not READ_VERB.match(a)]
        if statement["Effect"] == "Allow" and iam_writes:
            for resource in _resources(statement):
                assert resource in (
                    f"arn:aws:iam::{ACCOUNT}:role/heatmap-dev*",
                    f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/*",
                ), statement["Sid"]
    (pass_role,) = [s for s in deploy["Statement"] if "iam:PassRole" in _actions(s)]
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    (attach,) = [
        s for s in deploy["Statement"] if "iam:AttachRolePolicy" in _actions(s) and s["Effect"] == "Allow"
    ]
    assert attach["Condition"] == {
        "ArnEquals": {
            "iam:PolicyARN": ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]
        },
        "StringEquals": {"iam:PermissionsBoundary": BOUNDARY},
    }

    # CI can never change its own roles, the identity provider, the boundary or its own managed policies.
    (deny,) = [s for s in deploy["Statement"] if s["Sid"] == "NoChangesToCiIdentity"]
    assert set(deny["Resource"]) == {
        f"arn:aws:iam::{ACCOUNT}:role/github-deploy-heatmap-dev",
        f"arn:aws:iam::{ACCOUNT}:role/github-preview-heatmap-dev",
        f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com",
    }
    assert {"iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy"} <= set(deny["Action"])
    (policies_deny,) = [s for s in deploy["Statement"] if s["Sid"] == "NoChangesToCiPolicies"]
    assert set(policies_deny["Resource"]) == {BOUNDARY} | {
        f"arn:aws:iam::{ACCOUNT}:policy/github-deploy-heatmap-dev-{group}"
        for group in ("compute", "network", "data")
    }

    # The state bucket: deploy writes under its prefix, nowhere else.
    (write_state,) = [s for s in deploy["Statement"] if s["Sid"] == "WriteState"]
    assert write_state["Resource"] == "arn:aws:s3:::acme-pulumi-state/heatmap/*"

    # Costly resources the stack avoids cannot be created by CI at all.
    every_action = {a for s in deploy["Statement"] if s["Effect"] == "Allow" for a in _actions(s)}
    for costly in ("ec2:CreateNatGateway", "ec2:AllocateAddress", "ec2:RunInstances"):
        assert costly not in every_action
    assert not any(a.startswith("elasticloadbalancing:") for a in every_action)


STACK_ROLE = f"arn:aws:iam::{ACCOUNT}:role/heatmap-dev-task-1234"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
ECS_EXECUTION = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        # Creating a role of the stack: only with the stack's boundary.
        (("iam:CreateRole", STACK_ROLE, {"iam:PermissionsBoundary": BOUNDARY}), True),
        (("iam:CreateRole", STACK_ROLE, {}), False),
        (("iam:CreateRole", STACK_ROLE, {"iam:PermissionsBoundary": ADMIN}), False),
        (
            (
                "iam:CreateRole",
                f"arn:aws:iam::{ACCOUNT}:role/other-app-admin",
                {"iam:PermissionsBoundary": BOUNDARY},
            ),
            False,
        ),
        # An inline policy (whatever it says) only on a role that carries the boundary.
        (("iam:PutRolePolicy", STACK_ROLE, {"iam:PermissionsBoundary": BOUNDARY}), True),
        (("iam:PutRolePolicy", STACK_ROLE, {}), False),
        # Managed policies: the known one, on a bounded role; never AdministratorAccess.
        (
            (
                "iam:AttachRolePolicy",
                STACK_ROLE,
                {"iam:PolicyARN": ECS_EXECUTION, "iam:PermissionsBoundary": BOUNDARY},
            ),
            True,
        ),
        (
            (
                "iam:AttachRolePolicy",
                STACK_ROLE,
                {"iam:PolicyARN": ADMIN, "iam:PermissionsBoundary": BOUNDARY},
            ),
            False,
        ),
        (("iam:AttachRolePolicy", STACK_ROLE, {"iam:PolicyARN": ECS_EXECUTION}), False),
        # The boundary can be set (to ours), never removed or swapped.
        (("iam:PutRolePermissionsBoundary", STACK_ROLE, {"iam:PermissionsBoundary": BOUNDARY}), True),
        (("iam:PutRolePermissionsBoundary", STACK_ROLE, {"iam:PermissionsBoundary": ADMIN}), False),
        (("iam:DeleteRolePermissionsBoundary", STACK_ROLE, {"iam:PermissionsBoundary": BOUNDARY}), False),
        # No role's trust can be retargeted (to CI itself, or to another account).
        (("iam:UpdateAssumeRolePolicy", STACK_ROLE, {"iam:PermissionsBoundary": BOUNDARY}), False),
        (("iam:UpdateAssumeRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/github-deploy-heatmap-dev", {}), False),
        # The boundary and CI's managed policies cannot be edited.
        (("iam:CreatePolicyVersion", BOUNDARY, {}), False),
        (("iam:SetDefaultPolicyVersion", BOUNDARY, {}), False),
        (("iam:DeletePolicy", BOUNDARY, {}), False),
        (
            (
                "iam:CreatePolicyVersion",
                f"arn:aws:iam::{ACCOUNT}:policy/github-deploy-heatmap-dev-network",
                {},
            ),
            False,
        ),
        (("iam:CreatePolicy", f"arn:aws:iam::{ACCOUNT}:policy/heatmap-dev-admin", {}), False),
        # Roles go to ECS tasks only.
        (("iam:PassRole", STACK_ROLE, {"iam:PassedToService": "ecs-tasks.amazonaws.com"}), True),
        (("iam:PassRole", STACK_ROLE, {"iam:PassedToService": "lambda.amazonaws.com"}), False),
        (
            (
                "iam:PassRole",
                f"arn:aws:iam::{ACCOUNT}:role/OrganizationAccountAccessRole",
                {"iam:PassedToService": "ecs-tasks.amazonaws.com"},
            ),
            False,
        ),
    ],
)
def test_deploy_role_cannot_mint_a_role_beyond_the_boundary(mocks, request_, expected):
    from tests.cicd.iam_eval import Request, allowed

    run_component()
    action, resource, context = request_
    assert allowed(deploy_documents(mocks), Request(action, resource, context)) is expected


def test_boundary_is_what_the_service_roles_need_and_nothing_more(mocks):
    """Every statement of service.py's execution and task role policies passes the boundary; more does not."""
    from components import service
    from components.github_oidc_policies import TASK_TABLE_ACTIONS
    from tests.cicd.iam_eval import Request, allowed

    run_component()
    boundary = boundary_document(mocks)
    assert mocks.one("aws:iam/policy:Policy", "-boundary").inputs["name"] == "github-boundary-heatmap-dev"
    assert set(service.TABLE_ACTIONS) <= set(TASK_TABLE_ACTIONS)
    repo = f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/heatmap-dev-repo-abc"
    logs = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:heatmap-dev-logs-abc"
    table = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/heatmap-dev-table-abc"
    needed = json.loads(service.execution_role_policy(repo, logs))["Statement"]
    needed += json.loads(service.task_role_policy(table))["Statement"]
    for statement in needed:
        for action in _actions(statement):
            for resource in _resources(statement):
                concrete = resource.replace("*", "api/api/0123") if resource != "*" else "*"
                assert allowed([boundary], Request(action, concrete)), (action, concrete)
    # Nothing beyond: another stack's table, a scan, IAM, STS, S3.
    other_table = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/heatmap-prod-table-abc"
    for action, resource in (
        ("dynamodb:GetItem", other_table),
        ("dynamodb:Scan", table),
        ("dynamodb:DeleteTable", table),
        ("iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/heatmap-dev-x"),
        ("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/github-deploy-heatmap-dev"),
        ("s3:GetObject", "arn:aws:s3:::acme-pulumi-state/heatmap/x"),
        ("ecr:PutImage", repo),
    ):
        assert not allowed([boundary], Request(action, resource)), (action, resource)


def test_pulumi_cloud_backend_gets_no_s3_access(mocks):
    run_component()
    for suffix in ("-deploy-permissions", "-preview-permissions"):
        policy = document(mocks.one("aws:iam/rolePolicy:RolePolicy", suffix), "policy")
        assert not [a for s in policy["Statement"] for a in _actions(s) if a.startswith("s3:")]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"repository": "safety-heatmap"}, "owner/name"),
        ({"repository": "acme/heat map"}, "owner/name"),
        ({"oidc_provider_arn": "arn:aws:iam::123456789012:oidc-provider/gitlab.com"}, "GitHub OIDC provider"),
        ({"resource_prefix": "github"}, "would cover the CI role"),
        ({"resource_prefix": "Heatmap"}, "lowercase"),
        ({"state_backend_url": "gs://bucket"}, "not an S3 URL"),
        ({"environments": ("prod env",)}, "GitHub environments"),
    ],
)
def test_invalid_args_fail_with_one_line(overrides, message):
    from components.github_oidc import GitHubDeployRolesArgs

    args = {"repository": REPO, "project": "heatmap", "stack": "dev", "region": "eu-west-1", **overrides}
    with pytest.raises(ValueError, match=message) as error:
        GitHubDeployRolesArgs(**args)
    assert "\n" not in str(error.value)


def test_prod_deploy_role_trusts_only_the_prod_environment(mocks):
    """A dev job (no reviewers) or a plain job on main must never assume prod's deploy role."""
    run_component(stack="prod")
    check_trust(
        mocks, EXISTING_PROVIDER.replace("210987654321", ACCOUNT), deploy_ok=[f"repo:{REPO}:environment:prod"]
    )
    deploy = document(mocks.one("aws:iam/role:Role", "-deploy"), "assumeRolePolicy")
    for sub in (f"repo:{REPO}:environment:dev", f"repo:{REPO}:ref:refs/heads/main"):
        assert not can_assume(deploy, federated=EXISTING_PROVIDER, aud="sts.amazonaws.com", sub=sub)


def test_environments_can_be_set_explicitly():
    from components.github_oidc import GitHubDeployRolesArgs
    from components.github_oidc_policies import github_subjects, trust_policy

    args = GitHubDeployRolesArgs(
        repository=REPO, project="heatmap", stack="dev", region="eu-west-1", environments=("dev", "staging")
    )
    trust = trust_policy(
        EXISTING_PROVIDER, github_subjects(REPO, environments=args.deploy_environments)["deploy"]
    )
    assert "StringLike" not in trust["Statement"][0]["Condition"]
    candidates = NOBODY + [f"repo:{REPO}:environment:dev", f"repo:{REPO}:environment:staging"]
    ok = {
        s
        for s in candidates
        if can_assume(trust, federated=EXISTING_PROVIDER, aud="sts.amazonaws.com", sub=s)
    }
    assert ok == {f"repo:{REPO}:environment:dev", f"repo:{REPO}:environment:staging"}
    # The default is the stack's own environment, whatever the stack is called.
    assert GitHubDeployRolesArgs(
        repository=REPO, project="p", stack="qa", region="eu-west-1"
    ).deploy_environments == ("qa",)


def test_wildcard_environment_is_an_explicit_opt_in():
    """`*` is still accepted (one stack, no reviewers), but only when asked for, and with StringLike."""
    from components.github_oidc_policies import github_subjects, trust_policy

    trust = trust_policy(EXISTING_PROVIDER, github_subjects(REPO, environments=("*",))["deploy"])
    assert trust["Statement"][0]["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"] == [
        f"repo:{REPO}:environment:*"
    ]
    assert not can_assume(
        trust, federated=EXISTING_PROVIDER, aud="sts.amazonaws.com", sub=f"repo:{REPO}:ref:refs/heads/main"
    )


def test_deploy_policies_fit_iam_size_limits_in_the_worst_case():
    """IAM: 10,240 characters of inline policy per role, 6,144 per managed policy, whitespace excluded."""
    from components.github_oidc import GitHubDeployRolesArgs
    from components.github_oidc_policies import (
        INLINE_POLICY_MAX,
        MANAGED_POLICY_GROUPS,
        MANAGED_POLICY_MAX,
        Scope,
        StateBucket,
        boundary_policy,
        deploy_inline_policy,
        deploy_managed_policies,
        deploy_statements,
        read_statements,
    )

    args = GitHubDeployRolesArgs(
        repository=REPO, project="p" * 20, stack="s" * 10, region="ap-southeast-1", resource_prefix="x" * 41
    )
    scope = Scope(
        account_id=ACCOUNT,
        region=args.region,
        resource_prefix=args.prefix,
        dns_namespace="n" * 60 + ".internal",
        boundary_policy_name=args.boundary_policy_name,
    )
    state = StateBucket.from_url("s3://" + "b" * 63 + "/" + "k" * 40)
    inline = deploy_inline_policy(
        scope,
        state,
        ci_role_arns=[f"arn:aws:iam::{ACCOUNT}:role/{args.deploy_role_name}"] * 2,
        provider_arn=EXISTING_PROVIDER,
        ci_policy_arns=[
            f"arn:aws:iam::{ACCOUNT}:policy/{args.deploy_policy_name(g)}" for g in MANAGED_POLICY_GROUPS
        ],
    )
    size = lambda doc: len("".join(json.dumps(doc).split()))  # noqa: E731
    assert size(inline) < INLINE_POLICY_MAX
    managed = deploy_managed_policies(scope)
    assert all(size(doc) < MANAGED_POLICY_MAX for doc in managed.values()), {
        g: size(d) for g, d in managed.items()
    }
    assert size(boundary_policy(scope)) < MANAGED_POLICY_MAX
    # Every resource statement is in exactly one place: the inline policy or one managed group.
    sids = [st["Sid"] for st in deploy_statements(scope, attachable_policies=())]
    placed = [st["Sid"] for doc in [inline, *managed.values()] for st in doc["Statement"]]
    reads = [st["Sid"] for st in read_statements(scope)]
    assert sorted(s for s in placed if s in sids) == sorted(sids)
    assert set(reads) <= set(placed)


def test_the_namespace_the_deploy_role_may_clean_up_is_the_services():
    """Route 53 record deletes are held to the Cloud Map namespace: both defaults must name the same one."""
    from components.github_oidc import GitHubDeployRolesArgs
    from components.service import ServiceArgs

    service_default = ServiceArgs.__dataclass_fields__["namespace_name"].default
    assert GitHubDeployRolesArgs.__dataclass_fields__["dns_namespace"].default == service_default
