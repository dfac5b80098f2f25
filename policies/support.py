"""Helpers shared by the policies: type spellings, unknown-safe property access, prices, messages."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

# Every sentinel the engine may use for a value unknown during a preview (pulumi_policy.proxy).
UNKNOWN_SENTINELS = frozenset(
    {
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string (the one the engine sends for every unknown)
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    }
)


class _Unknown:
    """The value of a property that is not known yet (a preview of a resource that depends on another)."""

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = _Unknown()


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN or (isinstance(value, str) and value in UNKNOWN_SENTINELS)


def plain(value: Any) -> Any:
    """Unwrap the policy SDK's unknown-checking proxies into plain dicts and lists.

    Reading an unknown through the proxy raises UnknownValueError, which the SDK turns into an
    advisory "can't run policy during preview" for the WHOLE policy. Working on plain data lets a
    policy decide from the values that are known and treat the unknown ones explicitly.
    """
    try:
        target = value["__target"]
    except (TypeError, KeyError, IndexError):
        target = None
    if isinstance(target, dict | list):
        value = target
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str) and value in UNKNOWN_SENTINELS:
        return UNKNOWN
    return value


def get(props: Any, *path: str | int, default: Any = None) -> Any:
    """props[path...], or `default` when a key is missing; UNKNOWN when any step is unknown."""
    current = props
    for key in path:
        if current is UNKNOWN:
            return UNKNOWN
        if isinstance(current, dict):
            if key not in current:
                return default
            current = current[key]
        elif isinstance(current, list) and isinstance(key, int):
            if not -len(current) <= key < len(current):
                return default
            current = current[key]
        else:
            return default
    return current if current is not None else default


def first_of(props: dict, *keys: str) -> Any:
    """The first of several spellings of a property that is present (classic vs native names)."""
    for key in keys:
        if key in props and props[key] is not None:
            return props[key]
    return None


def as_list(value: Any) -> list:
    if value is None:
        return []
    if value is UNKNOWN:
        return [UNKNOWN]
    return value if isinstance(value, list) else [value]


def as_number(value: Any) -> float | None:
    """A number from a number or a numeric string; None when missing, unknown or not a number."""
    if isinstance(value, bool) or value is None or value is UNKNOWN:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def as_json(value: Any) -> Any:
    """A JSON document given either as a string (classic provider) or as an object (native provider)."""
    if isinstance(value, str) and value is not UNKNOWN:
        try:
            return plain(json.loads(value))
        except ValueError:
            return None
    return value


NATIVE_PREFIX = "aws-native:"


def type_key(type_: str) -> str:
    """The token to compare a type by: aws-native tokens without letter case, others as they are.

    The aws-native provider has spelled the same CloudFormation type several ways: module names in
    CloudFormation case in its first previews (`aws-native:EC2:...`, lowercased in 2021:
    pulumi-aws-native issue #53), and resource names with CloudFormation's upper-case initialisms until
    v1.0 lowercased them
    (`VPCEndpoint` -> `VpcEndpoint`, `EIP` -> `Eip`, `DBInstance` -> `DbInstance`, `WebACL` -> `WebAcl`:
    pulumi-aws-native PR #999). CloudFormation type names are unique without case, so comparing
    aws-native tokens without case matches every spelling and nothing else. Classic `aws:` tokens
    keep their exact spelling; their pre-v6 names are listed where a policy covers them.
    """
    return type_.lower() if type_.startswith(NATIVE_PREFIX) else type_


class TypeSet:
    """A set of type tokens whose aws-native members match in any letter case (see `type_key`)."""

    __slots__ = ("names", "_keys")

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(names)
        self._keys = frozenset(type_key(n) for n in self.names)

    def __contains__(self, type_: object) -> bool:
        if type_ in self.names:  # the usual case, one set lookup
            return True
        return isinstance(type_, str) and type_.startswith(NATIVE_PREFIX) and type_.lower() in self._keys

    def __or__(self, other: TypeSet) -> TypeSet:
        return TypeSet(self.names | other.names)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.names))

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"TypeSet({sorted(self.names)!r})"


def types(*names: str) -> TypeSet:
    return TypeSet(names)


def matches_type(type_: str, patterns: Iterable[str]) -> bool:
    """A type token equal to a pattern, or starting with a pattern that ends in `*` (aws-native: any case)."""
    key = type_key(type_)
    for pattern in patterns:
        pattern = type_key(pattern)
        if pattern.endswith("*"):
            if key.startswith(pattern[:-1]):
                return True
        elif key == pattern:
            return True
    return False


def config_value(config: Any, key: str, default: Any) -> Any:
    """A policy config value; the engine fills schema defaults, but a direct caller might not."""
    if not config:
        return default
    value = config.get(key, default) if hasattr(config, "get") else default
    return default if value is None else value


def money(amount: float) -> str:
    """$32.85, $1,234.00; sub-dollar unit prices keep their digits ($0.045, $0.005)."""
    if amount < 1 and round(amount, 2) != amount:
        return f"${amount:.4g}"
    return f"${amount:,.2f}"


def resource_policy(
    name: str,
    description: str,
    level: Any,
    resource_types: TypeSet,
    check: Any,
    config_schema: Any = None,
) -> Any:
    """A ResourceValidationPolicy that runs `check(props, config, type)` on plain props of the given types.

    `check` returns the violation messages (an empty list when the resource passes). The policy declares
    its types as `resource_types`, with which policies/sdk.py skips it for every other type; validate
    checks the type too, for a server without that addition, so the two cannot disagree.
    """
    from pulumi_policy import ResourceValidationPolicy

    def validate(args: Any, report_violation: Any) -> None:
        if args.resource_type not in resource_types:
            return
        for message in check(plain(args.props), args.get_config(), args.resource_type):
            report_violation(message)

    policy = ResourceValidationPolicy(
        name=name,
        description=description,
        enforcement_level=level,
        config_schema=config_schema,
        validate=validate,
    )
    policy.resource_types = resource_types  # lets policies/sdk.py skip it for other types
    return policy
