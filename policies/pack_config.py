"""The pack's own config: mistakes the engine lets through are reported once per run.

The engine validates each policy's config against that policy's schema, but only its `properties` and
`required` (pulumi/pulumi pkg/resource/analyzer/config.go, `convertSchema`), so a misspelt key is
accepted and silently ignored ('allowedcount' leaves 'allowedCount' at its default); it does not check
policy names against the pack either (`applyConfig` passes every entry on). This stack policy reads the
whole config as the engine sent it to Configure (recorded by `policies/sdk.py`) and reports:
- a key that is not in the policy's schema (with the known keys, and the likely one),
- a policy name that is not in the pack,
- cost-fargate-task-size maximums that no Fargate size can reach together.
Stack policies run once per preview (one AnalyzeStack call), so each problem is reported once.
"""

from __future__ import annotations

import difflib
from typing import Any

from pulumi_policy import EnforcementLevel, StackValidationPolicy

from policies import sdk

NAME = "pack-config-valid"
_ALL = "all"  # the engine's entry that sets every policy's level


def _known_keys(policy: Any) -> list[str]:
    schema = policy.config_schema
    return sorted(schema.properties) if schema is not None and schema.properties else []


def _hint(word: str, choices: list[str]) -> str:
    exact = [c for c in choices if c.lower() == word.lower()]
    close = exact or difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def config_problems(config: dict[str, dict[str, Any]], policies: list[Any]) -> list[str]:
    """One line per mistake in `config` (policy name -> properties, as Configure received it)."""
    by_name = {p.name: p for p in policies}
    problems = []
    for name in sorted(config):
        if name == _ALL:
            continue
        if name not in by_name:
            problems.append(
                f"The policy config names '{name}', which is not a policy of this pack"
                f"{_hint(name, sorted(by_name))}; the entry has no effect. Fix or remove it (the README's "
                "Policy pack table lists the policies)."
            )
            continue
        known = _known_keys(by_name[name])
        for key in sorted(set(config[name] or {}) - set(known)):
            takes = f"it takes {', '.join(repr(k) for k in known)}" if known else "it takes no settings"
            problems.append(
                f"{name}: unknown config key '{key}'{_hint(key, known)}: the engine accepts it and the "
                f"policy ignores it. Besides 'enforcementLevel', {takes}."
            )
    fargate = config.get("cost-fargate-task-size") or {}
    if "maxCpu" in fargate and "maxMemory" in fargate:
        from policies.cost_compute import fargate_config_problem

        try:
            problem = fargate_config_problem(float(fargate["maxCpu"]), float(fargate["maxMemory"]))
        except (TypeError, ValueError):
            problem = None  # a wrong type is the schema's to reject
        if problem:
            problems.append(f"cost-fargate-task-size: {problem}.")
    return problems


def _validate(args: Any, report_violation: Any) -> None:
    from policies.pack import POLICIES

    for problem in config_problems(sdk.configured(), POLICIES):
        report_violation(problem)


pack_config_valid = StackValidationPolicy(
    name=NAME,
    description="The policy config names only this pack's policies and their keys, with consistent values.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate,
)
