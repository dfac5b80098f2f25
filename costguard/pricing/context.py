"""What an estimator sees: one side (before/after) of the graph, the price book, the usage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from costguard.graph import Graph, Resource, is_unknown
from costguard.pricing.pricebook import PriceBook
from costguard.pricing.tokens import TypeMap
from costguard.pricing.usage import Usage, UsageView

# Ops whose resource exists before / after the step.
EXISTS_BEFORE = {"update", "replace", "delete", "same"}
EXISTS_AFTER = {"create", "update", "replace", "same"}


def props_for(resource: Resource, side: str) -> dict[str, Any]:
    """A resource's properties on one side of its step: the old inputs before it, the inputs after it.

    Known outputs (from the old state, in a preview) fill the gaps: computed values such as `arn`,
    and inputs unknown during the preview. An input the step removes is not brought back from them.
    """
    old = resource.old_inputs
    if old is None:
        return resource.props
    base = old if side == "before" else resource.inputs
    merged = dict(base)
    for key, value in resource.outputs.items():
        if key in old and key not in base:
            continue  # an input this step removes
        if key not in merged or is_unknown(merged[key]):
            merged[key] = value
    return merged


class SideIndex:
    """The resources that exist on one side of a preview, with their properties, indexed for lookups."""

    def __init__(self, graph: Graph, side: str):
        exists = EXISTS_BEFORE if side == "before" else EXISTS_AFTER
        self.side = side
        self.items: list[tuple[Resource, dict[str, Any]]] = [
            (r, props_for(r, side)) for r in graph.resources if r.op in exists
        ]
        # aws-native types in any letter case (costguard.pricing.tokens)
        self._by_type: dict[str, list[tuple[Resource, dict[str, Any]]]] = TypeMap()
        self._by_urn: dict[str, tuple[Resource, dict[str, Any]]] = {}
        for item in self.items:
            self._by_type.setdefault(item[0].type, []).append(item)
            self._by_urn[item[0].urn] = item

    def of_type(self, *types: str) -> list[tuple[Resource, dict[str, Any]]]:
        out: list[tuple[Resource, dict[str, Any]]] = []
        for t in types:
            out.extend(self._by_type.get(t, ()))
        return out

    def get(self, urn: str) -> tuple[Resource, dict[str, Any]] | None:
        return self._by_urn.get(urn)

    def props_of(self, resource: Resource) -> dict[str, Any]:
        item = self._by_urn.get(resource.urn)
        return item[1] if item else props_for(resource, self.side)


@dataclass
class Context:
    book: PriceBook
    usage: UsageView
    index: SideIndex
    notes: list[str] = field(default_factory=list)
    # Memo shared by all estimators of one side (e.g. the running tasks of each ECS service).
    cache: dict[Any, Any] = field(default_factory=dict)
    usage_profile: Usage | None = None
    stack: str = ""

    def usage_for(self, resource_name: str) -> UsageView:
        """The usage of another resource (e.g. an ECS service looked up from its Cloud Map service)."""
        if self.usage_profile is None:
            return self.usage
        return self.usage_profile.view(self.stack, resource_name)

    @property
    def side(self) -> str:
        return self.index.side

    def memo(self, key: Any, build):
        """A value computed once per side (e.g. an index of the graph by some property)."""
        if key not in self.cache:
            self.cache[key] = build()
        return self.cache[key]

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)
