"""YAML read the way the Pulumi CLI reads `Pulumi.yaml` and `Pulumi.<stack>.yaml`.

The CLI is Go: both files go through gopkg.in/yaml.v2 (pulumi/pulumi sdk/go/common/encoding/marshal.go,
`yaml "gopkg.in/yaml.v2"`), which resolves plain scalars with YAML 1.1-ish rules that differ from
PyYAML's: `y`/`n` are booleans, `1e3` and `0o17` are numbers, `1:30` and `2024-01-01` stay strings
(sexagesimals and, into `interface{}`, timestamps are left as text), a float that overflows is a string.
This module composes the document with PyYAML (its parser and error messages) and resolves scalars
as yaml.v2 does (go-yaml resolve.go: the resolve map, then ints via strconv.ParseInt(s, 0, 64) after
dropping `_`, then ParseUint, then floats matching `yamlStyleFloat`).

A config value's own text matters too: the CLI first decodes every stack value into a Go string
(sdk/go/common/resource/config/value.go, `unmarshalValue`: "First, try to unmarshal as a string"),
and yaml.v2 hands a scalar to a string as it is written (`256`, `yes`, `0x10`), null as "".
`scalar_text()` gives that text; `value()` gives what yaml.v2 decodes into `interface{}`.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from typing import Any

import yaml

# The tag of a plain (unquoted, untagged) scalar: resolved here, not by PyYAML's YAML 1.1 resolver.
_PLAIN = "tag:costguard,2024:plain"
_YAML = "tag:yaml.org,2002:"

_BOOLS = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
_NULLS = {"", "~", "null", "Null", "NULL"}
_SPECIAL_FLOATS = {
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
# strconv.ParseInt(s, 0, 64): a sign, then 0x/0o/0b, a leading-0 octal, or decimal.
_GO_INT = re.compile(r"([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?")  # strconv.ParseFloat of what starts with "."
_INT64 = (-(2**63), 2**63)


class GoYamlError(ValueError):
    """What yaml.v2 refuses beyond syntax: a tagged scalar that is not of its tag, a recursive alias."""


class _Loader(yaml.SafeLoader):
    def resolve(self, kind, value, implicit):  # noqa: ANN001 - PyYAML's signature
        if kind is yaml.ScalarNode and implicit[0]:
            return _PLAIN
        return super().resolve(kind, value, implicit)


def parse(text: str) -> yaml.Node | None:
    """The document's node tree (None for an empty document); yaml.YAMLError on a syntax error."""
    return yaml.compose(text, Loader=_Loader)


def load(text: str) -> Any:
    node = parse(text)
    return None if node is None else value(node)


def value(node: yaml.Node) -> Any:
    """What yaml.v2 decodes the node into as `interface{}`: str, int, float, bool, None, list, dict."""
    return _value(node, set())


def scalar_text(node: yaml.ScalarNode) -> str:
    """What yaml.v2 decodes a scalar into as a Go string: its text as written; null is ""."""
    if node.tag == _PLAIN:
        return "" if node.value in _NULLS else node.value
    kind = _tag_name(node.tag)
    if kind == "binary":
        return _binary(node)
    if kind in ("null", "bool", "int", "float"):
        _explicit(node, kind)  # yaml.v2 fails on `!!int abc` whatever the target
        return "" if kind == "null" else node.value
    return node.value


def _value(node: yaml.Node, active: set[int]) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if id(node) in active:
        raise GoYamlError("a recursive alias (an anchor used inside itself) has no value")
    active.add(id(node))
    try:
        if isinstance(node, yaml.SequenceNode):
            return [_value(item, active) for item in node.value]
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == _PLAIN and key_node.value == "<<":
                _merge(value_node, out, active)
                continue
            out[go_key(_value(key_node, active))] = _value(value_node, active)
        return out
    finally:
        active.discard(id(node))


def _merge(node: yaml.Node, out: dict[str, Any], active: set[int]) -> None:
    # yaml.v2 merges `<<: *a` into the mapping where it stands; of `<<: [*a, *b]` the first wins.
    sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
    for source in reversed(sources):
        merged = _value(source, active)
        if not isinstance(merged, dict):
            raise GoYamlError("map merge requires map or sequence of maps as the value")
        out.update(merged)


def go_key(key: Any) -> str:
    """A mapping key as Pulumi makes it a string (fmt.Sprintf("%v", key))."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "<nil>"
    return key if isinstance(key, str) else str(key)


def _scalar(node: yaml.ScalarNode) -> Any:
    if node.tag == _PLAIN:
        return resolve_plain(node.value)
    kind = _tag_name(node.tag)
    if kind == "binary":
        return _binary(node)
    if kind in ("null", "bool", "int", "float"):
        return _explicit(node, kind)
    return node.value  # !!str, quoted, block scalars and tags yaml.v2 does not resolve: the text


def _explicit(node: yaml.ScalarNode, kind: str) -> Any:
    resolved = resolve_plain(node.value)
    got = _kind_of(resolved)
    if got == kind:
        return resolved
    if kind == "float" and got == "int":
        return float(resolved)
    raise GoYamlError(f"cannot decode !!{got} `{node.value}` as a !!{kind}")


def _binary(node: yaml.ScalarNode) -> str:
    try:
        return base64.b64decode("".join(node.value.split()), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        raise GoYamlError(f"!!binary value contains invalid base64 data: {node.value!r}") from None


def _kind_of(resolved: Any) -> str:
    if resolved is None:
        return "null"
    if isinstance(resolved, bool):
        return "bool"
    if isinstance(resolved, int):
        return "int"
    if isinstance(resolved, float):
        return "float"
    return "str"


def _tag_name(tag: str) -> str:
    return tag[len(_YAML) :] if tag.startswith(_YAML) else tag


def resolve_plain(text: str) -> Any:
    """A plain scalar as yaml.v2 resolves it (go-yaml resolve.go `resolve`)."""
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    first = text[0]
    if first == ".":
        number = _go_float(text) if _DOT_FLOAT.fullmatch(text) else None
        return text if number is None else number
    if first in "+-0123456789":
        plain = text.replace("_", "")
        for number in (_go_int(plain, signed=True), _go_int(plain, signed=False)):
            if number is not None:
                return number
        number = _go_float(plain) if _YAML_STYLE_FLOAT.fullmatch(plain) else None
        if number is not None:
            return number
    return text


def _go_int(text: str, *, signed: bool) -> int | None:
    """strconv.ParseInt(text, 0, 64) (signed) or ParseUint(text, 0, 64): the value, None if refused."""
    match = _GO_INT.fullmatch(text)
    if not match or (match.group(1) and not signed):
        return None
    sign, body = match.groups()
    prefix = body[:2].lower()
    if prefix in ("0x", "0o", "0b"):
        number = int(body[2:], {"0x": 16, "0o": 8, "0b": 2}[prefix])
    elif body.startswith("0") and len(body) > 1:
        number = int(body[1:], 8)
    else:
        number = int(body)
    number = -number if sign == "-" else number
    low, high = _INT64 if signed else (0, 2**64)
    return number if low <= number < high else None


def _go_float(text: str) -> float | None:
    # strconv.ParseFloat refuses what overflows (±Inf with ErrRange): yaml.v2 then keeps the text.
    number = float(text)
    return None if math.isinf(number) else number
