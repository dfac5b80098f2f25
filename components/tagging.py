"""Stack tags: one tag on every AWS resource of the stack, for the budget's cost filter.

`tag_resources({"pulumi-stack": "safety-heatmap-dev"})` registers a stack transformation (applied in
the program, so it works under Pulumi's mocks as in a deployment) that merges these tags into the
`tags` input of every `aws:` custom resource whose constructor takes `tags`, including the children
of every component. Tags a resource already sets (e.g. `Name`) are kept. A tag only counts in AWS
Budgets and Cost Explorer once it is activated as a cost allocation tag (Billing console, "Cost
allocation tags"; it is listed there within 24 hours of the first tagged resource).

**Cost**: none; tags are free.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from functools import cache

import pulumi

STACK_TAG_KEY = "pulumi-stack"


@cache
def _takes_tags(cls: type) -> bool:
    init = getattr(cls, "_internal_init", None)
    return init is not None and "tags" in inspect.signature(init).parameters


def _merge(tags: Mapping[str, str], existing: object) -> object:
    if existing is None:
        return dict(tags)
    if isinstance(existing, Mapping):
        return {**tags, **existing}
    return pulumi.Output.from_input(existing).apply(lambda value: {**tags, **(value or {})})


def tagging_transformation(tags: Mapping[str, str]) -> pulumi.ResourceTransformation:
    def transform(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        if not args.type_.startswith("aws:") or not isinstance(args.resource, pulumi.CustomResource):
            return None
        if not _takes_tags(type(args.resource)):
            return None
        props = dict(args.props)
        props["tags"] = _merge(tags, props.get("tags"))
        return pulumi.ResourceTransformationResult(props, args.opts)

    return transform


def tag_resources(tags: Mapping[str, str]) -> None:
    """Tag every AWS resource created after this call (call it before building the components)."""
    pulumi.runtime.register_stack_transformation(tagging_transformation(dict(tags)))
