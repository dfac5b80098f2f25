"""Pricing: the price book, the usage profile, one estimator per resource type, and `estimate`."""

from costguard.pricing.engine import estimate
from costguard.pricing.model import Assumption, CostComponent, CostEstimate, PricingError, ResourceCost
from costguard.pricing.pricebook import HOURS_PER_MONTH, PriceBook, supported_regions
from costguard.pricing.usage import Usage, UsageError

__all__ = [
    "HOURS_PER_MONTH",
    "Assumption",
    "CostComponent",
    "CostEstimate",
    "PriceBook",
    "PricingError",
    "ResourceCost",
    "Usage",
    "UsageError",
    "estimate",
    "supported_regions",
]
