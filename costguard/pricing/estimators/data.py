"""ECR repositories and DynamoDB tables."""

from __future__ import annotations

from costguard.pricing.estimators import prices
from costguard.pricing.model import CostComponent
from costguard.pricing.pricebook import HOURS_PER_MONTH
from costguard.pricing.values import as_list, first, mapping, number


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
    throughput = mapping(first(props, "provisionedThroughput"))
    reads = number(first(props, "readCapacity"), None)
    writes = number(first(props, "writeCapacity"), None)
    if reads is None:
        reads = number(throughput.get("readCapacityUnits"), 0)
        writes = number(throughput.get("writeCapacityUnits"), 0)
    reads, writes = reads or 0.0, writes or 0.0
    for index in as_list(first(props, "globalSecondaryIndexes")):
        if isinstance(index, dict):
            nested = mapping(index.get("provisionedThroughput"))
            reads += (
                number(index.get("readCapacity"), None) or number(nested.get("readCapacityUnits"), 0) or 0
            )
            writes += (
                number(index.get("writeCapacity"), None) or number(nested.get("writeCapacityUnits"), 0) or 0
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
