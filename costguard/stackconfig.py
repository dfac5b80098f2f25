"""A stack's effective configuration, built from `Pulumi.yaml` and `Pulumi.<stack>.yaml` as the CLI does.

The CLI starts from the project file's `config:` block (defaults for project keys, which are written
there without a namespace, and values for namespaced keys such as `aws:region`), then overlays the
stack file's `config:` block, whose keys are always namespaced (`project:key`, `aws:region`).
Secrets (`secure: v1:...`) are never decrypted: they take the key's declared default from
Pulumi.yaml when it has one, else a placeholder string.

Docs relied on: https://www.pulumi.com/docs/iac/concepts/projects/project-file/#config-options
(project-level `config:` with `type`/`default`/`description`/`secret`/`items`, or a bare value, or
`value:` for namespaced keys) and https://www.pulumi.com/docs/iac/concepts/config/ (stack files).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# What a secret reads as under capture: the plan never holds the stack's encryption key.
SECRET_PLACEHOLDER = "costguard-secret-placeholder"

# Keys that mark a project `config:` entry as a schema (`{type, default, ...}`) rather than an object value.
_SCHEMA_KEYS = {"type", "default", "description", "secret", "items", "value"}


class CaptureError(Exception):
    """A one-line, user-facing reason why a program could not be captured."""


@dataclass(frozen=True)
class StackConfig:
    program_dir: Path
    project: str
    stack: str
    runtime: str
    main: Path  # the file to run (`__main__.py`, or the one `main:` names)
    config: dict[str, Any] = field(default_factory=dict)  # fully-qualified keys, typed values
    secret_keys: tuple[str, ...] = ()

    def program_config(self) -> dict[str, str]:
        """Config as the CLI hands it to a program: every value a string, objects and lists as JSON."""
        return {key: _as_cli_string(value) for key, value in self.config.items()}


def load_stack_config(program_dir: Path, stack: str) -> StackConfig:
    program_dir = Path(program_dir)
    project_file = _project_file(program_dir)
    project_doc = _read_yaml(project_file)
    if not isinstance(project_doc, dict):
        raise CaptureError(
            f"{project_file.name} in {program_dir} is not a YAML mapping: expected `name:` and `runtime:`"
        )
    project = project_doc.get("name")
    if not isinstance(project, str) or not project:
        raise CaptureError(f"{project_file.name} in {program_dir} has no `name:`: add the project name")

    runtime = _runtime_name(project_doc.get("runtime"))
    if runtime != "python":
        raise CaptureError(
            f"{project_file.name} in {program_dir} declares runtime {runtime or '(none)'!r}: "
            "costguard can only capture Python programs (runtime: python)"
        )
    main = _main_file(program_dir, project_doc.get("main"))

    config: dict[str, Any] = {}
    secret_keys: set[str] = set()
    _apply_project_config(project, project_doc.get("config"), config, secret_keys, project_file.name)

    stack_file = program_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        raise CaptureError(
            f"no Pulumi.{stack}.yaml in {program_dir}: create it with `pulumi stack init {stack}` "
            "or pass --stack with an existing stack"
        )
    stack_doc = _read_yaml(stack_file) or {}
    if not isinstance(stack_doc, dict):
        raise CaptureError(
            f"{stack_file.name} in {program_dir} is not a YAML mapping: expected a `config:` block"
        )
    stack_config = stack_doc.get("config") or {}
    if not isinstance(stack_config, dict):
        raise CaptureError(f"`config:` in {stack_file.name} must be a mapping of key: value")
    declared = _declared_keys(project, project_doc.get("config"))
    for key, raw in stack_config.items():
        full_key = _qualify(project, str(key))
        if declared is not None and full_key.startswith(f"{project}:") and full_key not in declared:
            # The Pulumi CLI refuses such a stack too ("validating stack config: ... not defined by the
            # project configuration"); a silently ignored typo would plan the wrong stack.
            raise CaptureError(
                f"{stack_file.name} sets {full_key}, which {project_file.name} does not declare: "
                "fix the key's spelling or declare it under `config:`"
            )
        value, secret = _plain_value(raw)
        if secret and value == SECRET_PLACEHOLDER and full_key in config:
            # A secret cannot be decrypted offline: keep the project's declared default rather than
            # a placeholder that the program's own validation would reject (e.g. an email address).
            value = config[full_key]
        config[full_key] = value
        if secret:
            secret_keys.add(full_key)
        else:
            secret_keys.discard(full_key)

    return StackConfig(
        program_dir=program_dir,
        project=project,
        stack=stack,
        runtime=runtime,
        main=main,
        config=config,
        secret_keys=tuple(sorted(secret_keys)),
    )


def _project_file(program_dir: Path) -> Path:
    for name in ("Pulumi.yaml", "Pulumi.yml"):
        candidate = program_dir / name
        if candidate.is_file():
            return candidate
    raise CaptureError(
        f"no Pulumi.yaml in {program_dir}: point --program at a Pulumi project directory "
        "(or create one with `pulumi new python`)"
    )


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CaptureError(f"{path.name}{where} is not valid YAML: {problem}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaptureError(f"cannot read {path.name}: {exc}") from None


def _runtime_name(runtime: Any) -> str:
    if isinstance(runtime, dict):
        runtime = runtime.get("name")
    return runtime if isinstance(runtime, str) else ""


def _main_file(program_dir: Path, main: Any) -> Path:
    target = program_dir / main if isinstance(main, str) and main else program_dir
    if target.is_dir():
        target = target / "__main__.py"
    if not target.is_file():
        shown = target.relative_to(program_dir) if target.is_relative_to(program_dir) else target
        raise CaptureError(
            f"program entry point {shown} not found in {program_dir}: fix `main:` in Pulumi.yaml"
        )
    return target


def _apply_project_config(
    project: str, block: Any, config: dict[str, Any], secret_keys: set[str], file_name: str
) -> None:
    if block is None:
        return
    if not isinstance(block, dict):
        raise CaptureError(
            f"`config:` in {file_name} must be a mapping of key: value or key: {{type, default}}"
        )
    for key, entry in block.items():
        full_key = _qualify(project, str(key))
        if isinstance(entry, dict) and entry and set(entry) <= _SCHEMA_KEYS:
            if "value" in entry:
                raw = entry["value"]
            elif "default" in entry:
                raw = entry["default"]
            else:
                continue  # no default: the stack sets it, or the program's require() fails
            if entry.get("secret") is True:
                secret_keys.add(full_key)
        else:
            raw = entry
        value, secret = _plain_value(raw)
        config[full_key] = value
        if secret:
            secret_keys.add(full_key)


def _declared_keys(project: str, block: Any) -> set[str] | None:
    """The keys Pulumi.yaml declares under `config:`; None when it declares none (nothing to check)."""
    if not isinstance(block, dict) or not block:
        return None
    return {_qualify(project, str(key)) for key in block}


def _qualify(project: str, key: str) -> str:
    # `proj:config:key` is the legacy spelling of `proj:key`.
    parts = key.split(":")
    if len(parts) == 3 and parts[1] == "config":
        return f"{parts[0]}:{parts[2]}"
    return key if ":" in key else f"{project}:{key}"


def _plain_value(raw: Any) -> tuple[Any, bool]:
    """The value with every `secure:` leaf replaced by the placeholder, and whether any was found."""
    if isinstance(raw, dict):
        if set(raw) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        found = False
        out = {}
        for key, value in raw.items():
            out[str(key)], secret = _plain_value(value)
            found = found or secret
        return out, found
    if isinstance(raw, list):
        items = [_plain_value(v) for v in raw]
        return [v for v, _ in items], any(s for _, s in items)
    return raw, False


def _as_cli_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(value, separators=(",", ":"))
