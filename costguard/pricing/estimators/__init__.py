"""Estimators: one function per resource type, returning its named cost components.

An estimator is `fn(resource, props, ctx) -> list[CostComponent] | None`: a list (possibly empty,
meaning "free in this configuration") or None when this configuration is not priced (e.g. a
Windows Fargate task). `ESTIMATORS` maps every spelling of a type to its estimator; aws-native
tokens match in any letter case (`aws-native:ec2:VPCEndpoint` is `aws-native:ec2:VpcEndpoint`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from costguard.graph import Resource
from costguard.pricing.context import Context
from costguard.pricing.model import CostComponent
from costguard.pricing.tokens import TypeMap

Estimator = Callable[[Resource, dict[str, Any], Context], "list[CostComponent] | None"]
ESTIMATORS: dict[str, Estimator] = TypeMap()


def prices(*types: str) -> Callable[[Estimator], Estimator]:
    def register(fn: Estimator) -> Estimator:
        for type_ in types:
            ESTIMATORS[type_] = fn
        return fn

    return register


def load_all() -> dict[str, Estimator]:
    # Importing the service modules registers their estimators.
    from costguard.pricing.estimators import (  # noqa: F401
        apigateway,
        cloudwatch,
        data,
        dns,
        fargate,
        messaging,
        network,
        security,
    )

    return ESTIMATORS
