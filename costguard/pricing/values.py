"""Reading property values that may be strings, unknown (during a preview) or missing."""

from __future__ import annotations

from typing import Any

from costguard.graph import is_unknown


def known(value: Any) -> bool:
    return value is not None and not is_unknown(value)


def number(value: Any, default: float | None = None) -> float | None:
    """A number from an int, float or numeric string; `default` when missing, unknown or not numeric."""
    if isinstance(value, bool) or not known(value):
        return default
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return default
    return default


def flag(value: Any) -> bool:
    """True for true, "true", "ENABLED" (aws-native spells booleans as ENABLED/DISABLED)."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in {"true", "enabled", "yes", "1"}


def first(props: dict[str, Any], *keys: str) -> Any:
    """The first known value among several spellings of a property."""
    for key in keys:
        value = props.get(key)
        if known(value):
            return value
    return None


def as_list(value: Any) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value]
    return []
