"""Table: the DynamoDB table that stores the heatmap's geohash cell counters.

Creates one on-demand (PAY_PER_REQUEST) table with string partition key `PK` and string sort key
`SK`, a TTL attribute so expired counters delete themselves for free, server-side encryption with
the AWS managed key, and point-in-time recovery and deletion protection as the stack's config says.

**Cost**: on demand, eu-west-1: $0.705 per million write request units, $0.1415 per million read
request units, storage $0.283/GB-month after the first 25 GB. At 100k reports and 1M heatmap reads
a month that is ~$0.07 + $0.14 = ~$0.21/month; an idle table costs $0. TTL deletes are free.
Point-in-time recovery (prod) is billed per GB-month of table size (a few cents for a small table).
The AWS managed key has no monthly fee; its KMS requests are occasional because DynamoDB caches
table keys.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass
class TableArgs:
    point_in_time_recovery: bool = False
    deletion_protection: bool = False
    ttl_attribute: str = "expiresAt"


class Table(pulumi.ComponentResource):
    table_name: pulumi.Output[str]
    table_arn: pulumi.Output[str]

    def __init__(self, name: str, args: TableArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("safety-heatmap:index:Table", name, None, opts)

        table = aws.dynamodb.Table(
            f"{name}-table",
            billing_mode="PAY_PER_REQUEST",
            hash_key="PK",
            range_key="SK",
            attributes=[{"name": "PK", "type": "S"}, {"name": "SK", "type": "S"}],
            ttl={"attribute_name": args.ttl_attribute, "enabled": True},
            server_side_encryption={"enabled": True},
            point_in_time_recovery={"enabled": args.point_in_time_recovery},
            deletion_protection_enabled=args.deletion_protection,
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.table_name = table.name
        self.table_arn = table.arn
        self.register_outputs({"tableName": self.table_name, "tableArn": self.table_arn})
