"""Wrong-shaped input never crashes `costguard`: a one-line error (exit 2) or a priced report.

Exit 1 means "over budget" (or a mandatory violation): a crash must never look like one. The
fuzz test mutates the preview fixtures at random places and checks the same contract, and that
no mutation reaches the last-resort handler in cli.main (an "internal error").
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costguard.cli import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "pulumi-preview"
SYNTHETIC = FIXTURES / "heatmap-dev-synthetic.json"
FIXTURE_FILES = sorted(FIXTURES.glob("*.json"))


def review(tmp_path: Path, data, *extra: str) -> tuple[int, str, str]:
    path = tmp_path / "preview.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["review", str(path), "--region", "eu-west-1", *extra])
    return code, out.getvalue(), err.getvalue()


def synthetic() -> dict:
    return json.loads(SYNTHETIC.read_text())


def step_named(data: dict, name: str) -> dict:
    return next(s for s in data["steps"] if s["urn"].endswith(f"::{name}"))


def state(step: dict) -> dict:
    return step.get("newState") or step["oldState"]


def assert_one_line_usage_error(code: int, out: str, err: str, *fragments: str) -> None:
    assert code == 2 and out == "", err
    assert err.count("\n") == 1 and "Traceback" not in err and "internal error" not in err, err
    for fragment in fragments:
        assert fragment in err


@pytest.mark.parametrize(
    "mutate, fragments",
    [
        (lambda s: s.__setitem__("newState", "oops"), ["newState is a string, not an object"]),
        (lambda s: s.__setitem__("oldState", [1]), ["oldState is an array, not an object"]),
        (lambda s: state(s).__setitem__("inputs", [1, 2]), ["`inputs` is an array, not an object"]),
        (lambda s: state(s).__setitem__("outputs", [1]), ["`outputs` is an array, not an object"]),
        (lambda s: state(s).__setitem__("type", 5), ["`type` is a number, not a string"]),
        (lambda s: state(s).__setitem__("custom", "yes"), ["`custom` is a string, not a boolean"]),
        (lambda s: state(s).__setitem__("dependencies", [1]), ["`dependencies` must be an array of URN"]),
        (lambda s: s.__setitem__("op", 5), ["`op` is a number, not a string"]),
        (
            lambda s: s.__setitem__("op", "frobnicate"),
            ["unknown step op 'frobnicate'; Pulumi's step ops are same, create, update, delete, replace,"],
        ),
        (lambda s: s.__setitem__("op", ""), ["unknown step op ''"]),
        (lambda s: s.pop("op"), ["has no `op`"]),
        (lambda s: s.__setitem__("provider", {"a": 1}), ["`provider` is an object, not a string"]),
    ],
)
def test_wrong_shaped_steps_are_one_line_errors_naming_the_step(tmp_path, mutate, fragments):
    data = synthetic()
    step = step_named(data, "api-svc")
    mutate(step)
    code, out, err = review(tmp_path, data)
    assert_one_line_usage_error(code, out, err, "step 17 (urn:pulumi:dev::", *fragments)


def test_wrong_shaped_export_resource_is_a_one_line_error(tmp_path):
    export = {"version": 3, "deployment": {"resources": [{"urn": "urn:pulumi:d::p::t::n", "inputs": "x"}]}}
    code, out, err = review(tmp_path, export)
    assert_one_line_usage_error(code, out, err, "resource 1", "`inputs` is a string, not an object")


@pytest.mark.parametrize(
    "config, fragment",
    [
        ({"aws:region": 5}, "config aws:region is a number (5), not a string"),
        ({"aws-native:region": ["eu-west-1"]}, "config aws-native:region is an array"),
        (["aws:region"], "`config` is an array, not an object"),
    ],
)
def test_a_preview_config_of_the_wrong_shape_is_named(tmp_path, config, fragment):
    data = synthetic()
    data["config"] = config
    code, out, err = review(tmp_path, data)
    assert_one_line_usage_error(code, out, err, fragment)
    assert "no aws:region config" not in err


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("[" * 100_000, "nested too deeply"),
        ('{"steps": [], "x": NaN}', "NaN is not a JSON value"),
        ('{"steps": [], "x": -Infinity}', "-Infinity is not a JSON value"),
        ("null", "holds null, not a preview object"),
        ('"text"', "holds a string, not a preview object"),
        ('{"steps": {"a": 1}}', "`steps` is an object, not a list"),
    ],
)
def test_unusable_json_is_a_one_line_error(tmp_path, text, fragment):
    assert_one_line_usage_error(*review(tmp_path, text), fragment)


def test_binary_stdin_is_a_one_line_error(monkeypatch, capsys):
    class Stdin:
        buffer = io.BytesIO(b"\xff\xfe\x00garbage")

    monkeypatch.setattr("sys.stdin", Stdin())
    code = main(["review", "-"])
    out, err = capsys.readouterr()
    assert_one_line_usage_error(code, out, err, "stdin is not UTF-8 text")


# Wrong-shaped properties the estimators read: each is treated as absent (or unknown), never a crash.
PROPERTY_MUTATIONS = {
    "timezone 5": ("api-sleep", "timezone", 5),
    "resourceId list (unhashable)": ("api-sleep", "resourceId", ["x"]),
    "target resourceId list": ("api-scaling", "resourceId", ["x"]),
    "scalableTargetAction string": ("api-wake", "scalableTargetAction", "bad"),
    "schedule step not a number": ("api-wake", "schedule", "cron(*/x 8 ? * * *)"),
    "schedule step zero": ("api-wake", "schedule", "cron(0/0 8 ? * * *)"),
    "inline scheduledActions strings": ("api-scaling", "scheduledActions", ["x"]),
    "registryArn object": ("api-svc", "serviceRegistries", [{"registryArn": {"a": 1}}]),
    "metricQueries metric string": ("task-cpu-fast", "metricQueries", [{"metric": "x"}]),
    "desiredCount huge integer": ("api-svc", "desiredCount", 10**400),
    "desiredCount infinite string": ("api-svc", "desiredCount", "inf"),
    "networkConfiguration string": ("api-svc", "networkConfiguration", "x"),
}


@pytest.mark.parametrize("name", sorted(PROPERTY_MUTATIONS))
def test_wrong_shaped_properties_are_priced_as_absent(tmp_path, name):
    resource, key, value = PROPERTY_MUTATIONS[name]
    data = synthetic()
    step = step_named(data, resource)
    for side in ("oldState", "newState"):
        if step.get(side):
            step[side]["inputs"][key] = value
    code, out, err = review(tmp_path, data, "--format", "json")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["total_monthly"] >= 0


def test_cpu_like_1_2_3_is_not_a_fargate_size(tmp_path):
    data = synthetic()
    state(step_named(data, "api-task"))["inputs"]["cpu"] = "1.2.3"
    code, out, err = review(tmp_path, data, "--format", "json")
    assert (code, err) == (0, "")
    service = next(r for r in json.loads(out)["resources"] if r["name"] == "api-svc")
    assert "task definition cpu/memory unknown: Fargate tasks not priced" in service["notes"]


def test_last_resort_is_one_line_and_exit_2(monkeypatch, capsys):
    def broken(*_args, **_kwargs):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr("costguard.cli.estimate", broken)
    monkeypatch.delenv("COSTGUARD_DEBUG", raising=False)
    code = main(["review", str(SYNTHETIC)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert "internal error: RuntimeError: boom second line" in err and "COSTGUARD_DEBUG=1" in err


def test_last_resort_shows_the_traceback_with_costguard_debug(monkeypatch, capsys):
    monkeypatch.setattr("costguard.cli.estimate", lambda *a, **k: 1 / 0)
    monkeypatch.setenv("COSTGUARD_DEBUG", "1")
    assert main(["review", str(SYNTHETIC)]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_deep_nesting_through_the_module_entry_point(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000)
    proc = subprocess.run(
        [sys.executable, "-m", "costguard", "review", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "COSTGUARD_DEBUG"},
    )
    assert proc.returncode == 2 and proc.stdout == "" and proc.stderr.count("\n") == 1


# --- mutation fuzz over the fixture files ---------------------------------------------------------
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(["", "UNKNOWN", "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "cron(0 8 ? * * *)"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)
FILES = {path.name: json.loads(path.read_text()) for path in FIXTURE_FILES}


def _nodes(value, path=()):
    """Every (container path, key) in a JSON tree, so a mutation can land anywhere."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield path, key
            yield from _nodes(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield path, index
            yield from _nodes(child, (*path, index))


NODES = {name: list(_nodes(data)) for name, data in FILES.items()}


@st.composite
def mutated_previews(draw):
    name = draw(st.sampled_from(sorted(FILES)))
    data = copy.deepcopy(FILES[name])
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path, key = draw(st.sampled_from(NODES[name]))
        container = data
        try:
            for part in path:
                container = container[part]
            action = draw(st.sampled_from(["replace", "delete", "wrap"]))
            if action == "delete" and isinstance(container, dict):
                del container[key]
            elif action == "wrap":
                container[key] = [container[key]]
            else:
                container[key] = draw(JSON_VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation changed the shape along this path
    return name, data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_previews(), st.sampled_from(["table", "markdown", "json"]))
def test_mutation_fuzz_never_crashes(tmp_path_factory, case, fmt):
    name, data = case
    tmp = tmp_path_factory.mktemp("fuzz")
    code, out, err = review(tmp, data, "--format", fmt)
    assert code in (0, 1, 2), (name, code)
    assert "Traceback" not in err and "internal error" not in err and "cannot price" not in err, (name, err)
    if code == 2:
        assert out == "" and err.count("\n") == 1, (name, err)
    else:
        assert err == "" and out
        if fmt == "json":
            json.loads(out)  # strict JSON: no NaN, no Infinity
