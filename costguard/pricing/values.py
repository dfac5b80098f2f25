"""Reading property values that may be strings, unknown (during a preview) or missing."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from costguard.graph import is_unknown

# A number as JSON and YAML write one (ASCII digits, an optional fraction and exponent). Python's
# float() also takes "1_000" and other scripts' digits ("١٠"), which no user means as a number.
DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def known(value: Any) -> bool:
    return value is not None and not is_unknown(value)


def number(value: Any, default: float | None = None) -> float | None:
    """A finite number from an int, float or numeric string; `default` when missing, unknown, not
    numeric, or not finite (NaN, infinity, an integer too large for a float)."""
    if isinstance(value, bool) or not known(value):
        return default
    if not isinstance(value, int | float | str):
        return default
    try:
        result = float(value.strip()) if isinstance(value, str) else float(value)
    except (ValueError, OverflowError):
        return default
    return result if math.isfinite(result) else default


def count(
    value: Any, high: int, what: str, note: Callable[[str], None], fallback: str = "read as absent"
) -> int | None:
    """A count (tasks, capacity units, GiB, days): a whole number from 0 to `high`, from an int, an
    integral float or a numeric string ("2"). None when the value is missing or unknown; None too,
    with a note, when it is known but no such count (-5, 1.5, 1e30, "many", true), so the estimator
    falls back as it does for an unknown value and the report says why (`fallback`: how)."""
    if value is None or is_unknown(value):
        return None
    result = None if isinstance(value, bool) else number(value)
    if result is not None and result.is_integer() and 0 <= result <= high:
        return int(result)
    shown = repr(value) if isinstance(value, str) else json_text(value)
    note(f"{what} {shown} is not a whole number from 0 to {high:,}: {fallback}")
    return None


def json_text(value: Any, limit: int = 40) -> str:
    """A property value as the preview wrote it (true, 1e+30, [1]), cut at `limit` characters."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def mapping(value: Any) -> dict[str, Any]:
    """`value` when it is an object, else {}: a property of the wrong shape reads as absent."""
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str | None:
    """`value` when it is a known string (usable as a lookup key), else None."""
    return value if isinstance(value, str) and known(value) else None


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
