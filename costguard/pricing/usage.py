"""The usage profile: how much a stack is used, for the usage-based prices.

Defaults live in `usage.default.yaml` (documented there); a user file overrides them for every
stack, one stack, or one resource. `Usage.view(stack, resource_name)` answers lookups and records
each value it handed out, so a report can print exactly the assumptions an estimate used.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from costguard.pricing.model import Assumption, PricingError

DEFAULTS_FILE = Path(__file__).with_name("usage.default.yaml")
# What a report prints for a derivable key left at -1, and what a usage file may write for it.
DERIVED = "derived"


class UsageError(PricingError):
    """A usage file that cannot be used; the message is one line."""


@dataclass(frozen=True)
class UsageKey:
    name: str
    default: float
    unit: str
    doc: str


@lru_cache(maxsize=1)
def usage_keys() -> dict[str, UsageKey]:
    with open(DEFAULTS_FILE, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return {
        name: UsageKey(name, float(spec["default"]), spec["unit"], " ".join(spec["doc"].split()))
        for name, spec in data.items()
    }


class Usage:
    """Usage values: defaults < top level < stacks.S < resources.R < stacks.S.resources.R."""

    def __init__(self, overrides: dict[str, Any] | None = None, source: str = "usage file"):
        self.source = source
        # The overrides as validated numbers (numeric strings and `derived` converted), in the shape
        # of a usage file: the plan hands this to the policy pack, whose schema wants numbers.
        self.data: dict[str, Any] = {}
        self._top: dict[str, float] = {}
        self._stacks: dict[str, dict[str, float]] = {}
        self._resources: dict[str, dict[str, float]] = {}
        self._stack_resources: dict[tuple[str, str], dict[str, float]] = {}
        self.used: dict[tuple[str, str], Assumption] = {}
        self._parse(overrides or {})

    @classmethod
    def load(cls, path: str | Path | None) -> Usage:
        if path is None:
            return cls()
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UsageError(f"usage file {path} not found — pass an existing YAML file to --usage") from None
        except UnicodeDecodeError:
            raise UsageError(
                f"usage file {path} is not UTF-8 text (a binary file?) — pass a YAML usage file"
            ) from None
        except OSError as err:
            raise UsageError(f"usage file {path} cannot be read: {err.strerror}") from None
        try:
            data = yaml.safe_load(text)
        except RecursionError:
            raise UsageError(f"usage file {path} is nested too deeply to be a usage file") from None
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            where = f" (line {mark.line + 1}, col {mark.column + 1})" if mark else ""
            raise UsageError(
                f"usage file {path} is not valid YAML{where}: {getattr(err, 'problem', err)}"
            ) from None
        if data is not None and not isinstance(data, dict):
            raise UsageError(f"usage file {path} must be a mapping of usage keys, got {_kind(data)}")
        return cls(data or {}, source=f"{path.name}")

    # --- parsing -------------------------------------------------------------------------------
    def _parse(self, data: dict[str, Any]) -> None:
        for key, value in data.items():
            if key == "version":
                if isinstance(value, bool) or not isinstance(value, int | str):
                    raise UsageError(
                        "usage file: version must be an integer or a string, "
                        f"got {_kind(value)} {_shown(value)}"
                    )
                self.data["version"] = value
            elif key == "stacks":
                stacks = self.data.setdefault("stacks", {})
                for stack, body in _mapping(value, "stacks").items():
                    stack = str(stack)
                    body = dict(_mapping(body, f"stacks.{stack}"))
                    resources = body.pop("resources", {})
                    self._stacks[stack] = _values(body, f"stacks.{stack}")
                    entry = stacks.setdefault(stack, {})
                    entry.update(_as_given(self._stacks[stack], body))
                    for name, values in _mapping(resources, f"stacks.{stack}.resources").items():
                        where = f"stacks.{stack}.resources.{name}"
                        parsed = _values(_mapping(values, where), where)
                        self._stack_resources[(stack, str(name))] = parsed
                        entry.setdefault("resources", {})[str(name)] = _as_given(parsed, values)
            elif key == "resources":
                resources = self.data.setdefault("resources", {})
                for name, values in _mapping(value, "resources").items():
                    parsed = _values(_mapping(values, f"resources.{name}"), f"resources.{name}")
                    self._resources[str(name)] = parsed
                    resources[str(name)] = _as_given(parsed, values)
            else:
                parsed = _values({key: value}, "")
                self._top.update(parsed)
                self.data.update(_as_given(parsed, {key: value}))

    # --- lookups -------------------------------------------------------------------------------
    def lookup(self, key: str, stack: str, resource: str) -> tuple[float, str, str]:
        """(value, source, scope): scope is the resource name for a per-resource value, else ''."""
        spec = usage_keys()[key]
        layers = (
            (
                self._stack_resources.get((stack, resource), {}),
                f"{self.source}: stacks.{stack}.resources",
                resource,
            ),
            (self._resources.get(resource, {}), f"{self.source}: resources", resource),
            (self._stacks.get(stack, {}), f"{self.source}: stacks.{stack}", ""),
            (self._top, self.source, ""),
        )
        for values, source, scope in layers:
            if key in values:
                return values[key], source, scope
        return spec.default, "default", ""

    def view(self, stack: str, resource: str) -> UsageView:
        return UsageView(self, stack, resource)

    def assumptions(self) -> list[Assumption]:
        return sorted(self.used.values(), key=lambda a: (a.scope != "", a.key, a.scope))

    def reset(self) -> None:
        self.used.clear()


class UsageView:
    """The usage values for one resource of one stack; every lookup is recorded."""

    def __init__(self, usage: Usage, stack: str, resource: str):
        self._usage, self._stack, self._resource = usage, stack, resource

    def __getitem__(self, key: str) -> float:
        value, source, scope = self._usage.lookup(key, self._stack, self._resource)
        spec = usage_keys()[key]
        self._usage.used.setdefault((key, scope), Assumption(key, value, spec.unit, source, scope, spec.doc))
        return value


def _kind(value: Any) -> str:
    """What YAML read, with its article, for error messages ("a number", "a mapping", "an ...")."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, datetime.date):  # YAML reads 2024-01-01 as a date (datetime is a date too)
        return "a timestamp" if isinstance(value, datetime.datetime) else "a date"
    named = {dict: "a mapping", list: "a list", str: "a string", bytes: "binary data", set: "a set"}
    if type(value) in named:
        return named[type(value)]
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _shown(value: Any) -> str:
    """A value as the file wrote it: 2020-01-01, not datetime.date(2020, 1, 1)."""
    return value.isoformat() if isinstance(value, datetime.date) else repr(value)


