"""Mistakes in the pack's config that the engine lets through, reported by the policy they concern.

The engine validates each policy's config against that policy's schema, but only its `properties` and
`required` (pulumi/pulumi pkg/resource/analyzer/config.go, `convertSchema`), so a misspelt key is
accepted and silently ignored ('allowedcount' leaves 'allowedCount' at its default); and it does not
match policy names against the pack (`applyConfig` passes every entry on). From the whole config as the
engine sent it to Configure (recorded by `policies/sdk.py`), `findings()` lists:
- a key that is not in the policy's schema (with the known keys, and the likely one),
- a policy name that is not in the pack (reported by the policy with the closest name),
- cost-fargate-task-size maximums that no Fargate size can reach together.
`policies/sdk.py` adds each finding to the AnalyzeStack response as a violation of that policy, at that
policy's enforcement level (none when it is disabled). The engine calls AnalyzeStack once per preview,
so each mistake is reported once, with no resource attached.
"""

from __future__ import annotations

import difflib
from typing import Any

_ALL = "all"  # the engine's entry that sets every policy's level


def _known_keys(policy: Any) -> list[str]:
    schema = policy.config_schema
    return sorted(schema.properties) if schema is not None and schema.properties else []


def _closest(word: str, choices: list[str], cutoff: float = 0.6) -> str | None:
    exact = [c for c in choices if c.lower() == word.lower()]
    close = exact or difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    return close[0] if close else None


def findings(config: dict[str, dict[str, Any]], policies: list[Any]) -> list[tuple[Any, str]]:
    """(policy, message) for each mistake in `config` (policy name -> properties, as Configure got it)."""
    by_name = {p.name: p for p in policies}
    names = sorted(by_name)
    found: list[tuple[Any, str]] = []
    for name in sorted(config):
        if name == _ALL:
            continue
        if name not in by_name:
            likely = _closest(name, names)
            home = likely or _closest(name, names, cutoff=0.0) or names[0]
            hint = f"did you mean '{likely}'?" if likely else f"reported by '{home}', the closest name"
            found.append(
                (
                    by_name[home],
                    f"The policy config names '{name}', which is not a policy of this pack ({hint}); the "
                    "entry has no effect. Fix or remove it (the README's Policy pack table lists the "
                    "policies).",
                )
            )
            continue
        known = _known_keys(by_name[name])
        for key in sorted(set(config[name] or {}) - set(known)):
            likely = _closest(key, known)
            hint = f" (did you mean '{likely}'?)" if likely else ""
            takes = f"it takes {', '.join(repr(k) for k in known)}" if known else "it takes no settings"
            found.append(
                (
                    by_name[name],
                    f"Unknown key '{key}' in this policy's config{hint}: the engine accepts it and the "
                    f"policy ignores it. Besides 'enforcementLevel', {takes}.",
                )
            )
    fargate = config.get("cost-fargate-task-size") or {}
    if "cost-fargate-task-size" in by_name and "maxCpu" in fargate and "maxMemory" in fargate:
        from policies.cost_compute import fargate_config_problem

        try:
            problem = fargate_config_problem(float(fargate["maxCpu"]), float(fargate["maxMemory"]))
        except (TypeError, ValueError):
            problem = None  # a wrong type is the schema's to reject
        if problem:
            found.append(
                (by_name["cost-fargate-task-size"], f"This policy's config is inconsistent: {problem}.")
            )
    return found
