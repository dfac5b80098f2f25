"""Price a resource graph: each resource before and after its preview step, then the totals."""

from __future__ import annotations

import math

from costguard.graph import Graph, Resource
from costguard.pricing.context import EXISTS_AFTER, EXISTS_BEFORE, Context, SideIndex
from costguard.pricing.estimators import load_all
from costguard.pricing.free import is_free_type
from costguard.pricing.model import CostEstimate, PricingError, ResourceCost
from costguard.pricing.pricebook import HOURS_PER_MONTH, PriceBook
from costguard.pricing.usage import Usage
from costguard.region import missing_region_message, resolve


def estimate(graph: Graph, *, region: str | None = None, usage: Usage | None = None) -> CostEstimate:
    """The monthly cost of `graph`: per resource (before/after its step) and in total.

    region: defaults to the graph's region (`costguard.region.resolve`: config, AWS providers,
    AWS_REGION/AWS_DEFAULT_REGION, and for a preview the resources' ARNs); usage: defaults to the
    documented profile.
    """
    choice = resolve(graph, region)
    if not choice.region:
        raise PricingError(missing_region_message(graph.origin))
    region = choice.region
    book = PriceBook.for_region(region, choice.source)
    usage = usage if usage is not None else Usage()
    usage.reset()
    estimators = load_all()
    sides = {
        "before": (SideIndex(graph, "before"), {}),
        "after": (SideIndex(graph, "after"), {}),
    }
    result = CostEstimate(
        project=graph.project,
        stack=graph.stack,
        region=region,
        hours_per_month=HOURS_PER_MONTH,
        region_source=choice.source,
        omitted_unchanged=graph.omitted_unchanged,
    )
    for resource in graph.resources:
        result.resources.append(_price(resource, book, usage, graph.stack, sides, estimators))
    for total in (result.total_monthly, result.past_total_monthly):
        if not math.isfinite(total):
            raise PricingError(
                "the monthly total is too large to be a number: check the usage file and the inputs"
            )
    result.assumptions = usage.assumptions()
    result.notes = [
        "Free tiers and credits are ignored; spot prices float (snapshot in the price book).",
    ]
    if choice.note:
        result.notes.append(f"Region: {choice.note}")
    if result.unverified_prices:
        result.notes.append(
            f"Prices not verified for {region}: "
            + ", ".join(f"{key} ({book[key].basis})" for key in result.unverified_prices)
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
        try:
            components = estimator(resource, index.props_of(resource), ctx)
        except (TypeError, AttributeError, ValueError, KeyError, IndexError) as err:
            # A last line of defence: estimators read wrong-shaped properties as absent, so this
            # names the resource rather than show a traceback if one still slips through.
            raise PricingError(
                f"{resource.name} ({resource.type}): a property has a shape costguard cannot price "
                f"({type(err).__name__}: {err}); check its inputs"
            ) from None
        for c in components or ():
            # Estimators read counts that are no counts as absent; this is the last line of defence:
            # a cost is never negative, nor a number too large to be one.
            if (
                not (math.isfinite(c.quantity) and math.isfinite(c.monthly))
                or c.quantity < 0
                or c.monthly < 0
            ):
                raise PricingError(
                    f"{resource.name} ({resource.type}): {c.name} comes to {c.quantity:g} {c.unit}, "
                    "not a usable number; check its inputs and the usage file"
                )
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
