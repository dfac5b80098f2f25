"""`costguard plan`: program under mocks -> the real policy pack over gRPC -> monthly cost.

Expected costs are worked out by hand from the price table (shared/reference/aws-prices.md,
costguard/pricing/prices.yaml); a month is 730 hours.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from costguard.plan import make_plan

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ROOT / "tests" / "programs"
PACK = ROOT / "policies"
GOLDEN = ROOT / "tests" / "golden"


def costguard(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "costguard", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def component(plan, resource_name: str, component_name: str) -> float:
    for resource in plan.estimate.resources:
        if resource.name == resource_name:
            for c in resource.after:
                if c.name == component_name:
                    return c.monthly
    raise AssertionError(f"no component {component_name!r} on {resource_name!r}")


def mandatory(plan) -> set[tuple[str, str]]:
    return {(v.policy_name, v.urn.rsplit("::", 1)[-1]) for v in plan.mandatory if v.urn}


def test_nat_gateway_program_is_rejected_and_priced():
    plan = make_plan(PROGRAMS / "capture_nat_gateway", "dev", PACK)
    # eu-west-1: NAT gateway $0.048/h x 730 = $35.04; the Elastic IP is a public IPv4: $0.005 x 730.
    assert component(plan, "nat", "NAT gateway") == pytest.approx(35.04)
    assert [r for r in plan.estimate.resources if r.type == "aws:ec2/eip:Eip"][
        0
    ].monthly_after == pytest.approx(3.65)
    assert {("cost-no-nat-gateway", "nat"), ("cost-no-elastic-ip", "nat")} <= mandatory(plan)
    assert plan.exit_code == 1


def test_default_awsx_vpc_gets_its_three_nat_gateways_priced_and_rejected():
    plan = make_plan(PROGRAMS / "capture_awsx_default_vpc", "dev", PACK)
    nat = [r for r in plan.estimate.resources if r.type == "aws:ec2/natGateway:NatGateway"]
    eips = [r for r in plan.estimate.resources if r.type == "aws:ec2/eip:Eip"]
    assert len(nat) == 3 and len(eips) == 3
    # us-east-1: 3 x $0.045 x 730 = $98.55 of NAT hours; 3 x $3.65 of public IPv4.
    assert sum(component(plan, r.name, "NAT gateway") for r in nat) == pytest.approx(98.55)
    assert sum(r.monthly_after for r in eips) == pytest.approx(10.95)
    assert sum(1 for v in plan.mandatory if v.policy_name == "cost-no-nat-gateway") == 3


def test_awsx_vpc_without_nat_is_clean():
    plan = make_plan(PROGRAMS / "capture_awsx_default_vpc", "none", PACK)
    assert not plan.graph.of_type("aws:ec2/natGateway:NatGateway")
    assert not [v for v in plan.mandatory if v.policy_name.startswith("cost-no-")]


def test_alb_program_is_rejected_and_priced():
    plan = make_plan(PROGRAMS / "capture_alb", "dev", PACK)
    lb = plan.graph.of_type("aws:lb/loadBalancer:LoadBalancer")
    assert len(lb) == 1
    # us-east-1 ALB: $0.0225/h x 730 = $16.425.
    assert component(plan, lb[0].name, "Application load balancer") == pytest.approx(16.425, abs=0.005)
    # awsx Fargate service, x86 on demand, 0.5 vCPU / 1 GB, one task:
    # (0.5 x 0.04048 + 1 x 0.004445) x 730 = $18.02005.
    service = [r for r in plan.estimate.resources if r.type == "aws:ecs/service:Service"][0]
    fargate = sum(c.monthly for c in service.after if c.name.startswith(("vCPU", "Memory")))
    assert fargate == pytest.approx(18.02, abs=0.01)
    policies = {name for name, _ in mandatory(plan)}
    assert {"cost-no-load-balancer", "cost-no-nat-gateway", "security-no-public-ingress"} <= policies


def test_interface_endpoint_program_with_region_flag():
    plan = make_plan(PROGRAMS / "capture_interface_endpoint", "dev", PACK, region="us-east-1")
    # us-east-1: $0.01 per AZ-hour x 2 subnets x 730 = $14.60; the Gateway endpoint is free.
    assert component(plan, "ecr-api", "Interface endpoint (2 AZ)") == pytest.approx(14.60)
    assert ("cost-no-interface-endpoint", "ecr-api") in mandatory(plan)
    assert ("cost-no-interface-endpoint", "dynamodb") not in mandatory(plan)


def test_dev_stack_is_clean_under_budget_and_adds_up():
    plan = make_plan(ROOT, "dev", PACK)
    assert plan.mandatory == [] and plan.budget == 10 and plan.exit_code == 0
    total = plan.estimate.total_monthly
    assert total == pytest.approx(sum(r.monthly_after for r in plan.estimate.resources))
    # By hand, eu-west-1, usage.yml's dev figures:
    fargate = (0.25 * 0.00979124 + 0.5 * 0.00107649) * 730  # one ARM64 Spot task
    # + its IPv4, hosted zone, 1 instance, the stack's 8 alarm metrics, and the 2 alarms (high, low) AWS
    # creates for the target tracking scaling policy
    fixed = fargate + 0.005 * 730 + 0.50 + 0.10 + 8 * 0.10 + 2 * 0.10
    usage = (
        0.1 * 1.11  # 100k HTTP API requests
        + 100_000 * 4 / 1024**2 * 0.09  # 4 KB responses out to the internet
        + 0.3 * 0.1415
        + 0.03 * 0.705
        + 0.1 * 0.283  # DynamoDB reads, writes, storage
        + 2 * (0.1 * 0.57 + 0.1 * 7 / 30.4 * 0.03)  # two log groups: ingestion, 7 days kept
        + 0.5 * 0.10  # ECR storage
    )
    assert total == pytest.approx(fixed + usage, abs=0.01)


def test_prod_stack_is_clean_under_budget():
    plan = make_plan(ROOT, "prod", PACK)
    assert plan.mandatory == [] and plan.budget == 30 and not plan.over_budget


@pytest.mark.parametrize("stack", ["dev", "prod"])
@pytest.mark.parametrize("fmt,suffix", [("table", "txt"), ("markdown", "md"), ("json", "json")])
def test_golden_reports(stack, fmt, suffix):
    result = costguard("plan", "--stack", stack, "--format", fmt)
    assert result.returncode == 0, result.stderr
    path = GOLDEN / f"plan-{stack}.{suffix}"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == path.read_text(encoding="utf-8"), f"{path.name} differs (UPDATE_GOLDEN=1)"


def test_json_report_totals_are_the_sum_of_their_lines():
    report = json.loads((GOLDEN / "plan-prod.json").read_text())
    lines = sum(r["monthly_after"] for r in report["resources"])
    assert report["total_monthly"] == pytest.approx(lines, abs=0.005)
    assert report["total_monthly"] == pytest.approx(
        report["fixed_monthly"] + report["usage_monthly"], abs=0.005
    )


def test_over_budget_exits_1():
    result = costguard("plan", "--budget", "5", "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["budget"]["over"] is True


@pytest.mark.parametrize(
    "args,expected",
    [
        (["--stack", "staging"], "Pulumi.staging.yaml"),
        (["--program", "tests/programs/plan_no_region"], "no AWS region"),
        (["--region", "mars-north-1"], "mars-north-1"),
        (["--program", "tests/programs/capture_raises"], "program failed"),
        (["--usage", "Makefile"], "usage file"),
        (["--policy-pack", "components"], "not a policy pack"),
        (["--program", "no/such/dir"], "does not exist"),
        (["--budget", "0"], "--budget must be above 0"),
        (["--budget", "1_000"], "--budget wants a number of USD per month, got '1_000'"),
        (["--region", ""], "--region wants a region such as eu-west-1, got an empty value"),
        (["--stack", ""], "--stack wants a stack name, got an empty value"),
        (["--program", ""], "--program wants a directory, got an empty value"),
        (["--usage", ""], "--usage wants a file, got an empty value"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, expected):
    result = costguard("plan", *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_pack_config_inlines_the_usage_file_for_the_budget_policy(tmp_path):
    out = tmp_path / "config.json"
    result = costguard("pack-config", "--output", str(out))
    assert result.returncode == 0, result.stderr
    import yaml

    config = json.loads(out.read_text())
    assert config == {"cost-monthly-budget": {"usage": yaml.safe_load((ROOT / "usage.yml").read_text())}}


def write_program(root: Path, main: str, stack_config: str = "  aws:region: us-east-1\n") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text("name: tiny\nruntime: python\n")
    (root / "Pulumi.dev.yaml").write_text("config:\n" + stack_config)
    (root / "__main__.py").write_text("import pulumi_aws as aws\n\n" + main)
    return root


def one_line_error(result: subprocess.CompletedProcess, fragment: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr and fragment in result.stderr, result.stderr


def test_duplicate_urns_are_rejected_like_the_engine(tmp_path):
    program = write_program(tmp_path / "p", 'aws.ec2.Eip("ip")\naws.ec2.Eip("ip")\n')
    one_line_error(
        costguard("plan", "--program", str(program)),
        "Duplicate resource URN 'urn:pulumi:dev::tiny::aws:ec2/eip:Eip::ip'; try giving it a unique name",
    )


def test_program_that_is_a_file_is_not_a_directory(tmp_path):
    one_line_error(costguard("plan", "--program", "README.md"), "README.md is not a directory")


@pytest.mark.parametrize("value", ["abc", ".nan", "0", "-3", '"1_000"'])
def test_a_stack_budget_that_is_no_budget_is_one_line(tmp_path, value):
    program = write_program(
        tmp_path / "p", 'aws.ec2.Eip("ip")\n', f"  aws:region: us-east-1\n  tiny:monthlyBudgetUsd: {value}\n"
    )
    one_line_error(costguard("plan", "--program", str(program)), "stack config tiny:monthlyBudgetUsd is")


def test_without_a_budget_the_report_names_the_default_the_pack_used(tmp_path):
    program = write_program(tmp_path / "p", 'aws.ec2.Eip("ip")\n')
    result = costguard("plan", "--program", str(program), "--policy-pack", str(PACK))
    assert result.returncode == 1  # the Elastic IP is a mandatory violation
    budget = next(line for line in result.stdout.splitlines() if line.startswith("Budget:"))
    assert budget.startswith("Budget: within budget: $3.65/month of $25.00")
    assert "the default budget (no --budget, no tiny:monthlyBudgetUsd" in budget
    assert "also the policy pack's cost-monthly-budget budget" in budget
    data = json.loads(
        costguard("plan", "--program", str(program), "--policy-pack", str(PACK), "--format", "json").stdout
    )
    assert data["budget"]["limit"] == 25.0 and "default budget" in data["budget"]["source"]
    alone = costguard("plan", "--program", str(program), "--policy-pack", "none")
    assert "Budget: not checked: no --budget, no tiny:monthlyBudgetUsd in the stack config" in alone.stdout


def test_budget_zero_cannot_be_handed_to_the_pack(tmp_path):
    program = write_program(tmp_path / "p", 'aws.ec2.Eip("ip")\n')
    one_line_error(
        costguard("plan", "--program", str(program), "--policy-pack", str(PACK), "--budget", "0"),
        "--budget must be above 0",
    )


def test_default_policy_pack_is_next_to_the_program_not_the_cwd(tmp_path):
    # From another directory, the project's pack is still found (policies/ in --program).
    result = subprocess.run(
        [sys.executable, "-m", "costguard", "plan", "--program", str(ROOT)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},  # costguard is not installed: found from ROOT
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Policies: pack 'costguard', 20 policies: no violations" in result.stdout
    # A program with no policies/ of its own is planned without a pack, and the report says so.
    program = write_program(tmp_path / "p", 'aws.ec2.Eip("ip")\n')
    result = costguard("plan", "--program", str(program))
    assert result.returncode == 0, result.stderr
    assert f"Policies: not checked: no policy pack in {program / 'policies'}" in result.stdout


def test_readme_make_plan_sample_is_the_real_output_abridged():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("`make plan` prints", 1)[1].split("```\n", 2)[1]
    real = (GOLDEN / "plan-dev.txt").read_text(encoding="utf-8").splitlines()
    for line in block.splitlines():
        if line.strip().startswith("..."):
            continue  # an abridged stretch, said so
        if line.endswith(", ..."):
            assert any(r.startswith(line[: -len("...")]) for r in real), line
        else:
            assert line in real, line
