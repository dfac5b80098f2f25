"""The two stores behave alike: the same operations give the same cells."""

import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from heatmap_testkit import new_table

from app.heatmap import cells_of_report
from app.store import CellCount, DynamoCellStore, MemoryCellStore

NOW = 1_700_000_000  # stored as 1_699_999_980: the minute it falls in


@pytest.fixture(params=["dynamodb", "memory"])
def store(request):
    if request.param == "memory":
        return MemoryCellStore()
    dynamodb = request.getfixturevalue("dynamodb")
    return DynamoCellStore(dynamodb, new_table(dynamodb))


def test_reports_count_per_cell_and_ranges_follow_sort_order(store):
    a, b = cells_of_report(57.64911, 10.40744), cells_of_report(57.6492, 10.4076)
    assert a[0] == "u4pruydq" and a[1:] == ["u4pruyd", "u4pruy"]
    for cells in (a, a, b):
        store.add_report(cells, NOW)
    assert b[0] != a[0] and b[1] == a[1]
    assert store.cells_between(8, "u4pru", a[0], a[0]) == [CellCount(a[0], 2, NOW - 20)]
    both = store.cells_between(8, "u4pru", min(a[0], b[0]), max(a[0], b[0]))
    assert sorted((c.cell, c.reports) for c in both) == sorted([(a[0], 2), (b[0], 1)])
    assert store.cells_between(7, "u4pr", "u4pruyd", "u4pruyd") == [CellCount("u4pruyd", 3, NOW - 20)]
    assert store.cells_between(8, "u4prv", "u4prv000", "u4prvzzz") == []
    assert store.ping() is True


def test_unreachable_table_fails_ping(dynamodb):
    assert DynamoCellStore(dynamodb, "no-such-table").ping() is False


def test_the_test_moto_server_applies_concurrent_adds_to_one_item_atomically(dynamodb):
    # DynamoDB applies ADD atomically; plain moto can lose counts under concurrency (conftest).
    table = new_table(dynamodb)
    store = DynamoCellStore(dynamodb, table)
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: the race shows at once
    try:
        with ThreadPoolExecutor(32) as pool:
            list(pool.map(lambda _: store.add_report(["u4pruydq"], NOW), range(300)))
    finally:
        sys.setswitchinterval(previous)
    assert store.cells_between(8, "u4pru", "u4pruydq", "u4pruydq")[0].reports == 300
