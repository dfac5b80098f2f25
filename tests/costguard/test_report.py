import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from costguard.preview import load
from costguard.pricing import estimate
from costguard.report import render

ROOT = Path(__file__).resolve().parent.parent
SYNTHETIC = ROOT / "fixtures" / "pulumi-preview" / "heatmap-dev-synthetic.json"
REAL = ROOT / "fixtures" / "pulumi-preview" / "aws-ts-s3-lambda-update-show-sames.json"
GOLDEN = ROOT / "golden"


@dataclass
class Violation:
    policy_name: str
    message: str
    enforcement_level: str
    urn: str


VIOLATIONS = [
    Violation(
        "cost-no-interface-endpoint",
        "Interface endpoints cost $7.30/month per AZ",
        "mandatory",
        "urn:pulumi:dev::safety-heatmap::aws:ec2/vpcEndpoint:VpcEndpoint::net-ecr-api",
    ),
    Violation("cost-log-retention", "Set retentionInDays", "advisory", ""),
]


@pytest.fixture(scope="module")
def synthetic():
    return estimate(load(SYNTHETIC))


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} missing: run UPDATE_GOLDEN=1 pytest {__file__}"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (UPDATE_GOLDEN=1 to accept)"


@pytest.mark.parametrize("fmt, suffix", [("table", "txt"), ("markdown", "md"), ("json", "json")])
def test_golden_review_of_the_synthetic_dev_preview(synthetic, fmt, suffix):
    check_golden(f"review-heatmap-dev.{suffix}", render(synthetic, fmt, budget=15.0))


def test_golden_review_of_the_real_fixture_table():
    check_golden("review-aws-ts-s3-lambda.txt", render(estimate(load(REAL), region="eu-west-1"), "table"))


def money_values(text: str) -> list[float]:
    return [
        float(m.replace(",", "")) * (-1 if sign == "-" else 1)
        for sign, m in re.findall(r"([-+]?)\$([\d,]+\.\d\d)", text)
    ]


def test_table_total_equals_the_sum_of_resource_lines(synthetic):
    text = render(synthetic, "table")
    rows = [
        line
        for line in text.splitlines()
        if re.match(r"^\S+\s+aws:\S+\s+(create|update|replace|delete|same)\s+\$", line)
    ]
    assert len(rows) == synthetic.status_counts()["priced"]
    afters = [money_values(line)[1] for line in rows]
    total_line = next(line for line in text.splitlines() if line.startswith("TOTAL"))
    _, total_after, _ = money_values(total_line)
    # Each line is rounded to cents: the sum may differ from the total by half a cent per line.
    assert sum(afters) == pytest.approx(total_after, abs=0.005 * len(afters) + 1e-9)
    assert total_after == pytest.approx(round(synthetic.total_monthly, 2))


def test_json_totals_and_components_add_up(synthetic):
    data = json.loads(render(synthetic, "json", budget=15.0))
    assert data["total_monthly"] == pytest.approx(
        sum(r["monthly_after"] for r in data["resources"]), abs=1e-5
    )
    assert data["past_total_monthly"] == pytest.approx(
        sum(r["monthly_before"] for r in data["resources"]), abs=1e-5
    )
    assert data["diff"] == pytest.approx(data["total_monthly"] - data["past_total_monthly"], abs=1e-5)
    assert data["fixed_monthly"] + data["usage_monthly"] == pytest.approx(data["total_monthly"], abs=1e-5)
    for r in data["resources"]:
        assert r["monthly_after"] == pytest.approx(sum(c["monthly"] for c in r["after"]), abs=1e-5)
    assert data["not_priced"] == {"aws:lambda/function:Function": 1}
    assert data["budget"] == {
        "limit": 15.0,
        "total": pytest.approx(data["total_monthly"]),
        "over": True,
        "source": "",
    }
    assert {a["key"] for a in data["assumptions"]} >= {"api_requests_per_month", "log_gb_ingested_per_month"}