def _mapping(value: Any, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise UsageError(f"usage file: {where} must be a mapping, got {_kind(value)}")
    return value


def _values(body: dict[str, Any], where: str) -> dict[str, float]:
    known = usage_keys()
    out = {}
    for key, value in body.items():
        place = f"{where}.{key}" if where else str(key)
        if key not in known:
            raise UsageError(
                f"usage file: unknown key {place!r}; known keys: {', '.join(sorted(known))}"
                " (and stacks, resources)"
            )
        out[key] = _number(value, place, derivable=known[key].default == -1)
    return out


def _as_given(parsed: dict[str, float], body: dict[str, Any]) -> dict[str, Any]:
    """The parsed values, keeping the numbers the file wrote as they were (100000, not 100000.0)."""
    out: dict[str, Any] = {}
    for key, value in parsed.items():
        original = body.get(key)
        plain = isinstance(original, int | float) and not isinstance(original, bool)
        out[key] = original if plain else value
    return out


def _number(value: Any, place: str, *, derivable: bool) -> float:
    """A usage value: a finite number >= 0 (YAML reads `1e30` without a dot as a string, so numeric
    strings count too), or for a derivable key -1 / `derived` (derive it from the graph)."""
    allowed = "a number >= 0" + (f" (or {DERIVED}, or -1, to derive it)" if derivable else "")
    example = "; write e.g. 2000000 or 2e6"
    if derivable and isinstance(value, str) and value.strip().lower() == DERIVED:
        return -1.0
    if isinstance(value, str):
        try:
            number = float(value.strip().replace("_", ""))
        except ValueError:
            raise UsageError(f"usage file: {place} must be {allowed}, got {value!r}{example}") from None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
    else:
        raise UsageError(
            f"usage file: {place} must be {allowed}, got {_kind(value)} {_shown(value)}{example}"
        )
    if not math.isfinite(number):
        raise UsageError(f"usage file: {place} must be a finite number, got {value!r}")
    if number < 0 and not (derivable and number == -1):
        raise UsageError(f"usage file: {place} must be {allowed}, got {value!r}{example}")
    return number
