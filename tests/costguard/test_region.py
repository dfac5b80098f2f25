"""Which region is priced, decided in one place (costguard.region) for review and plan, and said."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from costguard.cli import main
from costguard.graph import Graph, Resource
from costguard.region import resolve

ROOT = Path(__file__).resolve().parents[2]
# The real `pulumi preview --json` files (copies of ../shared/fixtures/pulumi-preview/): neither
# sets aws:region; the bucket lives in eu-west-1.
CREATES = ROOT / "tests" / "fixtures" / "pulumi-preview" / "aws-ts-s3-lambda-creates.json"
SHOW_SAMES = ROOT / "tests" / "fixtures" / "pulumi-preview" / "aws-ts-s3-lambda-update-show-sames.json"


def review_json(capsys, path, *extra):
    code = main(["review", str(path), "--format", "json", *extra])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    return json.loads(out)


def test_real_show_sames_preview_without_region_is_priced_where_its_arns_say(capsys):
    data = review_json(capsys, SHOW_SAMES)
    # arn:aws:lambda:eu-west-1:941377148201:function:docsHandler-c29f9fc
    assert (data["region"], data["region_source"]) == ("eu-west-1", "the resources' ARNs")


def test_real_creates_preview_uses_aws_region_from_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # AWS_REGION wins, as in the AWS SDKs
    data = review_json(capsys, CREATES)
    assert (data["region"], data["region_source"]) == ("eu-west-1", "AWS_REGION")
    assert len(data["resources"]) == 16


def test_aws_default_region_is_the_second_choice_and_the_table_says_so(monkeypatch, capsys):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    assert main(["review", str(CREATES)]) == 0
    first_line = capsys.readouterr().out.splitlines()[0]
    assert first_line.endswith("region us-east-1 (AWS_DEFAULT_REGION)")


def test_the_environment_comes_before_the_arns(monkeypatch, capsys):
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    assert review_json(capsys, SHOW_SAMES)["region_source"] == "AWS_REGION"


def test_no_region_anywhere_speaks_of_the_preview(capsys):
    assert main(["review", str(CREATES)]) == 2
    err = capsys.readouterr().err
    assert "no AWS region in the preview" in err and "stack config" not in err and "--region" in err


def test_an_unsupported_region_from_the_environment_says_where_it_came_from(monkeypatch, capsys):
    monkeypatch.setenv("AWS_REGION", "ap-south-1")
    assert main(["review", str(CREATES)]) == 2
    assert "'ap-south-1' (from AWS_REGION) is not in the price book" in capsys.readouterr().err


def graph(config=None, resources=(), origin="preview"):
    return Graph("p", "dev", list(resources), config or {}, origin=origin)


def test_order_of_the_sources():
    arn = Resource(
        "u", "aws:lambda/function:Function", "f", outputs={"arn": "arn:aws:lambda:eu-west-1:1:function:f"}
    )
    provider = Resource("p", "pulumi:providers:aws", "default", inputs={"region": "us-east-1"})
    env = {"AWS_REGION": "eu-west-1"}
    assert resolve(graph({"aws:region": "us-east-1"}), "eu-west-1").source == "--region"
    config = {"aws:region": "us-east-1", "aws-native:region": "eu-west-1"}
    assert resolve(graph(config), environ=env).source == "aws:region config"
    assert resolve(graph({"aws-native:region": "eu-west-1"}), environ=env).region == "eu-west-1"
    assert resolve(graph(resources=[provider, arn]), environ=env).source == "the AWS provider's region"
    assert resolve(graph(resources=[arn]), environ=env).source == "AWS_REGION"
    assert resolve(graph(resources=[arn]), environ={}).source == "the resources' ARNs"
    # A captured program's outputs are mocked: they never decide the region.
    assert resolve(graph(resources=[arn], origin="program"), environ={}).region is None


def test_resources_in_several_regions_pick_the_most_common_and_say_so():
    arns = [
        Resource(f"u{i}", "aws:sqs/queue:Queue", f"q{i}", outputs={"arn": f"arn:aws:sqs:{r}:1:q{i}"})
        for i, r in enumerate(["eu-west-1", "eu-west-1", "us-east-1"])
    ]
    choice = resolve(graph(resources=arns), environ={})
    assert choice.region == "eu-west-1" and "several regions (eu-west-1, us-east-1)" in choice.note


def costguard(*args, env=None):
    import os

    return subprocess.run(
        [sys.executable, "-m", "costguard", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_plan_reads_aws_native_region():
    result = costguard("plan", "--program", "tests/programs/policy_waf_native", "--format", "json")
    assert result.returncode in (0, 1), result.stderr  # 1: the WAF is a mandatory violation
    data = json.loads(result.stdout)
    assert (data["region"], data["region_source"]) == ("us-east-1", "aws-native:region config")
    assert data["total_monthly"] > 5  # the web ACL's $5/month at least


def test_plan_falls_back_to_aws_region_like_the_provider():
    result = costguard("plan", "--program", "tests/programs/plan_no_region", env={"AWS_REGION": "eu-west-1"})
    assert result.returncode == 0, result.stderr
    assert "region eu-west-1 (AWS_REGION)" in result.stdout.splitlines()[0]


@pytest.mark.parametrize("key", ["aws:region", "aws-native:region"])
def test_mocks_answer_with_the_same_region(key):
    from costguard.mock_outputs import region_from_config

    assert region_from_config({key: "eu-west-1"}) == "eu-west-1"
