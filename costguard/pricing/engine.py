"""Price a resource graph: each resource before and after its preview step, then the totals."""

from __future__ import annotations

from costguard.graph import Graph, Resource
from costguard.pricing.context import EXISTS_AFTER, EXISTS_BEFORE, Context, SideIndex
from costguard.pricing.estimators import load_all
from costguard.pricing.free import is_free_type
from costguard.pricing.model import CostEstimate, PricingError, ResourceCost
from costguard.pricing.pricebook import HOURS_PER_MONTH, PriceBook
from costguard.pricing.usage import Usage


def estimate(graph: Graph, *, region: str | None = None, usage: Usage | None = None) -> CostEstimate:
    """The monthly cost of `graph`: per resource (before/after its step) and in total.

    region: defaults to the graph's `aws:region` config; usage: defaults to the documented profile.
    """
    region = region or graph.region
    if not region:
        raise PricingError(
            "no AWS region: set aws:region in the stack config or pass --region (e.g. us-east-1)"
        )
    book = PriceBook.for_region(region)
    usage = usage if usage is not None else Usage()
    usage.reset()
    estimators = load_all()
    sides = {
        "before": (SideIndex(graph, "before"), {}),
        "after": (SideIndex(graph, "after"), {}),
    }
    result = CostEstimate(
        project=graph.project, stack=graph.stack, region=region, hours_per_month=HOURS_PER_MONTH
    )
    for resource in graph.resources:
        result.resources.append(_price(resource, book, usage, graph.stack, sides, estimators))
    result.assumptions = usage.assumptions()
    result.notes = [
        "Free tiers and credits are ignored; spot prices float (snapshot in the price book).",
    ]
    if result.unverified_prices:
        result.notes.append(
            f"Prices not verified for {region} (the other region's value is used): "
            + ", ".join(result.unverified_prices)
        )
    return result


def _price(resource: Resource, book, usage, stack, sides, estimators) -> ResourceCost:
    cost = ResourceCost(
        urn=resource.urn,
        type=resource.type,
        name=resource.name,
        op=resource.op,
        status="free",
        synthesized=resource.synthesized,
    )
    if resource.op == "read":
        cost.notes.append("read with .get(): not managed by this stack")
        return cost
    if not resource.custom or is_free_type(resource.type):
        return cost  # components (custom: false) cost nothing themselves: their children are priced
    estimator = estimators.get(resource.type)
    if estimator is None:
        cost.status = "not priced"
        return cost
    statuses: dict[str, list | None] = {}
    notes: dict[str, list[str]] = {}
    for side in ("before", "after"):
        exists = EXISTS_BEFORE if side == "before" else EXISTS_AFTER
        if resource.op not in exists:
            continue
        index, cache = sides[side]
        ctx = Context(
            book=book,
            usage=usage.view(stack, resource.name),
            index=index,
            cache=cache,
            usage_profile=usage,
            stack=stack,
        )
        components = estimator(resource, index.props_of(resource), ctx)
        statuses[side] = components
        notes[side] = ctx.notes
        if components:
            setattr(cost, side, components)
    after_notes = notes.get("after", [])
    cost.notes += after_notes
    if "after" in notes:
        cost.notes += [f"before: {n}" for n in notes.get("before", []) if n not in after_notes]
    else:
        cost.notes += notes.get("before", [])
    # The status follows the resource's final state (its old state for a delete).
    final = statuses.get("after", statuses.get("before"))
    cost.status = "not priced" if final is None else ("priced" if final else "free")
    return cost
