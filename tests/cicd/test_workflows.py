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
    assert set(triggers(load("checks.yml"))) == {"pull_request", "push"}
    # Every push, every branch: no branch filter on checks.
    assert triggers(load("checks.yml"))["push"] == {}

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


def test_pulumi_runs_with_the_policy_pack_against_one_configurable_backend():
    preview_job = load("preview.yml")["jobs"]["preview"]
    deploy_job = load("deploy.yml")["jobs"]["deploy"]
    runs = {
        "preview": " ".join(s.get("run", "") for s in steps(preview_job)),
        "deploy": " ".join(s.get("run", "") for s in steps(deploy_job)),
    }
    # The pack's budget policy prices usage from usage.yml, as `make plan` does.
    pack = "--policy-pack policies --policy-pack-config policy-config.json"
    for run in runs.values():
        assert "python -m costguard pack-config --output policy-config.json" in run
    assert f'pulumi preview --stack "${{STACK}}" {pack}' in runs["preview"]
    assert preview_job["env"]["STACK"] == "dev"
    assert "python -m costguard review preview.json --usage usage.yml --format markdown" in runs["preview"]
    assert f'pulumi up --yes --stack "${{STACK}}" {pack}' in runs["deploy"]
    for job in (preview_job, deploy_job):
        assert job["env"]["PULUMI_BACKEND_URL"] == "${{ vars.PULUMI_BACKEND_URL }}"
        assert job["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}"
        (login,) = [s for s in steps(job) if "pulumi login" in s.get("run", "")]
        assert 'pulumi login "${PULUMI_BACKEND_URL}"' in login["run"]
        assert [u.split("@")[0] for u in uses(job)].count("pulumi/actions") == 1


def test_prod_deploys_behind_its_environment_one_at_a_time_never_cancelled():
    deploy = load("deploy.yml")
    assert "concurrency" not in deploy  # a workflow-level group would serialise dev behind prod
    job = deploy["jobs"]["deploy"]
    assert job["environment"] == "${{ inputs.stack || 'dev' }}"
    assert job["env"]["STACK"] == "${{ inputs.stack || 'dev' }}"
    assert job["concurrency"] == {"group": "deploy-${{ inputs.stack || 'dev' }}", "cancel-in-progress": False}
    assert job["if"].replace(" ", "") == "${{github.ref=='refs/heads/main'}}"
    # Nothing that runs Pulumi against a stack may cancel a running operation.
    for workflow in ("preview.yml", "deploy.yml"):
        for name, job in load(workflow)["jobs"].items():
            if "concurrency" in job:
                assert job["concurrency"]["cancel-in-progress"] is False, f"{workflow}:{name}"


PINNED = re.compile(r"^[\w.-]+/[\w./-]+@(?:[0-9a-f]{40}|v\d+\.\d+\.\d+)$")


def test_every_action_is_pinned_to_a_commit_or_a_full_version():
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
        if name == "comment":
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
