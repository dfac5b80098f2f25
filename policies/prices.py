"""The prices the policy messages quote, read from costguard's price book for the stack's region.

The price book (`costguard/pricing/prices.yaml`) is the single source: this module only picks the
region and turns unit prices into the monthly figures a message cites ("a NAT gateway costs
$35.04/month in eu-west-1"). When `costguard` is not importable next to the pack, `quotes()` is None
and the messages leave the figure out rather than fail.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

DEFAULT_REGION = "us-east-1"
# Price book units end in "hour" (hour, vCPU-hour, AZ-hour...) or "month" (GB-month, ACL-month...).
_HOURLY_SUFFIX = "hour"
_MONTHLY_SUFFIX = "month"


def stack_config() -> dict:
    """The stack's config, as the engine passes it to the pack: JSON in PULUMI_CONFIG, values as strings.

    pulumi/pulumi sdk/go/common/resource/plugin/analyzer_plugin.go `constructEnv`; costguard.analyzer
    does the same.
    """
    try:
        config = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
    except ValueError:
        return {}
    return config if isinstance(config, dict) else {}


def stack_region() -> str:
    """The stack's aws:region (aws-native:region), else us-east-1."""
    config = stack_config()
    region = config.get("aws:region") or config.get("aws-native:region")
    return region if isinstance(region, str) and region else DEFAULT_REGION


class Quotes:
    """Unit and monthly prices of one region of the price book."""

    def __init__(self, book: Any, hours_per_month: float) -> None:
        self._book = book
        self.region: str = book.region
        self._hours = hours_per_month

    def unit(self, key: str) -> float:
        """The price per unit of a price book item ($/GB, $/million requests, $/hour...)."""
        return self._book[key].price

    def monthly(self, key: str, quantity: float = 1.0) -> float:
        """`quantity` units of an hourly (x hours per month) or monthly item, for one month."""
        item = self._book[key]
        if item.unit.endswith(_HOURLY_SUFFIX):
            per_month = item.price * self._hours
        elif item.unit.endswith(_MONTHLY_SUFFIX):
            per_month = item.price
        else:
            raise ValueError(f"{key} is priced per {item.unit}, not per hour or month")
        return round(per_month * quantity, 2)

    def cost(self, key: str, quantity: float) -> float:
        """What `quantity` units of a usage-priced item cost, over its tiers (e.g. API requests)."""
        return round(sum(amount * price for _, amount, price in self._book[key].tiered(quantity)), 2)

    def fargate_monthly(self, cpu_units: float, memory_mib: float, arm: bool) -> float:
        """One Fargate task running all month, on demand."""
        arch = "arm" if arm else "x86"
        hourly = cpu_units / 1024 * self.unit(f"fargate_vcpu_{arch}") + memory_mib / 1024 * self.unit(
            f"fargate_gb_{arch}"
        )
        return round(hourly * self._hours, 2)


def quotes(region: str | None = None) -> Quotes | None:
    """The prices of `region` (default: the stack's); us-east-1's when the book lacks that region."""
    return _quotes_for(region or stack_region())


@lru_cache(maxsize=8)
def _quotes_for(region: str) -> Quotes | None:
    try:
        from costguard.pricing import HOURS_PER_MONTH, PriceBook, PricingError, supported_regions
    except ImportError:
        return None  # costguard is not next to this pack: messages go without figures
    if region not in supported_regions():
        region = DEFAULT_REGION
    try:
        return Quotes(PriceBook.for_region(region), HOURS_PER_MONTH)
    except (PricingError, OSError, KeyError):
        return None
