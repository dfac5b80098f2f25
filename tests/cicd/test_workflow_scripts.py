"""The workflows' helper scripts: the policy report from an engine event log, the budget, the lock retry."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / ".github" / "scripts"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


events = load("preview_events")
URN = "urn:pulumi:dev::safety-heatmap::safety-heatmap:index:Network$aws:ec2/natGateway:NatGateway::nat"


def policy_event(level: str, name: str, message: str, urn: str = URN) -> dict:
    # The shape of apitype.EngineEvent{PolicyEvent} (sdk/go/common/apitype/events.go).
    return {
        "sequence": 7,
        "timestamp": 1,
        "policyEvent": {
            "resourceUrn": urn,
            "message": message,
            "color": "raw",
            "policyName": name,
            "policyPackName": "costguard",
            "policyPackVersion": "0.1.0",
            "policyPackVersionTag": "0.1.0",
            "enforcementLevel": level,
        },
    }


def diagnostic(severity: str, message: str, urn: str = "") -> dict:
    return {
        "sequence": 9,
        "timestamp": 2,
        "diagnosticEvent": {"urn": urn, "message": message, "color": "raw", "severity": severity},
    }


def write(path: Path, items: list) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in items) + '{"sequence": 99, "cancelEv')  # cut short
    return path


def test_policy_violations_and_errors_are_rendered_mandatory_first(tmp_path):
    log = write(
        tmp_path / "events.jsonl",
        [
            {"sequence": 0, "timestamp": 0, "preludeEvent": {"config": {}}},
            policy_event("advisory", "cost-log-retention", "Log group keeps logs forever | set retention"),
            policy_event(
                "mandatory",
                "cost-no-nat-gateway",
                "<{%fg 1%}>NAT gateways cost ~$32.85/month each.<{%reset%}>\n"
                "\x1b[31mUse public subnets.\x1b[0m",
            ),
            policy_event(
                "mandatory",
                "cost-no-nat-gateway",
                "NAT gateways cost ~$32.85/month each.\nUse public subnets.",
            ),
            diagnostic(
                "error",
                "preview failed",
                "urn:pulumi:dev::safety-heatmap::pulumi:pulumi:Stack::safety-heatmap-dev",
            ),
            diagnostic("warning", "something minor"),
            diagnostic("info#err", "noise"),
        ],
    )
    text = events.render(events.read_events(log))
    assert "2 policy violation(s), 1 mandatory:" in text
    rows = [
        line for line in text.splitlines() if line.startswith("| mandatory") or line.startswith("| advisory")
    ]
    assert rows[0] == (
        "| mandatory | `cost-no-nat-gateway` (costguard@0.1.0) | `aws:ec2/natGateway:NatGateway nat` | "
        "NAT gateways cost ~$32.85/month each.<br>Use public subnets. |"
    )
    assert "\\| set retention" in rows[1]  # a pipe cannot break the table
    assert "1 error(s):" in text and "- `pulumi:pulumi:Stack safety-heatmap-dev`: preview failed" in text
    assert "something minor" not in text and "noise" not in text and "<{%" not in text and "\x1b" not in text


def test_a_clean_log_and_a_missing_log_say_so(tmp_path):
    clean = write(tmp_path / "clean.jsonl", [diagnostic("info", "ok")])
    assert "No policy violations and no errors." in events.render(events.read_events(clean))
    out = tmp_path / "policy.md"
    assert events.main(["render", str(tmp_path / "absent.jsonl"), "--output", str(out)]) == 0
    assert "No engine event log" in out.read_text()


def test_budget_is_the_stacks_monthly_budget():
    for stack, budget in (("dev", "10"), ("prod", "30")):
        result = subprocess.run(
            [sys.executable, str(SCRIPTS / "preview_events.py"), "budget", "--stack", stack],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert result.stdout.strip() == budget


FAKE_PULUMI = """
import sys
from pathlib import Path
counter = Path(sys.argv[1])
n = int(counter.read_text()) if counter.exists() else 0
counter.write_text(str(n + 1))
locked_until, message = int(sys.argv[2]), sys.argv[3]
print('{"attempt": %d}' % (n + 1))
if n + 1 <= locked_until:
    print(message, file=sys.stderr)
    sys.exit(255)
"""

DIY_LOCK = (
    "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or "
    "delete the lock file with `pulumi cancel`."
)
CLOUD_LOCK = "error: [409] Conflict: Another update is currently in progress."


@pytest.mark.parametrize("message", [DIY_LOCK, CLOUD_LOCK])
def test_lock_retry_waits_out_another_operation_and_keeps_one_stdout(tmp_path, message):
    fake = tmp_path / "fake_pulumi.py"
    fake.write_text(FAKE_PULUMI)
    out = tmp_path / "preview.json"
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPTS / "pulumi_lock_retry.py"),
            "--wait",
            "0",
            "--stdout",
            str(out),
            "--",
            sys.executable,
            str(fake),
            str(tmp_path / "n"),
            "2",
            message,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text()) == {"attempt": 3}  # the last attempt's output alone
    assert result.stderr.count(message) == 2 and "try 3/20" in result.stderr


def test_lock_retry_returns_other_failures_at_once_and_gives_up_on_a_stuck_lock(tmp_path):
    fake = tmp_path / "fake_pulumi.py"
    fake.write_text(FAKE_PULUMI)
    base = [sys.executable, str(SCRIPTS / "pulumi_lock_retry.py"), "--wait", "0", "--attempts", "3", "--"]
    other = subprocess.run(
        [*base, sys.executable, str(fake), str(tmp_path / "a"), "5", "error: mandatory policy violation"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert other.returncode == 255 and (tmp_path / "a").read_text() == "1"
    stuck = subprocess.run(
        [*base, sys.executable, str(fake), str(tmp_path / "b"), "5", DIY_LOCK],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert stuck.returncode == 255 and (tmp_path / "b").read_text() == "3" and "giving up" in stuck.stderr
