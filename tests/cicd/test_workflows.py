"""The GitHub Actions workflows, read as data: triggers, permissions, OIDC, pinning, the single PR comment."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
CONFIGURE_AWS = "aws-actions/configure-aws-credentials@"


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    on = workflow.get("on", workflow.get(True))
    return {key: (value or {}) for key, value in on.items()} if isinstance(on, dict) else {on: {}}


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def uses(job: dict) -> list[str]:
    return [step["uses"] for step in steps(job) if "uses" in step]


def all_jobs() -> list[tuple[str, str, dict]]:
    return [
        (path.name, name, job)
        for path in sorted(WORKFLOWS.glob("*.yml"))
        for name, job in load(path.name)["jobs"].items()
    ]


def test_the_three_workflows_exist():
    assert sorted(p.name for p in WORKFLOWS.glob("*.y*ml")) == ["checks.yml", "deploy.yml", "preview.yml"]


def test_triggers():
    assert set(triggers(load("checks.yml"))) == {"pull_request", "push", "workflow_call"}
    # Every push but main's, whose checks run inside the deploy workflow (before it deploys).
    assert triggers(load("checks.yml"))["push"] == {"branches-ignore": ["main"]}

    preview = load("preview.yml")
    assert set(triggers(preview)) == {"pull_request"}
    # Only pull requests whose head is this repository (forks have no OIDC token and get `checks` only).
    assert preview["jobs"]["preview"]["if"].replace(" ", "") == (
        "${{github.event.pull_request.head.repo.full_name==github.repository}}"
    )

    deploy = load("deploy.yml")
    on = triggers(deploy)
    assert set(on) == {"push", "workflow_dispatch"}
    assert on["push"] == {"branches": ["main"]}
    stack = on["workflow_dispatch"]["inputs"]["stack"]
    assert stack["type"] == "choice" and stack["options"] == ["dev", "prod"] and stack["default"] == "dev"


def test_workflows_grant_nothing_by_default_and_each_job_only_what_it_uses():
    for name in ("checks.yml", "preview.yml", "deploy.yml"):
        assert load(name)["permissions"] == {}, name

    for workflow, name, job in all_jobs():
        permissions = job.get("permissions")
        assert isinstance(permissions, dict), f"{workflow}:{name} must state its permissions"
        if "uses" in job:  # a reusable-workflow call: its jobs get at most this
            assert permissions == {"contents": "read"}, f"{workflow}:{name}"
            continue
        uses_oidc = any(u.startswith(CONFIGURE_AWS) for u in uses(job))
        assert (permissions.get("id-token") == "write") == uses_oidc, f"{workflow}:{name} id-token"
        is_comment_job = (workflow, name) == ("preview.yml", "comment")
        assert (permissions.get("pull-requests") == "write") == is_comment_job, f"{workflow}:{name}"
        writes = {scope for scope, level in permissions.items() if level == "write"}
        assert writes <= {"id-token", "pull-requests"}, f"{workflow}:{name} writes {writes}"
        assert set(permissions) <= {"contents", "id-token", "pull-requests"}, f"{workflow}:{name}"

    jobs = {(w, n) for w, n, j in all_jobs() if any(u.startswith(CONFIGURE_AWS) for u in uses(j))}
    assert jobs == {("preview.yml", "preview"), ("deploy.yml", "deploy")}
    # The job that holds pull-requests: write checks out nothing and runs no code from the pull request.
    comment = load("preview.yml")["jobs"]["comment"]
    assert [u.split("@")[0] for u in uses(comment)] == ["actions/github-script"]
    assert not any("run" in step for step in steps(comment))


def test_aws_access_comes_from_oidc_roles_never_from_stored_keys():
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text()
        assert "AWS_ACCESS_KEY_ID" not in text and "AWS_SECRET_ACCESS_KEY" not in text, path.name
        assert "aws-access-key-id" not in text and "aws-secret-access-key" not in text, path.name
    expected_role = {
        ("preview.yml", "preview"): "AWS_PREVIEW_ROLE_ARN",
        ("deploy.yml", "deploy"): "AWS_DEPLOY_ROLE_ARN",
    }
    for (workflow, name), variable in expected_role.items():
        job = load(workflow)["jobs"][name]
        (step,) = [s for s in steps(job) if s.get("uses", "").startswith(CONFIGURE_AWS)]
        assert step["with"]["role-to-assume"] == f"${{{{ vars.{variable} }}}}"
        assert step["with"]["aws-region"] == "${{ vars.AWS_REGION }}"
    # The offline checks use no secret of any kind (they run on forks).
    assert "secrets." not in (WORKFLOWS / "checks.yml").read_text()


def run_text(job: dict) -> str:
    return " ".join(" ".join(s.get("run", "").replace("\\\n", " ").split()) for s in steps(job))


def step_running(job: dict, text: str) -> dict:
    (step,) = [s for s in steps(job) if text in s.get("run", "")]
    return step


def test_pulumi_runs_with_the_policy_pack_against_one_configurable_backend():
    preview_job = load("preview.yml")["jobs"]["preview"]
    deploy_job = load("deploy.yml")["jobs"]["deploy"]
    runs = {"preview": run_text(preview_job), "deploy": run_text(deploy_job)}
    # The pack's budget policy prices usage from usage.yml, as `make plan` does.
    pack = "--policy-pack policies --policy-pack-config policy-config.json"
    for run in runs.values():
        assert "python -m costguard pack-config --output policy-config.json" in run
    assert f'pulumi preview --stack "${{STACK_REF}}" {pack}' in runs["preview"]
    assert preview_job["env"]["STACK"] == "dev"
    assert f'pulumi up --yes --stack "${{STACK_REF}}" {pack}' in runs["deploy"]
    for job in (preview_job, deploy_job):
        assert job["env"]["PULUMI_BACKEND_URL"] == "${{ vars.PULUMI_BACKEND_URL }}"
        assert job["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}"
        assert job["env"]["PULUMI_ORG"] == "${{ vars.PULUMI_ORG }}"
        login = step_running(job, "pulumi login")
        assert 'pulumi login "${PULUMI_BACKEND_URL}"' in login["run"]
        assert [u.split("@")[0] for u in uses(job)].count("pulumi/actions") == 1
        # Preview and deploy of one stack wait for each other's lock instead of failing on it.
        command = step_running(job, "pulumi_lock_retry.py")
        assert "-- pulumi " in " ".join(command["run"].replace("\\\n", " ").split())


@pytest.mark.parametrize(
    ("backend", "org", "expected"),
    [
        ("", "", "dev"),
        ("", "acme", "acme/dev"),
        ("s3://state/heatmap", "acme", "dev"),
        ("s3://state/heatmap", "", "dev"),
    ],
)
def test_the_stack_is_fully_qualified_with_the_pulumi_cloud_org(tmp_path, backend, org, expected):
    for workflow, job_name in (("preview.yml", "preview"), ("deploy.yml", "deploy")):
        step = step_running(load(workflow)["jobs"][job_name], "STACK_REF=")
        env_file = tmp_path / f"{job_name}.env"
        env = {"PATH": "/usr/bin:/bin", "STACK": "dev", "PULUMI_BACKEND_URL": backend, "PULUMI_ORG": org}
        env["GITHUB_ENV"] = str(env_file)
        subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], env=env, check=True, timeout=30)
        assert env_file.read_text() == f"STACK_REF={expected}\n", workflow


def test_policy_violations_come_from_the_event_log_into_the_comment_and_summary():
    job = load("preview.yml")["jobs"]["preview"]
    preview = step_running(job, "pulumi preview")
    # `--event-log` only exists with PULUMI_DEBUG_COMMANDS (pkg/cmd/pulumi/operations/preview.go).
    assert "--event-log preview-events.jsonl" in preview["run"]
    assert "--json" in preview["run"] and "--stdout preview.json" in preview["run"]
    assert preview["env"]["PULUMI_DEBUG_COMMANDS"] == "true"
    render = step_running(job, "preview_events.py render")
    assert "render preview-events.jsonl --output policy.md" in render["run"]
    assert render["if"] == "${{ !cancelled() }}"
    (report,) = [s for s in steps(job) if s.get("id") == "report"]
    assert "cat policy.md review.md > report.md" in report["run"]
    assert "GITHUB_STEP_SUMMARY" in report["run"] and "head -c 60000 report.md" in report["run"]
    # Deploy keeps its event log too and puts the violations in its summary.
    deploy = load("deploy.yml")["jobs"]["deploy"]
    up = step_running(deploy, "pulumi up")
    assert "--event-log deploy-events.jsonl" in up["run"] and up["env"]["PULUMI_DEBUG_COMMANDS"] == "true"
    summary = step_running(deploy, "preview_events.py render")
    assert "deploy-events.jsonl" in summary["run"] and "GITHUB_STEP_SUMMARY" in summary["run"]


def test_the_cost_review_fails_over_the_stacks_budget():
    review = step_running(load("preview.yml")["jobs"]["preview"], "costguard review")
    assert 'preview_events.py budget --stack "${STACK}"' in review["run"]
    flat = " ".join(review["run"].replace("\\\n", " ").split())
    assert (
        'costguard review preview.json --usage usage.yml --stack "${STACK}" --budget "${budget}" '
        "--format markdown --output review.md"
    ) in flat
    assert review["continue-on-error"] is True


def test_main_deploys_only_after_its_checks_pass():
    deploy = load("deploy.yml")
    checks = deploy["jobs"]["checks"]
    assert checks == {"uses": "./.github/workflows/checks.yml", "permissions": {"contents": "read"}}
    assert deploy["jobs"]["deploy"]["needs"] == "checks"
    # `needs` without a status function: the deploy is skipped when a check fails or is cancelled.
    assert (
        "always()" not in deploy["jobs"]["deploy"]["if"] and "failure()" not in deploy["jobs"]["deploy"]["if"]
    )
    # A deploy run's checks never share a concurrency group with the checks workflow's own runs, and a
    # manual dispatch (prod) gets a group of its own.
    group = load("checks.yml")["concurrency"]["group"]
    assert "github.workflow" in group and "github.run_id" in group


def test_the_deploy_job_assumes_only_the_role_of_the_stack_it_deploys():
    """The job's environment gives its OIDC subject; each stack's role trusts that subject and no other."""
    from components.github_oidc import GitHubDeployRolesArgs
    from components.github_oidc_policies import github_subjects

    job = load("deploy.yml")["jobs"]["deploy"]
    assert job["environment"] == "${{ inputs.stack || 'dev' }}" == job["env"]["STACK"]
    # push: no inputs, so 'dev'; dispatch: the chosen stack.
    for inputs_stack, stack in ((None, "dev"), ("dev", "dev"), ("prod", "prod")):
        subject = f"repo:acme/heatmap:environment:{inputs_stack or 'dev'}"
        for role_stack in ("dev", "prod"):
            args = GitHubDeployRolesArgs(
                repository="acme/heatmap", project="p", stack=role_stack, region="eu-west-1"
            )
            trusted = github_subjects("acme/heatmap", environments=args.deploy_environments)["deploy"]
            assert (subject in trusted) == (role_stack == stack), (inputs_stack, role_stack)


def test_prod_deploys_behind_its_environment_one_at_a_time_never_cancelled():
    deploy = load("deploy.yml")
    assert "concurrency" not in deploy  # a workflow-level group would serialise dev behind prod
    job = deploy["jobs"]["deploy"]
    assert job["environment"] == "${{ inputs.stack || 'dev' }}"
    assert job["needs"] == "checks"
    assert job["env"]["STACK"] == "${{ inputs.stack || 'dev' }}"
    assert job["concurrency"] == {"group": "deploy-${{ inputs.stack || 'dev' }}", "cancel-in-progress": False}
    assert job["if"].replace(" ", "") == "${{github.ref=='refs/heads/main'}}"
    # Nothing that runs Pulumi against a stack may cancel a running operation.
    for workflow in ("preview.yml", "deploy.yml"):
        for name, job in load(workflow)["jobs"].items():
            if "concurrency" in job:
                assert job["concurrency"]["cancel-in-progress"] is False, f"{workflow}:{name}"


PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
LOCAL_WORKFLOW = re.compile(r"^\./\.github/workflows/[\w.-]+\.ya?ml$")


def test_every_action_is_pinned_to_a_commit():
    for workflow, name, job in all_jobs():
        if "uses" in job:
            assert LOCAL_WORKFLOW.match(job["uses"]), f"{workflow}:{name} calls {job['uses']}"
    for workflow, name, job in all_jobs():
        for action in uses(job):
            assert PINNED.match(action), f"{workflow}:{name} uses {action}"
    # And a SHA pin says which version it is, for the next person who bumps it.
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text().splitlines():
            if re.search(r"uses: \S+@[0-9a-f]{40}", line):
                assert re.search(r"# v\d+\.\d+\.\d+$", line), line


def test_python_and_pip_cache_are_set_up_from_the_requirement_files():
    for workflow, name, job in all_jobs():
        setup = [s for s in steps(job) if s.get("uses", "").startswith("actions/setup-python@")]
        if name == "comment" or "uses" in job:
            assert not setup
            continue
        (step,) = setup
        assert step["with"]["cache"] == "pip", f"{workflow}:{name}"
        assert "requirements*.txt" in step["with"]["cache-dependency-path"], f"{workflow}:{name}"


def test_checks_run_lint_test_and_the_offline_plan_with_its_reports():
    jobs = load("checks.yml")["jobs"]
    commands = {name: [s["run"] for s in steps(job) if "run" in s] for name, job in jobs.items()}
    assert commands["lint"] == ["make lint"]
    assert commands["test"] == ["make test"]
    plan = jobs["plan"]
    (json_step,) = [s for s in steps(plan) if s.get("id") == "plan"]
    assert 'PLAN_ARGS="--format json --output plan.json"' in json_step["run"]
    assert json_step["continue-on-error"] is True
    (summary,) = [s for s in steps(plan) if "GITHUB_STEP_SUMMARY" in s.get("run", "")]
    assert 'PLAN_ARGS="--format markdown --output plan.md"' in summary["run"]
    (upload,) = [s for s in steps(plan) if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["with"]["path"] == "plan.json"
    # A mandatory violation or a plan over budget (costguard exit 1) still fails the job, after the reports.
    last = steps(plan)[-1]
    assert last["if"] == "${{ steps.plan.outcome == 'failure' }}" and "exit 1" in last["run"]


# --- the comment script, run in node against an in-memory GitHub API -----------------------------------
HARNESS = textwrap.dedent(
    """
    const fs = require('fs');
    const script = fs.readFileSync(process.argv[2], 'utf8');
    const state = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
    let nextId = 1000;
    const calls = [];
    const rest = { issues: {
      listComments: async (p) => ({ data: state.comments.filter((c) => c.issue === p.issue_number) }),
      createComment: async (p) => {
        calls.push('create');
        state.comments.push({ id: nextId++, issue: p.issue_number, user: { type: 'Bot' }, body: p.body });
      },
      updateComment: async (p) => {
        calls.push('update');
        state.comments.find((c) => c.id === p.comment_id).body = p.body;
      },
    } };
    const github = { rest, paginate: async (fn, p) => (await fn(p)).data };
    const context = { repo: { owner: 'acme', repo: 'heatmap' }, payload: { pull_request: { number: 7 } } };
    const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
    new AsyncFunction('github', 'context', script)(github, context).then(() => {
      process.stdout.write(JSON.stringify({ calls, comments: state.comments }));
    });
    """
)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_preview_comment_is_one_comment_updated_on_each_push(tmp_path):
    comment_job = load("preview.yml")["jobs"]["comment"]
    (step,) = steps(comment_job)
    (tmp_path / "script.js").write_text(step["with"]["script"])
    (tmp_path / "harness.js").write_text(HARNESS)
    state = {
        "comments": [
            {
                "id": 1,
                "issue": 7,
                "user": {"type": "User"},
                "body": "Quoting <!-- costguard-review:dev --> here",
            },
            {"id": 2, "issue": 7, "user": {"type": "Bot"}, "body": "another bot's comment"},
            {"id": 3, "issue": 8, "user": {"type": "Bot"}, "body": "<!-- costguard-review:dev -->\nother PR"},
        ]
    }

    def push(review: str) -> dict:
        (tmp_path / "state.json").write_text(json.dumps(state))
        env = {"REVIEW": review, "PREVIEW_OUTCOME": "success", "REVIEW_OUTCOME": "success", "RUN_URL": "u"}
        result = subprocess.run(
            [
                shutil.which("node"),
                str(tmp_path / "harness.js"),
                str(tmp_path / "script.js"),
                str(tmp_path / "state.json"),
            ],
            capture_output=True,
            text=True,
            timeout=30,
            env=env,
            check=True,
        )
        return json.loads(result.stdout)

    first = push("total $4.10/month")
    assert first["calls"] == ["create"]
    state["comments"] = first["comments"]
    second = push("total $5.20/month")
    assert second["calls"] == ["update"]
    state["comments"] = second["comments"]
    third = push("total $6.30/month")
    assert third["calls"] == ["update"]

    ours = [
        c
        for c in third["comments"]
        if c["issue"] == 7 and c["body"].startswith("<!-- costguard-review:dev -->")
    ]
    assert len(ours) == 1 and "total $6.30/month" in ours[0]["body"] and "$5.20" not in ours[0]["body"]
    # Comments that are not ours are left untouched.
    untouched = {c["id"]: c["body"] for c in third["comments"] if c["id"] in (1, 2, 3)}
    assert untouched == {c["id"]: c["body"] for c in state["comments"] if c["id"] in (1, 2, 3)}
