"""Read `pulumi preview --json` output and `pulumi stack export` files into a Graph.

A preview file is the CLI's preview digest (sdk/go/common/display PreviewDigest, pulumi/pulumi#9886):
top-level `config`, `steps`, `changeSummary`, `duration`; each step has `op`, `urn`, `provider` and
`oldState`/`newState` resource states (`type`, `custom`, `inputs` with a `__defaults` list,
`outputs`, `parent`, `dependencies`). A replacement appears as up to three steps on one URN
(`create-replacement`, `replace`, `delete-replaced`); they become one resource with op `replace`.
A stack export is `{"version": 3, "deployment": {"resources": [state, ...]}}`: every resource
becomes a `same` step, so before and after are the stack's current cost.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from costguard.graph import Graph, Resource
from costguard.region import CONFIG_KEYS as REGION_CONFIG_KEYS

# Step ops of the preview digest -> the op costguard prices. These are every op the engine shows in
# a preview: pulumi's `display.StepOp` values (pkg/resource/deploy/step.go `StepOps`, the same set as
# sdk/go/common/apitype `OpType`). Its internal `diff` step is never displayed, so it is not here.
OPS = {
    "same": "same",
    "create": "create",
    "update": "update",
    "delete": "delete",
    "replace": "replace",
    "create-replacement": "replace",
    "delete-replaced": "replace",
    # Reads (`Resource.get`) and their discards: a resource this stack looks at but does not manage.
    "read": "read",
    "read-replacement": "read",
    "refresh": "same",
    "discard": "read",
    "discard-replaced": "read",
    "remove-pending-replace": "same",
    "import": "create",  # the resource joins the stack
    "import-replacement": "replace",
}
HINT = "pass the output of `pulumi preview --json` (or `pulumi stack export`)"


class PreviewError(Exception):
    """A preview file that cannot be read; the message is one line."""


def load(path: str | Path) -> Graph:
    """Read a preview or stack-export file into a Graph."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise PreviewError(f"{path} not found — {HINT}") from None
    except IsADirectoryError:
        raise PreviewError(f"{path} is a directory — {HINT}") from None
    except UnicodeDecodeError:
        raise PreviewError(f"{path} is not UTF-8 text — {HINT}") from None
    except OSError as err:
        raise PreviewError(f"{path} cannot be read ({err.strerror}) — {HINT}") from None
    return parse(text, str(path))


def parse(text: str, name: str = "stdin") -> Graph:
    """Parse the text of a preview or stack-export file (`name` is used in error messages)."""
    path = name
    if not text.strip():
        raise PreviewError(f"{path} is empty — {HINT}")
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except _NotJson as err:
        raise PreviewError(f"{path} is not valid JSON: {err} — {HINT}") from None
    except RecursionError:
        raise PreviewError(f"{path} is nested too deeply to be a preview — {HINT}") from None
    except json.JSONDecodeError as err:
        truncated = (
            " (the file ends early: truncated?)"
            if err.pos >= len(text.rstrip()) - 1 or "Unterminated" in err.msg
            else ""
        )
        raise PreviewError(
            f"{path} is not valid JSON (line {err.lineno}, col {err.colno}): {err.msg}{truncated} — {HINT}"
        ) from None
    return from_data(data, name=path)


class _NotJson(ValueError):
    pass


def _reject_constant(constant: str) -> Any:
    # Python's json module accepts NaN and Infinity; JSON (and the Pulumi CLI) does not.
    raise _NotJson(f"{constant} is not a JSON value")


