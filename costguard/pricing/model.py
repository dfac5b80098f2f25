"""The shapes a cost estimate is made of: components, per-resource costs, the whole estimate."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Kind = Literal["fixed", "usage"]
Status = Literal["priced", "free", "not priced"]


class PricingError(Exception):
    """A user-facing pricing problem (unknown region, bad usage file); its message is one line."""


@dataclass(frozen=True)
class CostComponent:
    """One line of a bill: `quantity` `unit`s a month at `unit_price` each."""

    name: str
    unit: str
    quantity: float
    unit_price: float
    monthly: float
    kind: Kind = "fixed"
    price_key: str = ""
    # False when the unit price was not found for this region (the other region's value is used).
    verified: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "quantity": self.quantity,
            "unit_price": self.unit_price,
            "monthly": self.monthly,
            "kind": self.kind,
            "price_key": self.price_key,
            "verified": self.verified,
        }

    @classmethod
    def of(cls, name: str, quantity: float, price, kind: Kind = "fixed") -> CostComponent:
        """A component priced from a price-book entry (`Price`), monthly = quantity x unit price."""
        return cls(
            name=name,
            unit=price.unit,
            quantity=quantity,
            unit_price=price.price,
            monthly=quantity * price.price,
            kind=kind,
            price_key=price.key,
            verified=price.verified,
        )


@dataclass
class ResourceCost:
    urn: str
    type: str
    name: str
    op: str
    status: Status
    before: list[CostComponent] = field(default_factory=list)
    after: list[CostComponent] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    synthesized: bool = False

    @property
    def monthly_before(self) -> float:
        return sum(c.monthly for c in self.before)

    @property
    def monthly_after(self) -> float:
        return sum(c.monthly for c in self.after)

    @property
    def delta(self) -> float:
        return self.monthly_after - self.monthly_before

    def to_dict(self) -> dict[str, Any]:
        data = {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "op": self.op,
            "status": self.status,
            "before": [c.to_dict() for c in self.before],
            "after": [c.to_dict() for c in self.after],
            "notes": list(self.notes),
            "synthesized": self.synthesized,
        }
        data.update(monthly_before=self.monthly_before, monthly_after=self.monthly_after, delta=self.delta)
        return data


@dataclass(frozen=True)
class Assumption:
    """A usage value an estimate relied on, and where it came from."""

    key: str
    value: float
    unit: str
    source: str  # "default", "usage file", "stack dev", ...
    scope: str = ""  # a resource name when the value applies to one resource only
    doc: str = ""


@dataclass
class CostEstimate:
    project: str
    stack: str
    region: str
    resources: list[ResourceCost] = field(default_factory=list)
    assumptions: list[Assumption] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    currency: str = "USD"
    hours_per_month: int = 730
    region_source: str = ""  # where the region came from (costguard.region): "aws:region config", ...
    # Unchanged resources the preview counts but leaves out (no --show-sames): totals cover the change only.
    omitted_unchanged: int = 0

    def _sum(self, side: str, kind: str | None = None) -> float:
        return sum(
            c.monthly for r in self.resources for c in getattr(r, side) if kind is None or c.kind == kind
        )

    @property
    def total_monthly(self) -> float:
        return self._sum("after")

    @property
    def past_total_monthly(self) -> float:
        return self._sum("before")

    @property
    def diff(self) -> float:
        return self.total_monthly - self.past_total_monthly

    @property
    def fixed_monthly(self) -> float:
        return self._sum("after", "fixed")

    @property
    def usage_monthly(self) -> float:
        return self._sum("after", "usage")

    @property
    def past_fixed_monthly(self) -> float:
        return self._sum("before", "fixed")

    @property
    def past_usage_monthly(self) -> float:
        return self._sum("before", "usage")

    @property
    def not_priced(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.resources:
            if r.status == "not priced":
                counts[r.type] = counts.get(r.type, 0) + 1
        return dict(sorted(counts.items()))

    @property
    def unverified_prices(self) -> list[str]:
        keys = {c.price_key for r in self.resources for c in (*r.before, *r.after) if not c.verified}
        return sorted(keys)

    def status_counts(self) -> dict[str, int]:
        counts = {"priced": 0, "free": 0, "not priced": 0}
        for r in self.resources:
            counts[r.status] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "stack": self.stack,
            "region": self.region,
            "region_source": self.region_source,
            "omitted_unchanged": self.omitted_unchanged,
            "currency": self.currency,
            "hours_per_month": self.hours_per_month,
            "total_monthly": self.total_monthly,
            "past_total_monthly": self.past_total_monthly,
            "diff": self.diff,
            "fixed_monthly": self.fixed_monthly,
            "usage_monthly": self.usage_monthly,
            "past_fixed_monthly": self.past_fixed_monthly,
            "past_usage_monthly": self.past_usage_monthly,
            "resource_counts": self.status_counts(),
            "resources": [r.to_dict() for r in self.resources],
            "not_priced": self.not_priced,
            "unverified_prices": self.unverified_prices,
            "assumptions": [asdict(a) for a in self.assumptions],
            "notes": list(self.notes),
        }
