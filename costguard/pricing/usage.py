"""The usage profile: how much a stack is used, for the usage-based prices.

Defaults live in `usage.default.yaml` (documented there); a user file overrides them for every
stack, one stack, or one resource. `Usage.view(stack, resource_name)` answers lookups and records
each value it handed out, so a report can print exactly the assumptions an estimate used.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from costguard.pricing.model import Assumption, PricingError

DEFAULTS_FILE = Path(__file__).with_name("usage.default.yaml")


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
        self.data: dict[str, Any] = dict(overrides or {})  # as given: the plan hands it to the policy pack
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
        except OSError as err:
            raise UsageError(f"usage file {path} cannot be read: {err.strerror}") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            where = f" (line {mark.line + 1}, col {mark.column + 1})" if mark else ""
            raise UsageError(
                f"usage file {path} is not valid YAML{where}: {getattr(err, 'problem', err)}"
            ) from None
        if data is not None and not isinstance(data, dict):
            raise UsageError(f"usage file {path} must be a mapping of usage keys, got {type(data).__name__}")
        return cls(data or {}, source=f"{path.name}")

    # --- parsing -------------------------------------------------------------------------------
    def _parse(self, data: dict[str, Any]) -> None:
        for key, value in data.items():
            if key == "version":
                continue
            if key == "stacks":
                for stack, body in _mapping(value, "stacks").items():
                    body = dict(_mapping(body, f"stacks.{stack}"))
                    resources = body.pop("resources", {})
                    self._stacks[str(stack)] = _values(body, f"stacks.{stack}")
                    for name, values in _mapping(resources, f"stacks.{stack}.resources").items():
                        where = f"stacks.{stack}.resources.{name}"
                        self._stack_resources[(str(stack), str(name))] = _values(
                            _mapping(values, where), where
                        )
            elif key == "resources":
                for name, values in _mapping(value, "resources").items():
                    self._resources[str(name)] = _values(
                        _mapping(values, f"resources.{name}"), f"resources.{name}"
                    )
            else:
                self._top.update(_values({key: value}, ""))

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


def _mapping(value: Any, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise UsageError(f"usage file: {where} must be a mapping, got {type(value).__name__}")
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
        derivable = known[key].default == -1  # -1 = "derive it from the graph"
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (value < 0 and not (derivable and value == -1))
        ):
            allowed = "a number >= 0 (or -1 to derive it)" if derivable else "a number >= 0"
            raise UsageError(f"usage file: {place} must be {allowed}, got {value!r}")
        out[key] = float(value)
    return out
