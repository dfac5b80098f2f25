"""ECR repositories and DynamoDB tables."""

from __future__ import annotations

from costguard.pricing.estimators import prices
from costguard.pricing.model import CostComponent
from costguard.pricing.pricebook import HOURS_PER_MONTH
from costguard.pricing.values import as_list, count, first, known, mapping, text

# Provisioned read/write capacity units of a table or index: a sane bound far above DynamoDB's default
# per-table quota (40,000 each, adjustable); other values are read as absent (0), with a note.
MAX_CAPACITY_UNITS = 1_000_000


@prices("aws:ecr/repository:Repository", "aws-native:ecr:Repository")
def ecr_repository(resource, props, ctx):
    return [
        CostComponent.of("Storage", ctx.usage["ecr_storage_gb"], ctx.book["ecr_storage_gb_month"], "usage")
    ]


@prices("aws:dynamodb/table:Table", "aws-native:dynamodb:Table", "aws-native:dynamodb:GlobalTable")
def dynamodb_table(resource, props, ctx):
    storage = CostComponent.of(
        "Storage", ctx.usage["dynamodb_storage_gb"], ctx.book["dynamodb_storage_gb_month"], "usage"
    )
    if str(first(props, "tableClass") or "STANDARD").upper() != "STANDARD":
        ctx.note("Standard-IA table class priced at the standard class's prices")
    # pulumi-aws defaults billingMode to PROVISIONED; aws-native's default is PROVISIONED too.
    mode = str(first(props, "billingMode") or "PROVISIONED").upper()
    if mode == "PAY_PER_REQUEST":
        return [
            CostComponent.of(
                "Read request units",
                ctx.usage["dynamodb_reads_per_month"] / 1e6,
                ctx.book["dynamodb_read_request_units"],
                "usage",
            ),
            CostComponent.of(
                "Write request units",
                ctx.usage["dynamodb_writes_per_month"] / 1e6,
                ctx.book["dynamodb_write_request_units"],
                "usage",
            ),
            storage,
        ]

    def units(value, what: str) -> int:
        return count(value, MAX_CAPACITY_UNITS, what, ctx.note) or 0

    throughput = mapping(first(props, "provisionedThroughput"))
    # pulumi-aws: readCapacity/writeCapacity; aws-native: provisionedThroughput.*CapacityUnits.
    if known(first(props, "readCapacity", "writeCapacity")):
        reads = units(first(props, "readCapacity"), "readCapacity")
        writes = units(first(props, "writeCapacity"), "writeCapacity")
    else:
        reads = units(throughput.get("readCapacityUnits"), "readCapacityUnits")
        writes = units(throughput.get("writeCapacityUnits"), "writeCapacityUnits")
    for index in as_list(first(props, "globalSecondaryIndexes")):
        if isinstance(index, dict):
            nested = mapping(index.get("provisionedThroughput"))
            name = text(index.get("name")) or text(index.get("indexName")) or "?"
            reads += units(
                first(index, "readCapacity") or nested.get("readCapacityUnits"), f"index {name} reads"
            )
            writes += units(
                first(index, "writeCapacity") or nested.get("writeCapacityUnits"), f"index {name} writes"
            )
    return [
        CostComponent.of(
            "Provisioned reads", reads * HOURS_PER_MONTH, ctx.book["dynamodb_provisioned_rcu_hour"]
        ),
        CostComponent.of(
            "Provisioned writes", writes * HOURS_PER_MONTH, ctx.book["dynamodb_provisioned_wcu_hour"]
        ),
        storage,
    ]
