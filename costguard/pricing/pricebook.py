"""Load the price book (`prices.yaml`) and hand out the prices of one region."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from costguard.pricing.model import PricingError

# The month AWS's calculator and Infracost use: 730 hours.
HOURS_PER_MONTH = 730
PRICES_FILE = Path(__file__).with_name("prices.yaml")


@dataclass(frozen=True)
class Tier:
    up_to: float | None  # in the price's unit (e.g. millions of requests); None = no upper bound
    price: float


@dataclass(frozen=True)
class Price:
    key: str
    region: str
    price: float
    unit: str
    description: str
    service: str
    usage_type: str
    effective: str
    confidence: str
    verified: bool = True
    tiers: tuple[Tier, ...] = ()
    # For an unverified price, what it rests on: "us-east-1's value is used" when another region's
    # value was verified, else "not verified in any region".
    basis: str = ""

    @property
    def source(self) -> str:
        return f"{self.service} {self.usage_type}"

    def tiered(self, quantity: float) -> list[tuple[str, float, float]]:
        """Split `quantity` over the tiers: [(label, quantity in tier, unit price)]."""
        if not self.tiers:
            return [("", quantity, self.price)]
        parts, floor = [], 0.0
        scale = self.unit.split()[0] if self.unit.split()[0] in ("million", "thousand") else ""
        for tier in self.tiers:
            ceiling = tier.up_to if tier.up_to is not None else float("inf")
            amount = max(0.0, min(quantity, ceiling) - floor)
            if amount > 0 or not parts:
                bound = ceiling if floor == 0 and tier.up_to else floor
                label = f"{'first' if bound == ceiling else 'over'} {_num(bound)} {scale}".rstrip()
                parts.append(("" if len(self.tiers) == 1 else label, amount, tier.price))
            floor = ceiling
            if quantity <= ceiling:
                break
        return parts


def _num(value: float) -> str:
    return f"{value:g}"


class PriceBook:
    def __init__(self, region: str, prices: dict[str, Price]):
        self.region = region
        self._prices = prices

    def __getitem__(self, key: str) -> Price:
        return self._prices[key]

    def __contains__(self, key: str) -> bool:
        return key in self._prices

    def keys(self) -> list[str]:
        return sorted(self._prices)

    @classmethod
    def for_region(cls, region: str, source: str = "") -> PriceBook:
        """The prices of `region`; `source` (where the region came from) only words the error."""
        data = _load(str(PRICES_FILE))
        supported = supported_regions()
        if region not in supported:
            raise PricingError(
                f"region {region!r}{f' (from {source})' if source else ''} is not in the price book; "
                f"supported regions: {', '.join(supported)} (pass --region with one of them)"
            )
        prefix = data.get("usage_type_prefix", {}).get(region, "")
        prices = {}
        for key, item in data["prices"].items():
            value = item["regions"][region]
            entry = value if isinstance(value, dict) else {"price": value}
            usage_type = item["usage_type"]
            if prefix and " " not in usage_type:  # a real Price List usage type, not a prose source
                usage_type = prefix + usage_type
            basis = "" if entry.get("verified", True) else _basis(region, item["regions"])
            prices[key] = Price(
                key=key,
                region=region,
                price=float(entry["price"]),
                unit=item["unit"],
                description=item["description"],
                service=item["service"],
                usage_type=usage_type,
                effective=str(item["effective"]),
                confidence=str(item["confidence"]),
                verified=bool(entry.get("verified", True)),
                tiers=tuple(Tier(t.get("up_to"), float(t["price"])) for t in entry.get("tiers", ())),
                basis=basis,
            )
        return cls(region, prices)


def _basis(region: str, regions: dict) -> str:
    verified = [
        other
        for other, value in sorted(regions.items())
        if other != region and (not isinstance(value, dict) or value.get("verified", True))
    ]
    return f"{verified[0]}'s value is used" if verified else "not verified in any region"


def supported_regions() -> list[str]:
    """Regions that have a price for every item of the book."""
    data = _load(str(PRICES_FILE))
    regions: set[str] | None = None
    for item in data["prices"].values():
        here = set(item["regions"])
        regions = here if regions is None else regions & here
    return sorted(regions or ())


@lru_cache(maxsize=4)
def _load(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)
