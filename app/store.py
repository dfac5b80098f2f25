"""Where cell counters live: the store interface and its DynamoDB implementation."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from app import keys


@dataclass(frozen=True)
class CellCount:
    cell: str
    reports: int
    last_report_at: int


class StoreUnavailable(Exception):
    """The table could not be read or written (network, throttling, missing table)."""


class CellStore(Protocol):
    def add_report(self, cells: Sequence[str], now: int) -> None:
        """Count one report in each of these cells (one per precision)."""

    def cells_between(self, precision: int, prefix: str, low: str, high: str) -> list[CellCount]:
        """The populated cells of one partition whose geohash is in [low, high]."""

    def ping(self) -> bool:
        """Whether the table answers."""


class DynamoCellStore:
    """Cells in one DynamoDB table (key layout in app.keys); safe to share across threads."""

    def __init__(self, client, table_name: str):
        self._client = client
        self._table = table_name

    @classmethod
    def connect(cls, table_name: str, region: str, endpoint: str | None = None) -> DynamoCellStore:
        # Short timeouts and few retries keep every request, and so a graceful shutdown, well under
        # the task's stop timeout; the pool matches the thread pool that runs the endpoints.
        config = Config(
            connect_timeout=2,
            read_timeout=5,
            retries={"max_attempts": 3, "mode": "standard"},
            max_pool_connections=64,
        )
        client = boto3.session.Session().client(
            "dynamodb", region_name=region, endpoint_url=endpoint, config=config
        )
        return cls(client, table_name)

    def add_report(self, cells: Sequence[str], now: int) -> None:
        minute = now - now % keys.TIME_GRANULARITY_SECONDS
        for cell in cells:
            try:
                # ADD is atomic on the server: concurrent reports never lose a count.
                self._client.update_item(
                    TableName=self._table,
                    Key={
                        keys.PK: {"S": keys.partition_key(len(cell), keys.prefix_of(cell))},
                        keys.SK: {"S": cell},
                    },
                    UpdateExpression="ADD #reports :one SET #last = :now, #expires = :expires",
                    ExpressionAttributeNames={
                        "#reports": keys.REPORTS,
                        "#last": keys.LAST_REPORT_AT,
                        "#expires": keys.EXPIRES_AT,
                    },
                    ExpressionAttributeValues={
                        ":one": {"N": "1"},
                        ":now": {"N": str(minute)},
                        ":expires": {"N": str(minute + keys.TTL_SECONDS)},
                    },
                )
            except (BotoCoreError, ClientError) as error:
                raise StoreUnavailable(_describe(error)) from error

    def cells_between(self, precision: int, prefix: str, low: str, high: str) -> list[CellCount]:
        request = {
            "TableName": self._table,
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :low AND :high",
            "ProjectionExpression": "#sk, #reports, #last",
            "ExpressionAttributeNames": {
                "#pk": keys.PK,
                "#sk": keys.SK,
                "#reports": keys.REPORTS,
                "#last": keys.LAST_REPORT_AT,
            },
            "ExpressionAttributeValues": {
                ":pk": {"S": keys.partition_key(precision, prefix)},
                ":low": {"S": low},
                ":high": {"S": high},
            },
        }
        cells = []
        try:
            while True:
                page = self._client.query(**request)
                for item in page["Items"]:
                    cells.append(
                        CellCount(
                            cell=item[keys.SK]["S"],
                            reports=int(item[keys.REPORTS]["N"]),
                            last_report_at=int(item[keys.LAST_REPORT_AT]["N"]),
                        )
                    )
                if "LastEvaluatedKey" not in page:
                    return cells
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except (BotoCoreError, ClientError) as error:
            raise StoreUnavailable(_describe(error)) from error

    def ping(self) -> bool:
        # A GetItem on a key that never exists: one data-plane call, 0.5 read units, no control plane.
        try:
            self._client.get_item(
                TableName=self._table,
                Key={keys.PK: {"S": "HEALTH"}, keys.SK: {"S": "HEALTH"}},
                ProjectionExpression="#pk",
                ExpressionAttributeNames={"#pk": keys.PK},
            )
        except (BotoCoreError, ClientError):
            return False
        return True


class MemoryCellStore:
    """Cells in process memory, same semantics as the table: for benchmarks and store-free runs.

    Not for production: counts vanish with the process and are not shared between tasks.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._partitions: dict[str, tuple[list[str], dict[str, CellCount]]] = {}

    def _partition(self, cell: str) -> tuple[list[str], dict[str, CellCount]]:
        key = keys.partition_key(len(cell), keys.prefix_of(cell))
        return self._partitions.setdefault(key, ([], {}))

    def put(self, cell: CellCount) -> None:
        """Set a cell's counter directly (to load a data set)."""
        with self._lock:
            sort_keys, cells = self._partition(cell.cell)
            if cell.cell not in cells:
                bisect.insort(sort_keys, cell.cell)
            cells[cell.cell] = cell

    def add_report(self, cells: Sequence[str], now: int) -> None:
        minute = now - now % keys.TIME_GRANULARITY_SECONDS
        with self._lock:
            for cell in cells:
                sort_keys, counts = self._partition(cell)
                previous = counts.get(cell)
                if previous is None:
                    bisect.insort(sort_keys, cell)
                counts[cell] = CellCount(cell, (previous.reports if previous else 0) + 1, minute)

    def cells_between(self, precision: int, prefix: str, low: str, high: str) -> list[CellCount]:
        with self._lock:
            sort_keys, cells = self._partitions.get(keys.partition_key(precision, prefix), ([], {}))
            start, end = bisect.bisect_left(sort_keys, low), bisect.bisect_right(sort_keys, high)
            return [cells[key] for key in sort_keys[start:end]]

    def ping(self) -> bool:
        return True


def _describe(error: Exception) -> str:
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code", "ClientError")
    return type(error).__name__
