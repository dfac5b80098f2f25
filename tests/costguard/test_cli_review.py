import json
import subprocess
import sys
from pathlib import Path

import pytest

from costguard.cli import main

ROOT = Path(__file__).resolve().parent.parent
SYNTHETIC = ROOT / "fixtures" / "pulumi-preview" / "heatmap-dev-synthetic.json"
REAL = ROOT / "fixtures" / "pulumi-preview" / "aws-ts-s3-lambda-creates.json"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_review_real_fixture_lists_unpriced_types(capsys):
    code, out, err = run(capsys, "review", REAL, "--region", "eu-west-1", "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert len(data["resources"]) == 16
    assert {r["op"] for r in data["resources"]} == {"create"}
    assert data["not_priced"] == {"aws:lambda/function:Function": 1, "aws:s3/bucket:Bucket": 1}
    assert data["resource_counts"] == {"priced": 0, "free": 14, "not priced": 2}


def test_budget_exit_codes(capsys):
    assert run(capsys, "review", SYNTHETIC, "--budget", "100")[0] == 0
    code, out, _ = run(capsys, "review", SYNTHETIC, "--budget", "5")
    assert code == 1 and "OVER BUDGET" in out


def test_output_file_and_stack_override(tmp_path, capsys):
    usage = tmp_path / "usage.yml"
    usage.write_text("stacks:\n  staging: {api_requests_per_month: 0}\n")
    target = tmp_path / "report.md"
    code, out, _ = run(
        capsys,
        "review",
        SYNTHETIC,
        "--format",
        "markdown",
        "--usage",
        usage,
        "--stack",
        "staging",
        "--output",
        target,
    )
    assert code == 0 and out == ""
    text = target.read_text()
    assert (
        "stack `staging`" in text
        and "api_requests_per_month = 0 requests/month (usage.yml: stacks.staging)" in text
    )


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["review", "missing.json"], "missing.json not found"),
        (["review", str(SYNTHETIC), "--region", "mars-1"], "supported regions: eu-west-1, us-east-1"),
        (["review", str(REAL)], "no AWS region"),
        (["review", str(SYNTHETIC), "--format", "xml"], "invalid choice: 'xml'"),
        (["review", str(SYNTHETIC), "--budget", "-3"], "--budget must be above 0"),
        # A budget of 0 is refused as `plan` (and the pack's cost-monthly-budget) refuses it.
        (["review", str(SYNTHETIC), "--budget", "0"], "--budget must be above 0 (USD per month), got 0"),
        (["review", str(SYNTHETIC), "--budget", "0.0"], "--budget must be above 0"),
        # Python's float() takes these; no one means them as a number of dollars.
        (["review", str(SYNTHETIC), "--budget", "1_000"], "got '1_000' (write 1000, without underscores)"),
        (["review", str(SYNTHETIC), "--budget", "\u0661\u0660"], "--budget wants a number of USD per month"),
        (
            ["review", str(SYNTHETIC), "--region", ""],
            "--region wants a region such as eu-west-1, got an empty",
        ),
        (
            ["review", str(SYNTHETIC), "--region", " "],
            "--region wants a region such as eu-west-1, got an empty",
        ),
        (["review", str(SYNTHETIC), "--stack", ""], "--stack wants a stack name, got an empty value"),
        (["review", str(SYNTHETIC), "--usage", ""], "--usage wants a file, got an empty value"),
        (["review", str(SYNTHETIC), "--output", ""], "--output wants a file, got an empty value"),
        (["review"], "required: PREVIEW.json"),
        ([], "required: command"),
        (["review", str(SYNTHETIC), "--usage", "nope.yml"], "usage file nope.yml not found"),
        (["review", str(SYNTHETIC), "--budget", "nan"], "--budget wants a finite number"),
        (["review", str(SYNTHETIC), "--budget", "inf"], "--budget wants a finite number"),
        (["review", str(SYNTHETIC), "--budget", "1e400"], "--budget wants a finite number"),
        (["plan", "--budget", "NaN"], "--budget wants a finite number"),
    ],
)
def test_usage_errors_exit_2_with_one_line(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert fragment in err and err.count("\n") == 1


def test_malformed_json_through_the_module_entry_point(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"steps": [{"op": "create", "urn": ')
    proc = subprocess.run(
        [sys.executable, "-m", "costguard", "review", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
        timeout=60,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "is not valid JSON (line 1, col" in proc.stderr and "pulumi preview --json" in proc.stderr


def test_plan_subparser_defaults():
    from costguard.cli import build_parser

    args = build_parser().parse_args(["plan"])
    assert (
        args.program,
        args.stack,
        args.policy_pack,
        args.usage,
        args.format,
        args.budget,
        args.output,
    ) == (".", "dev", None, None, "table", None, None)  # --policy-pack: policies/ in --program


def test_preview_from_stdin(monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(SYNTHETIC.read_text()))
    code, out, _ = run(capsys, "review", "-", "--format", "json")
    assert code == 0 and json.loads(out)["region"] == "eu-west-1"


def test_stack_export_costs_the_same_before_and_after(tmp_path, capsys):
    preview = json.loads(SYNTHETIC.read_text())
    states = [s.get("newState") or s["oldState"] for s in preview["steps"]]
    provider = {
        "urn": "urn:pulumi:dev::safety-heatmap::pulumi:providers:aws::default",
        "custom": True,
        "type": "pulumi:providers:aws",
        "inputs": {"region": "us-east-1"},
    }
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"version": 3, "deployment": {"resources": [provider, *states]}}))
    code, out, _ = run(capsys, "review", path, "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["region"] == "us-east-1" and data["diff"] == 0
    assert data["total_monthly"] > 0 and {r["op"] for r in data["resources"]} == {"same"}


@pytest.mark.parametrize(
    "command", [["review", str(SYNTHETIC)], ["plan", "--policy-pack", "none"], ["pack-config"]]
)
def test_binary_usage_file_is_one_line_in_every_command(tmp_path, command):
    usage = tmp_path / "usage.yml"
    usage.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    proc = subprocess.run(
        [sys.executable, "-m", "costguard", *command, "--usage", str(usage)],
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
        timeout=120,
    )
    assert proc.returncode == 2 and proc.stdout == "", proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "is not UTF-8 text" in proc.stderr


def test_non_finite_usage_never_reaches_the_report(tmp_path, capsys):
    usage = tmp_path / "usage.yml"
    usage.write_text("api_requests_per_month: .inf\n")
    code, out, err = run(capsys, "review", SYNTHETIC, "--usage", usage, "--format", "json")
    assert code == 2 and out == "" and "must be a finite number" in err


@pytest.mark.parametrize("budget, code", [("100", 0), ("5", 1)])
def test_a_reader_that_stops_early_keeps_the_exit_code(budget, code):
    # `costguard review ... | head`: no internal error, no traceback; the exit code is still the verdict.
    # Closing our end of the pipe first makes every write fail, whatever the report's size.
    proc = subprocess.Popen(
        [sys.executable, "-m", "costguard", "review", str(SYNTHETIC), "--budget", budget],
        cwd=ROOT.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == code, err
    assert err == ""
