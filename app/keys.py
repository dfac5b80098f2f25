"""The DynamoDB data model: table schema, attribute names and key layout, in one place.

The infrastructure creates the table with exactly these names (it matches them, it does not import
them): string hash key `pk`, string range key `sk`, on-demand billing, TTL on `expiresAt`.

One item per populated cell and precision:
    pk           "CELL#<precision>#<prefix>"  prefix = the cell's geohash cut to precision - PREFIX_DROP
    sk           the cell's geohash
    reports      number of reports in the cell (atomic ADD)
    lastReportAt epoch seconds of the latest report, truncated to the minute
    expiresAt    lastReportAt + one year; DynamoDB's TTL deletes cells nobody reported for a year
"""

from __future__ import annotations

PK = "pk"
SK = "sk"
REPORTS = "reports"
LAST_REPORT_AT = "lastReportAt"
EXPIRES_AT = "expiresAt"

# A partition holds the cells of one geohash prefix PREFIX_DROP characters shorter than the cell:
# 32**3 = 32,768 cells (a 256x128 or 128x256 block), so a viewport under the cell cap spans few partitions.
PREFIX_DROP = 3

TTL_SECONDS = 365 * 24 * 3600
TIME_GRANULARITY_SECONDS = 60

# Heatmap sizes -> geohash precision (cell about 38x19 m, 153x153 m, 1.2x0.6 km at the equator).
PRECISION_BY_SIZE = {"S": 8, "M": 7, "L": 6}


def partition_key(precision: int, prefix: str) -> str:
    return f"CELL#{precision}#{prefix}"


def prefix_of(cell: str) -> str:
    return cell[: len(cell) - PREFIX_DROP]


def table_definition(table_name: str) -> dict:
    """CreateTable arguments for the table the stack creates (used for local runs and tests)."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": PK, "AttributeType": "S"},
            {"AttributeName": SK, "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": PK, "KeyType": "HASH"},
            {"AttributeName": SK, "KeyType": "RANGE"},
        ],
    }


def create_table(client, table_name: str) -> None:
    """Create the table and switch on its TTL, as the stack does (local runs and tests only)."""
    client.create_table(**table_definition(table_name))
    client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1})
    client.update_time_to_live(
        TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": EXPIRES_AT}
    )