def kind(value: Any) -> str:
    """The JSON name of a value's type, for error messages ("a string", "null")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def from_data(data: Any, name: str = "input") -> Graph:
    if not isinstance(data, dict):
        raise PreviewError(f"{name} holds {kind(data)}, not a preview object — {HINT}")
    if isinstance(data.get("deployment"), dict):
        return _from_export(data["deployment"], name)
    if "steps" in data or "changeSummary" in data:
        return _from_preview(data, name)
    diagnostics = data.get("diagnostics")
    if isinstance(diagnostics, list) and diagnostics:
        message = next(
            (d.get("message") for d in diagnostics if isinstance(d, dict) and d.get("severity") == "error"),
            None,
        )
        if message:
            first_line = " ".join(str(message).split())[:200]
            raise PreviewError(
                f"{name} is a failed preview: {first_line} — fix the program and preview again"
            )
    raise PreviewError(f"{name} has no `steps` or `deployment` — {HINT}")


def _from_preview(data: dict[str, Any], name: str) -> Graph:
    steps = data.get("steps") or []
    if not isinstance(steps, list):
        raise PreviewError(f"{name}: `steps` is {kind(steps)}, not a list — {HINT}")
    resources: dict[str, Resource] = {}
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, dict) or not isinstance(step.get("urn"), str) or not step["urn"]:
            raise PreviewError(f"{name}: step {number} has no urn — {HINT}")
        urn = step["urn"]
        where = f"{name}: step {number} ({urn})"
        op = _op(step.get("op"), where)
        old = _state(step.get("oldState"), f"{where}: oldState")
        new = _state(step.get("newState"), f"{where}: newState")
        provider = _optional(step, "provider", str, "a string", where)
        existing = resources.get(urn)
        if existing is not None:  # the other halves of a replacement
            _merge_replacement(existing, old, new)
            continue
        resources[urn] = _resource(urn, op, old, new, provider)
    graph = _graph(list(resources.values()), _config(data.get("config"), name), name, "preview")
    graph.omitted_unchanged = _omitted_unchanged(data.get("changeSummary"), steps)
    return graph


def _op(value: Any, where: str) -> str:
    """The op costguard prices for a step's `op`; an op Pulumi does not emit is an error, since
    pricing it as anything would be a guess."""
    if value is None:
        raise PreviewError(f"{where} has no `op` — {HINT}")
    if not isinstance(value, str):
        raise PreviewError(f"{where}: `op` is {kind(value)}, not a string — {HINT}")
    if value not in OPS:
        raise PreviewError(
            f"{where}: unknown step op {value!r}; Pulumi's step ops are {', '.join(OPS)} — {HINT}"
        )
    return OPS[value]


def _config(config: Any, name: str) -> dict[str, Any]:
    """The preview's `config`: an object of strings (the digest's `map[string]string`). The region
    keys costguard reads must be strings; a region of another type is named, not taken as absent."""
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise PreviewError(f"{name}: `config` is {kind(config)}, not an object — {HINT}")
    for key in REGION_CONFIG_KEYS:
        value = config.get(key)
        if value is not None and not isinstance(value, str):
            raise PreviewError(
                f"{name}: config {key} is {kind(value)} ({json.dumps(value)[:40]}), not a string: "
                f'a preview\'s config values are strings such as "eu-west-1" — {HINT}'
            )
    return dict(config)


def _omitted_unchanged(summary: Any, steps: list) -> int:
    """How many unchanged resources the change summary counts but the file leaves out: a preview
    without --show-sames lists only the steps that change something, yet still counts the sames."""
    same = summary.get("same") if isinstance(summary, dict) else None
    if isinstance(same, bool) or not isinstance(same, int) or same <= 0:
        return 0
    listed = sum(1 for s in steps if isinstance(s, dict) and s.get("op") == "same")
    return max(0, same - listed)


def _from_export(deployment: dict[str, Any], name: str) -> Graph:
    hint = "pass the output of `pulumi stack export`"
    states = deployment.get("resources") or []
    if not isinstance(states, list):
        raise PreviewError(f"{name}: `deployment.resources` is {kind(states)}, not a list — {hint}")
    resources = []
    for number, state in enumerate(states, start=1):
        if not isinstance(state, dict) or not isinstance(state.get("urn"), str) or not state["urn"]:
            raise PreviewError(f"{name}: resource {number} has no urn — {hint}")
        where = f"{name}: resource {number} ({state['urn']})"
        state = _state(state, where)
        resources.append(_resource(state["urn"], "same", state, state, state.get("provider")))
    return _graph(resources, {}, name, "export")


# The fields of a resource state costguard reads, and the JSON type each must have when present.
_STATE_FIELDS: tuple[tuple[str, type | tuple[type, ...], str], ...] = (
    ("type", str, "a string"),
    ("custom", bool, "a boolean"),
    ("inputs", dict, "an object"),
    ("outputs", dict, "an object"),
    ("parent", str, "a string"),
    ("provider", str, "a string"),
    ("dependencies", list, "an array"),
)


def _state(value: Any, where: str) -> dict[str, Any]:
    """A resource state (`oldState`, `newState`, an export's resource), checked field by field: a
    wrong shape is a one-line error here, so nothing downstream meets one."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PreviewError(f"{where} is {kind(value)}, not an object — {HINT}")
    for key, expected, label in _STATE_FIELDS:
        _optional(value, key, expected, label, where)
    dependencies = value.get("dependencies") or []
    if any(not isinstance(d, str) for d in dependencies):
        raise PreviewError(f"{where}: `dependencies` must be an array of URN strings — {HINT}")
    return value


def _optional(container: dict[str, Any], key: str, expected, label: str, where: str) -> Any:
    value = container.get(key)
    if value is None:
        return None
    if isinstance(value, bool) and expected is not bool or not isinstance(value, expected):
        raise PreviewError(f"{where}: `{key}` is {kind(value)}, not {label} — {HINT}")
    return value


def _resource(urn: str, op: str, old: dict, new: dict, provider: Any) -> Resource:
    state = new or old
    type_ = state.get("type") or _urn_type(urn)
    inputs = _inputs(new if new else old)
    has_old = op in ("update", "replace", "delete", "same") and bool(old)
    custom = state.get("custom")
    return Resource(
        urn=urn,
        type=type_,
        name=_urn_name(urn),
        custom=True if custom is None else custom,
        inputs=inputs,
        outputs=dict(old.get("outputs") or new.get("outputs") or {}),
        parent=state.get("parent"),
        dependencies=list(state.get("dependencies") or []),
        provider=provider if isinstance(provider, str) else state.get("provider"),
        op=op,
        old_inputs=_inputs(old) if has_old else None,
    )


def _merge_replacement(resource: Resource, old: dict, new: dict) -> None:
    resource.op = "replace" if resource.op != "read" else resource.op
    if new and new.get("inputs") is not None:
        resource.inputs = _inputs(new)
    if old and resource.old_inputs is None:
        resource.old_inputs = _inputs(old)
        resource.outputs = dict(old.get("outputs") or resource.outputs)


def _inputs(state: dict) -> dict[str, Any]:
    inputs = dict(state.get("inputs") or {})
    inputs.pop("__defaults", None)
    return inputs


def _graph(resources: list[Resource], config: dict[str, Any], name: str, origin: str) -> Graph:
    """The region is not settled here: `costguard.region` decides it (config, providers, environment,
    the resources' ARNs) in one place for review and plan."""
    stack, project = "", ""
    for r in resources:
        parts = r.urn.split("::")
        if len(parts) >= 4 and parts[0].startswith("urn:pulumi:"):
            stack, project = parts[0][len("urn:pulumi:") :], parts[1]
            break
    return Graph(project=project, stack=stack, resources=resources, config=dict(config), origin=origin)


def _urn_type(urn: str) -> str:
    parts = urn.split("::")
    return parts[2].split("$")[-1] if len(parts) >= 4 else ""


def _urn_name(urn: str) -> str:
    parts = urn.split("::")
    return "::".join(parts[3:]) if len(parts) >= 4 else urn
