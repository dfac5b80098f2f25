"""A stack's effective configuration, built from `Pulumi.yaml` and `Pulumi.<stack>.yaml` as the CLI does.

The CLI starts from the project file's `config:` block (defaults for project keys, which are written
there without a namespace, and values for namespaced keys such as `aws:region`), then overlays the
stack file's `config:` block, whose keys are always namespaced (`project:key`, `aws:region`).
Secrets (`secure: v1:...`) are never decrypted: they take the key's declared default from
Pulumi.yaml when it has one, else a placeholder string.

Before it runs the program the CLI also checks the stack against the types the project declares, and
so does this module, with the CLI's own messages. What the CLI does (pulumi/pulumi source):

- Both files are read with gopkg.in/yaml.v2 (sdk/go/common/encoding/marshal.go); `costguard.goyaml`
  reads them the same way.
- Pulumi.yaml is checked on load (sdk/go/common/workspace/project.go `Project.Validate`, and the JSON
  schema sdk/go/common/workspace/project.json): `type` is one of string, integer, boolean, array
  (which needs `items`) or object (project.go's type names; older schemas list only the first four);
  a default must be of the declared type; a key of another namespace (`aws:region`) takes `value:`,
  never `type` or `default`; `default` and `value` never together.
- A stack value is a string unless it is a YAML list or mapping (sdk/go/common/resource/config/
  value.go `unmarshalValue`: "First, try to unmarshal as a string"; lists and mappings become JSON
  "object" values). So `cpu: 256`, `cpu: "256"` and `flag: yes` all arrive as the strings "256",
  "256" and "yes"; `'["a"]'` is a string, not a list.
- sdk/go/common/workspace/config.go `mergeConfig`: a project key with no default that the stack does
  not set fails ("Stack 'dev' is missing configuration value 'x'"); the others take their defaults.
  Then `validateStackConfigValues` checks every explicitly typed key, in sorted order: a `secret: true`
  key must be `secure:` in the stack, and the value (a string, or the JSON-decoded list or mapping,
  numbers as float64, secrets decrypted to strings) must pass project.go `ValidateConfigValue`:
  string = a string; integer = a string strconv.Atoi parses ("256", "+5", "-3"; not "256.0", "1e3",
  "0x10", "1_000", " 256"), or a whole number inside a list or mapping; boolean = exactly "true" or
  "false" (not "True", "yes", "on") or a YAML boolean inside a list; object = a mapping;
  array = a list whose every item passes against `items`. The message names the full type,
  `array<string>` (project.go `InferFullTypeName`). pkg/cmd/pulumi wraps it as "validating stack
  config: ...".
- The program then gets every value as a string: a stack scalar as written, a list or mapping as
  JSON, a default as fmt "%v" of it (JSON for floats, lists and mappings) (config.go
  `createConfigValue`).

Offline, a `secure:` value cannot be decrypted: for an integer or boolean key its check is skipped
(the CLI checks the decrypted text); a string key passes, an array or object key fails, as they do
whatever the ciphertext holds.

Docs relied on: https://www.pulumi.com/docs/iac/concepts/projects/project-file/#config-options
(project-level `config:` with `type`/`default`/`description`/`secret`/`items`, or a bare value, or
`value:` for namespaced keys) and https://www.pulumi.com/docs/iac/concepts/config/ (stack files).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from costguard import goyaml

# What a secret reads as under capture: the plan never holds the stack's encryption key.
SECRET_PLACEHOLDER = "costguard-secret-placeholder"

# Keys that mark a project `config:` entry as a schema (`{type, default, ...}`) rather than an object value.
_SCHEMA_KEYS = {"type", "default", "description", "secret", "items", "value"}

# The `type:` names the CLI knows (project.go: arrayTypeName ... objectTypeName).
CONFIG_TYPES = ("string", "integer", "boolean", "array", "object")

_ATOI = re.compile(r"[+-]?[0-9]+")  # strconv.Atoi: an optional sign and decimal digits, int64 range


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
    # A stack scalar's text as written (`yes`, `0x10`): what the CLI hands the program for that key.
    texts: dict[str, str] = field(default_factory=dict)

    def program_config(self) -> dict[str, str]:
        """Config as the CLI hands it to a program: every value a string, objects and lists as JSON."""
        return {key: self.texts.get(key, _as_cli_string(value)) for key, value in self.config.items()}


@dataclass(frozen=True)
class _StackValue:
    """One `config:` entry of the stack file, as the CLI holds it (config.Value)."""

    typed: Any  # as yaml.v2 decodes it, `secure:` leaves replaced by the placeholder
    text: str | None  # a scalar's text; None for a list or mapping
    secure: bool  # `secure:` itself, or a list or mapping holding one
    content: Any  # what ValidateConfigValue sees; None for a top-level secret (not decryptable)


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

    declarations = _declarations(project, project_doc.get("config"), project_file.name)
    config: dict[str, Any] = {}
    secret_keys: set[str] = set()
    for full_key, entry in declarations.items():
        raw = _project_value(entry)
        if raw is None:
            continue  # no default: the stack must set it (checked below)
        value, secret = _plain_value(raw)
        config[full_key] = value
        if secret or entry.secret:
            secret_keys.add(full_key)

    stack_file = program_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        raise CaptureError(
            f"no Pulumi.{stack}.yaml in {program_dir}: create it with `pulumi stack init {stack}` "
            "or pass --stack with an existing stack"
        )
    stack_values = _read_stack_values(stack_file, project)
    declared = set(declarations) if declarations else None
    texts: dict[str, str] = {}
    for full_key, stack_value in stack_values.items():
        if declared is not None and full_key.startswith(f"{project}:") and full_key not in declared:
            # The Pulumi CLI refuses such a stack too ("validating stack config: ... not defined by the
            # project configuration"); a silently ignored typo would plan the wrong stack.
            raise CaptureError(
                f"{stack_file.name} sets {full_key}, which {project_file.name} does not declare: "
                "fix the key's spelling or declare it under `config:`"
            )
        value = stack_value.typed
        if stack_value.content is None and full_key in config:
            # A secret cannot be decrypted offline: keep the project's declared default rather than
            # a placeholder that the program's own validation would reject (e.g. an email address).
            value = config[full_key]
        if stack_value.text is not None:
            texts[full_key] = stack_value.text
        config[full_key] = value
        if stack_value.secure:
            secret_keys.add(full_key)
        else:
            secret_keys.discard(full_key)

    _validate_stack(stack, project, declarations, stack_values, stack_file.name, project_file.name)
    return StackConfig(
        program_dir=program_dir,
        project=project,
        stack=stack,
        runtime=runtime,
        main=main,
        config=config,
        secret_keys=tuple(sorted(secret_keys)),
        texts=texts,
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


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")  # the CLI strips a UTF-8 byte order mark too
    except (OSError, UnicodeDecodeError) as exc:
        raise CaptureError(f"cannot read {path.name}: {exc}") from None


def _parse(path: Path) -> yaml.Node | None:
    try:
        return goyaml.parse(_read_text(path))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CaptureError(f"{path.name}{where} is not valid YAML: {problem}") from None


def _read_yaml(path: Path) -> Any:
    node = _parse(path)
    try:
        return None if node is None else goyaml.value(node)
    except goyaml.GoYamlError as exc:
        raise CaptureError(f"{path.name} is not valid YAML: {exc}") from None


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


# --- Pulumi.yaml: the declarations -------------------------------------------------------------------


@dataclass(frozen=True)
class _Declaration:
    key: str  # as written in Pulumi.yaml (`cpu`, `aws:region`): the CLI's messages name it so
    type: str | None
    items: dict | None
    default: Any = None
    value: Any = None
    secret: bool = False


def _declarations(project: str, block: Any, file_name: str) -> dict[str, _Declaration]:
    """Pulumi.yaml's `config:` by fully-qualified key, checked as the CLI's project loader does."""
    if block is None:
        return {}
    if not isinstance(block, dict):
        raise CaptureError(
            f"`config:` in {file_name} must be a mapping of key: value or key: {{type, default}}"
        )
    out: dict[str, _Declaration] = {}
    for key, entry in block.items():
        key = str(key)
        own = _namespaced_by_project(project, key)
        if isinstance(entry, dict) and entry and set(entry) <= _SCHEMA_KEYS:
            declaration = _Declaration(
                key,
                entry.get("type"),
                entry.get("items"),
                entry.get("default"),
                entry.get("value"),
                entry.get("secret") is True,
            )
        elif own:  # a bare value: the default of a project key, the value of another namespace's
            declaration = _Declaration(key, None, None, default=entry)
        else:
            declaration = _Declaration(key, None, None, value=entry)
        _check_declaration(declaration, own, file_name)
        out[_qualify(project, key)] = declaration
    return out


def _check_declaration(decl: _Declaration, own: bool, file_name: str) -> None:
    """project.go `Project.Validate` and the `type` enum of project.json."""
    key = decl.key
    if decl.default is not None and decl.value is not None:
        raise CaptureError(
            f"{file_name}: project config '{key}' cannot have both a 'default' and 'value' attribute"
        )
    if decl.type is not None and decl.type not in CONFIG_TYPES:
        raise CaptureError(
            f"{file_name}: configuration key '{key}' declares type {decl.type!r}: the Pulumi CLI knows "
            "string, integer, boolean, array (with `items:`) and object; a number is a string or integer"
        )
    _check_items(decl.items, key, file_name)
    if own:
        if decl.type == "array" and decl.items is None:
            raise CaptureError(
                f"{file_name}: The configuration key '{key}' declares an array but does not specify the "
                "underlying type via the 'items' attribute"
            )
        if decl.type is not None and decl.default is not None:
            if not conforms(decl.type, decl.items, decl.default):
                raise CaptureError(
                    f"{file_name}: The default value specified for configuration key '{key}' is not of "
                    f"the expected type '{full_type_name(decl.type, decl.items)}'"
                )
        return
    if decl.type is not None:
        raise CaptureError(
            f"{file_name}: Configuration key '{key}' is not namespaced by the project and should not "
            "define a type"
        )
    if decl.default is not None:
        raise CaptureError(
            f"{file_name}: Configuration key '{key}' is not namespaced by the project and should not "
            "define a default value. Did you mean to use the 'value' attribute instead of 'default'?"
        )
    if decl.value is None:
        raise CaptureError(
            f"{file_name}: Configuration key '{key}' is namespaced and must provide an attribute 'value'"
        )


def _check_items(items: Any, key: str, file_name: str) -> None:
    # project.json configItemsType: {type: string|integer|boolean|array|..., items: (required for array)}
    while items is not None:
        item_type = items.get("type") if isinstance(items, dict) else None
        if item_type not in CONFIG_TYPES or (item_type == "array" and items.get("items") is None):
            raise CaptureError(
                f"{file_name}: configuration key '{key}' has `items:` {json.dumps(items, default=str)}: "
                "give `items: {type: string|integer|boolean|array|object}` (an array's items need "
                "their own `items:`)"
            )
        items = items.get("items")


def _namespaced_by_project(project: str, key: str) -> bool:
    # project.go configKeyIsNamespacedByProject
    return ":" not in key or key.startswith(f"{project}:")


def _project_value(decl: _Declaration) -> Any:
    # config.go mergeConfig: a nil default is no default; `value:` is a namespaced key's value.
    return decl.value if decl.value is not None else decl.default


# --- Pulumi.<stack>.yaml: the values -----------------------------------------------------------------


def _read_stack_values(stack_file: Path, project: str) -> dict[str, _StackValue]:
    root = _parse(stack_file)
    if root is None or _is_null(root):
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise CaptureError(
            f"{stack_file.name} in {stack_file.parent} is not a YAML mapping: expected a `config:` block"
        )
    block = None
    for key_node, value_node in root.value:
        if _scalar_key(key_node) == "config":
            block = value_node
    if block is None or _is_null(block):
        return {}
    if not isinstance(block, yaml.MappingNode):
        raise CaptureError(f"`config:` in {stack_file.name} must be a mapping of key: value")
    out: dict[str, _StackValue] = {}
    for key_node, value_node in block.value:
        key = _scalar_key(key_node)
        if key is None:
            raise CaptureError(f"`config:` in {stack_file.name} has a key that is not a name")
        full_key = _qualify(project, key)
        try:
            out[full_key] = _stack_value(value_node)
        except goyaml.GoYamlError as exc:
            raise CaptureError(f"{stack_file.name}: {full_key}: malformed config value: {exc}") from None
    return out


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and goyaml.value(node) is None


def _scalar_key(node: yaml.Node) -> str | None:
    return goyaml.go_key(goyaml.value(node)) if isinstance(node, yaml.ScalarNode) else None


def _stack_value(node: yaml.Node) -> _StackValue:
    if isinstance(node, yaml.ScalarNode):
        return _StackValue(goyaml.value(node), goyaml.scalar_text(node), False, goyaml.scalar_text(node))
    raw = goyaml.value(node)
    if isinstance(raw, dict) and set(raw) == {"secure"} and isinstance(raw["secure"], str):
        return _StackValue(SECRET_PLACEHOLDER, None, True, None)
    typed, secure = _plain_value(raw)
    try:
        # The CLI keeps a list or mapping as JSON and decodes it back to check it: numbers as float64.
        content = json.loads(json.dumps(typed, allow_nan=False), parse_int=float)
    except ValueError:
        raise goyaml.GoYamlError("json: unsupported value: NaN or ±Inf") from None
    return _StackValue(typed, None, secure, content)


# --- the CLI's checks --------------------------------------------------------------------------------


def conforms(type_name: str | None, items: Any, value: Any) -> bool:
    """project.go `ValidateConfigValue`: whether a value (a stack string, or decoded YAML/JSON) fits."""
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return _is_int64(value)  # a Go int; a bigger YAML integer is a uint64
        if isinstance(value, float):
            return math.isinf(value) or (not math.isnan(value) and value == math.trunc(value))
        return isinstance(value, str) and _ATOI.fullmatch(value) is not None and _is_int64(int(value))
    if type_name == "boolean":
        return value in ("true", "false") if isinstance(value, str) else isinstance(value, bool)
    if type_name == "object":
        return isinstance(value, dict)
    if not isinstance(value, list) or not isinstance(items, dict):
        return False  # "array", and any other name: the CLI's last branch wants a list and `items`
    return all(conforms(items.get("type"), items.get("items"), item) for item in value)


def _is_int64(number: int) -> bool:
    return -(2**63) <= number < 2**63


def full_type_name(type_name: str | None, items: Any) -> str:
    """project.go `InferFullTypeName`: `array<string>`, `array<array<integer>>`."""
    if isinstance(items, dict):
        return f"array<{full_type_name(items.get('type'), items.get('items'))}>"
    return str(type_name)


def _validate_stack(
    stack: str,
    project: str,
    declarations: dict[str, _Declaration],
    stack_values: dict[str, _StackValue],
    stack_file: str,
    project_file: str,
) -> None:
    """config.go `mergeConfig` then `validateStackConfigValues`, on the stack file's values."""
    own = {key: decl for key, decl in declarations.items() if key.startswith(f"{project}:")}
    missing = [d.key for key, d in own.items() if key not in stack_values and _project_value(d) is None]
    if missing:
        raise CaptureError(
            f"validating stack config: {_missing_message(stack, missing)}: set "
            f"{'them' if len(missing) > 1 else 'it'} in {stack_file} (`pulumi config set KEY VALUE`) "
            f"or give {'them defaults' if len(missing) > 1 else 'it a default'} in {project_file}"
        )
    for full_key, decl in sorted(declarations.items(), key=lambda item: item[1].key):
        if decl.type is None:
            continue
        stack_value = stack_values.get(full_key)
        if stack_value is None:
            continue  # a default: checked against its type with Pulumi.yaml
        if decl.secret and not stack_value.secure:
            raise CaptureError(
                f"validating stack config: Stack '{stack}' with configuration key '{decl.key}' must be "
                f"encrypted as it's secret: {stack_file} has it in plain text; set it with "
                f"`pulumi config set --secret {decl.key}`"
            )
        content = stack_value.content
        if content is None:  # a `secure:` string: its plaintext is unknown offline, but a string
            if decl.type in ("integer", "boolean"):
                continue
            content = ""
        if not conforms(decl.type, decl.items, content):
            expected = full_type_name(decl.type, decl.items)
            raise CaptureError(
                f"validating stack config: Stack '{stack}' with configuration key '{decl.key}' must be of "
                f"type '{expected}': {stack_file} sets {full_key} to {_shown(stack_value)}; "
                f"{_how_to_write(decl.type, decl.items, expected, stack_value)}"
            )