def test_violations_are_rendered_mandatory_first(synthetic):
    table = render(synthetic, "table", violations=VIOLATIONS[::-1], title="costguard plan")
    assert table.startswith("costguard plan")
    block = table.split("Policy violations (2):")[1]
    assert block.index("[mandatory] cost-no-interface-endpoint") < block.index(
        "[advisory] cost-log-retention"
    )
    markdown = render(synthetic, "markdown", violations=VIOLATIONS)
    assert "| mandatory | `cost-no-interface-endpoint` |" in markdown
    data = json.loads(render(synthetic, "json", violations=VIOLATIONS))
    assert [v["policy_name"] for v in data["violations"]] == [
        "cost-no-interface-endpoint",
        "cost-log-retention",
    ]


def test_markdown_is_a_pr_comment(synthetic):
    text = render(synthetic, "markdown", budget=50)
    assert text.startswith("## costguard review: -$")
    assert (
        "<details><summary>Cost components</summary>" in text
        and "<details><summary>Assumptions</summary>" in text
    )
    assert "**Not priced:** `aws:lambda/function:Function` ×1" in text
    assert "within budget" in text


def test_unknown_format(synthetic):
    with pytest.raises(ValueError):
        render(synthetic, "xml")


def _graph(region, *resources):
    from costguard.graph import Graph

    return Graph("p", "dev", list(resources), {"aws:region": region})


def test_synthesized_resources_are_marked_in_table_and_markdown():
    from costguard.graph import Resource

    nat = Resource("urn:n", "aws:ec2/natGateway:NatGateway", "vpc-1", synthesized=True)
    mine = Resource("urn:e", "aws:ec2/eip:Eip", "mine")
    cost = estimate(_graph("us-east-1", nat, mine))
    table = render(cost, "table")
    assert re.search(r"^vpc-1 † +aws:ec2/natGateway", table, re.M)
    assert re.search(r"^mine +aws:ec2/eip", table, re.M)
    assert "† synthesized: a child that awsx creates by default" in table
    markdown = render(cost, "markdown")
    assert "| `vpc-1` † | `aws:ec2/natGateway:NatGateway` |" in markdown and "† synthesized" in markdown
    assert "† synthesized" not in render(estimate(_graph("us-east-1", mine)), "table")


def test_table_never_cuts_text():
    from costguard.graph import Resource

    long_name = "a-resource-name-much-longer-than-the-forty-eight-characters-column"
    table = render(
        estimate(
            _graph(
                "eu-west-1",
                Resource("urn:t", "aws:dynamodb/table:Table", long_name, inputs={"readCapacity": 0}),
                Resource("urn:c", "aws:elb/loadBalancer:LoadBalancer", "classic"),
            )
        ),
        "table",
    )
    assert f"\n{long_name}  aws:dynamodb/table:Table" in table
    assert "0 RCU-hour x $0.000147 (unverified price)" in table
    assert "730 hour x $0.028 (unverified price)" in table


def test_unverified_note_says_what_each_price_rests_on():
    from costguard.graph import Resource

    cost = estimate(
        _graph(
            "eu-west-1",
            Resource("urn:c", "aws:elb/loadBalancer:LoadBalancer", "classic"),
            Resource(
                "urn:n", "aws:lb/loadBalancer:LoadBalancer", "nlb", inputs={"loadBalancerType": "network"}
            ),
        )
    )
    note = next(n for n in cost.notes if n.startswith("Prices not verified"))
    # classic_lb_hour is unverified in both regions; nlb_lcu_hour only in eu-west-1.
    assert "classic_lb_hour (not verified in any region)" in note
    assert "nlb_lcu_hour (us-east-1's value is used)" in note
    assert "the other region's value is used):" not in note


def test_preview_without_show_sames_says_its_totals_cover_the_change_only(tmp_path):
    data = json.loads(SYNTHETIC.read_text())
    data["steps"] = [s for s in data["steps"] if s["op"] != "same"]
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data))
    cost = estimate(load(path))
    assert cost.omitted_unchanged == 24
    table = render(cost, "table")
    assert "These totals cover only the resources this preview changes: 24 unchanged resources" in table
    assert "--show-sames" in render(cost, "markdown")
    assert json.loads(render(cost, "json"))["omitted_unchanged"] == 24
    assert "These totals cover only" not in render(estimate(load(SYNTHETIC)), "table")
