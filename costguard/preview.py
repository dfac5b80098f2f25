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

# Step ops of the preview digest -> the op costguard prices.
OPS = {
    "create": "create",
    "update": "update",
    "delete": "delete",
    "same": "same",
    "replace": "replace",
    "create-replacement": "replace",
    "delete-replaced": "replace",
    "import": "create",  # the resource joins the stack
    "import-replacement": "replace",
    "refresh": "same",
    "remove-pending-replace": "same",
    # Reads (`Resource.get`) and their discards: a resource this stack looks at but does not manage.
    "read": "read",
    "read-replacement": "read",
    "discard": "read",
    "discard-replaced": "read",
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
        data = json.loads(text)
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


def from_data(data: Any, name: str = "input") -> Graph:
    if not isinstance(data, dict):
        raise PreviewError(f"{name} holds a JSON {type(data).__name__}, not a preview object — {HINT}")
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
        raise PreviewError(f"{name}: `steps` is not a list — {HINT}")
    resources: dict[str, Resource] = {}
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, dict) or not isinstance(step.get("urn"), str):
            raise PreviewError(f"{name}: step {number} has no urn — {HINT}")
        op = OPS.get(str(step.get("op")), "same")
        old, new = step.get("oldState") or {}, step.get("newState") or {}
        urn = step["urn"]
        existing = resources.get(urn)
        if existing is not None:  # the other halves of a replacement
            _merge_replacement(existing, old, new)
            continue
        resources[urn] = _resource(urn, op, old, new, step.get("provider"))
    config = data.get("config") if isinstance(data.get("config"), dict) else {}
    return _graph(list(resources.values()), config, name)


def _from_export(deployment: dict[str, Any], name: str) -> Graph:
    states = deployment.get("resources") or []
    if not isinstance(states, list):
        raise PreviewError(
            f"{name}: `deployment.resources` is not a list — pass the output of `pulumi stack export`"
        )
    resources = []
    for number, state in enumerate(states, start=1):
        if not isinstance(state, dict) or not isinstance(state.get("urn"), str):
            raise PreviewError(
                f"{name}: resource {number} has no urn — pass the output of `pulumi stack export`"
            )
        resources.append(_resource(state["urn"], "same", state, state, state.get("provider")))
    return _graph(resources, {}, name)


def _resource(urn: str, op: str, old: dict, new: dict, provider: Any) -> Resource:
    state = new or old
    type_ = state.get("type") or _urn_type(urn)
    inputs = _inputs(new if new else old)
    has_old = op in ("update", "replace", "delete", "same") and bool(old)
    return Resource(
        urn=urn,
        type=type_,
        name=_urn_name(urn),
        custom=bool(state.get("custom", True)),
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


def _graph(resources: list[Resource], config: dict[str, Any], name: str) -> Graph:
    stack, project = "", ""
    for r in resources:
        parts = r.urn.split("::")
        if len(parts) >= 4 and parts[0].startswith("urn:pulumi:"):
            stack, project = parts[0][len("urn:pulumi:") :], parts[1]
            break
    config = dict(config)
    if not isinstance(config.get("aws:region"), str):
        native = config.get("aws-native:region")
        region = native if isinstance(native, str) and native else _provider_region(resources)
        if region:
            config["aws:region"] = region
    return Graph(project=project, stack=stack, resources=resources, config=config)


def _provider_region(resources: list[Resource]) -> str | None:
    """The region of the AWS provider(s) when the config does not say (e.g. in a stack export)."""
    regions = {
        r.inputs.get("region")
        for r in resources
        if r.type in ("pulumi:providers:aws", "pulumi:providers:aws-native")
        and isinstance(r.inputs.get("region"), str)
    }
    return regions.pop() if len(regions) == 1 else None


def _urn_type(urn: str) -> str:
    parts = urn.split("::")
    return parts[2].split("$")[-1] if len(parts) >= 4 else ""


def _urn_name(urn: str) -> str:
    parts = urn.split("::")
    return "::".join(parts[3:]) if len(parts) >= 4 else urn