def _missing_message(stack: str, keys: list[str]) -> str:
    # config.go missingStackConfigurationKeysError / formatMissingKeys
    if len(keys) == 1:
        return f"Stack '{stack}' is missing configuration value '{keys[0]}'"
    keys = sorted(keys)
    listed = ", ".join(f"'{k}'" for k in keys[:-2])
    listed = f"{listed}, " if listed else ""
    return f"Stack '{stack}' is missing configuration values {listed}'{keys[-2]}' and '{keys[-1]}'"


def _shown(value: _StackValue) -> str:
    if value.content is None:
        return "a secret (a string)"
    if value.text is not None:
        quoted = f"'{value.text}'" if "'" not in value.text else json.dumps(value.text)
        return f"the string {quoted}"
    kind = "a list" if isinstance(value.typed, list) else "a mapping"
    return f"{kind} {_go_json(value.typed)}"


def _how_to_write(type_name: str | None, items: Any, expected: str, value: _StackValue) -> str:
    if isinstance(items, dict) or type_name == "array":
        items_type = expected[len("array<") : -1]
        if isinstance(value.typed, list):
            return f"make every item a {items_type}"
        return f"write a YAML list (`- item` lines or `[a, b]`) of {items_type} items, not a string"
    return {
        "integer": "write a whole number, e.g. 256 (digits and an optional sign)",
        "boolean": "write true or false (not yes/no/on/off or True/False)",
        "object": "write a YAML mapping (`key: value` lines)",
        "string": "write one value; quote it if it holds `: ` or starts with `[`, `{` or `-`",
    }.get(str(type_name), f"write a value of type {expected}")


# --- shared helpers ----------------------------------------------------------------------------------


def _qualify(project: str, key: str) -> str:
    # `proj:config:key` is the legacy spelling of `proj:key`.
    parts = key.split(":")
    if len(parts) == 3 and parts[1] == "config":
        return f"{parts[0]}:{parts[2]}"
    return key if ":" in key else f"{project}:{key}"


def _plain_value(raw: Any) -> tuple[Any, bool]:
    """The value with every `secure:` leaf replaced by the placeholder, and whether any was found."""
    if isinstance(raw, dict):
        if set(raw) == {"secure"} and isinstance(raw["secure"], str):
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
    """config.go `createConfigValue`: fmt "%v" of a string, integer or boolean, JSON of the rest."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return _go_json(value)


def _go_json(value: Any) -> str:
    """JSON as Go's encoding/json writes it: compact, map keys sorted, 256.0 as 256, UTF-8 kept."""
    return json.dumps(_go_numbers(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def _go_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, list):
        return [_go_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _go_numbers(v) for k, v in value.items()}
    return value
