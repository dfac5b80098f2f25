"""A small, independent evaluator of identity-based IAM policies, written from the IAM user guide.

Enough of the policy language for the CI roles' documents: Allow/Deny, Action and Resource with `*` and `?`
wildcards (actions case-insensitive, resources case-sensitive), and the condition operators those
documents use. Evaluation as in "Policy evaluation logic": an explicit Deny in any policy wins, otherwise
some Allow is needed; with a permissions boundary, the boundary must allow the request too.

Condition semantics (IAM user guide, "IAM JSON policy elements: Condition operators" and "Single-valued vs.
multivalued context keys"): a key missing from the request makes a positive operator false and a negated
one (`...Not...`) true; `ForAllValues:` is true for a missing key and otherwise needs every request value
to match one of the policy's values; `ForAnyValue:` needs at least one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

ALLOW, DENY, IMPLICIT_DENY = "Allow", "Deny", "ImplicitDeny"


def _wildcard(pattern: str, value: str, *, case_sensitive: bool) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case_sensitive else re.IGNORECASE) is not None


def _as_list(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _single(operator: str, expected: str, actual: str) -> bool:
    if operator in ("StringEquals", "ArnEquals"):
        return expected == actual
    if operator == "StringEqualsIgnoreCase":
        return expected.lower() == actual.lower()
    if operator in ("StringLike", "ArnLike"):
        return _wildcard(expected, actual, case_sensitive=True)
    raise AssertionError(f"condition operator {operator!r} is not modelled here: extend iam_eval")


_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def _condition_holds(operator: str, key: str, expected: Sequence[str], context: Mapping) -> bool:
    qualifier, _, base = operator.rpartition(":")
    present = key in context
    values = _as_list(context[key]) if present else []
    if base.endswith("IfExists"):
        if not present:
            return True
        base = base.removesuffix("IfExists")
    negated = base in _NEGATED
    positive = _NEGATED.get(base, base)

    def matches(value: str) -> bool:
        return any(_single(positive, e, value) for e in expected)

    if qualifier == "ForAllValues":
        ok = all(matches(v) for v in values)  # vacuously true when the key is missing
        return not ok if negated else ok
    if qualifier == "ForAnyValue":
        ok = any(matches(v) for v in values)
        return not ok if negated else ok
    if qualifier:
        raise AssertionError(f"set qualifier {qualifier!r} is not modelled here")
    if not present:
        return negated
    ok = any(matches(v) for v in values)
    return not ok if negated else ok


def _statement_applies(statement: Mapping, action: str, resource: str, context: Mapping) -> bool:
    assert "NotAction" not in statement and "NotResource" not in statement, statement.get("Sid")
    if not any(_wildcard(a, action, case_sensitive=False) for a in _as_list(statement["Action"])):
        return False
    if not any(_wildcard(r, resource, case_sensitive=True) for r in _as_list(statement["Resource"])):
        return False
    for operator, conditions in statement.get("Condition", {}).items():
        for key, expected in conditions.items():
            if not _condition_holds(operator, key, _as_list(expected), context):
                return False
    return True


def decide(
    policies: Iterable[Mapping], action: str, resource: str, context: Mapping | None = None
) -> tuple[str, list[str]]:
    """The decision for one request, and the Sids of the statements that decided it."""
    context = dict(context or {})
    allows: list[str] = []
    denies: list[str] = []
    for policy in policies:
        for statement in policy["Statement"]:
            if _statement_applies(statement, action, resource, context):
                (denies if statement["Effect"] == "Deny" else allows).append(statement.get("Sid", "?"))
    if denies:
        return DENY, denies
    if allows:
        return ALLOW, allows
    return IMPLICIT_DENY, []


@dataclass(frozen=True)
class Request:
    """One API call a principal makes: the IAM action, the resource ARN it is authorised on, its context."""

    action: str
    resource: str
    context: Mapping = field(default_factory=dict)
    why: str = ""


def allowed(
    policies: Iterable[Mapping],
    request: Request,
    *,
    boundary: Mapping | None = None,
) -> bool:
    policies = list(policies)
    decision, _ = decide(policies, request.action, request.resource, request.context)
    if decision != ALLOW:
        return False
    if boundary is not None:
        decision, _ = decide([boundary], request.action, request.resource, request.context)
        return decision == ALLOW
    return True
