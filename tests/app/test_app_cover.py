from hypothesis import assume, given
from hypothesis import strategies as st

from app import cover, geohash

H6, W6 = 180 / 2**15, 360 / 2**15  # precision-6 cell: 0.0054931640625 x 0.010986328125 degrees


def test_viewport_across_the_antimeridian_becomes_two_boxes():
    west_part, east_part = cover.Box(0, 170, 10, 180.0), cover.Box(0, -180.0, 10, -170)
    assert cover.split_viewport(10, 170, 0, -170) == [west_part, east_part]
    assert cover.split_viewport(10, -5, 0, 5) == [cover.Box(0, -5, 10, 5)]


def test_cell_count_by_hand():
    # 20 columns x 10 rows of precision-6 cells, edges just inside the cells.
    box = cover.Box(south=0.0001, west=0.0001, north=10 * H6 - 0.0001, east=20 * W6 - 0.0001)
    assert cover.cell_count([box], 6) == 200
    # Across the antimeridian: 3 columns west of 180 plus 2 east of -180, 10 rows.
    boxes = cover.split_viewport(10 * H6 - 0.0001, 180 - 3 * W6 + 0.0001, 0.0001, -180 + 2 * W6 - 0.0001)
    assert cover.cell_count(boxes, 6) == 50


def test_a_viewport_inside_one_partition_is_one_query():
    # Precision 6 partitions are 3-character prefixes: "u4p" spans 1.40625 x 1.40625 degrees.
    south, west, north, east = geohash.bounds("u4p")
    box = cover.Box(south + 0.1, west + 0.1, north - 0.1, east - 0.1)
    (only,) = cover.cell_ranges([box], 6)
    assert only.prefix == "u4p"
    assert only.low == geohash.encode(box.south, box.west, 6)
    assert only.high == geohash.encode(box.north, box.east, 6)


def test_a_viewport_over_a_partition_corner_is_four_queries():
    south, west, _, _ = geohash.bounds("u4p")
    box = cover.Box(south - 0.01, west - 0.01, south + 0.01, west + 0.01)
    prefixes = {r.prefix for r in cover.cell_ranges([box], 6)}
    assert len(prefixes) == 4 and "u4p" in prefixes


viewports = st.tuples(
    st.floats(-89, 89), st.floats(-179.9, 179.9), st.floats(0.001, 0.05), st.floats(0.001, 0.08)
).map(lambda t: (t[0] + t[2], t[1], t[0], t[1] + t[3] if t[1] + t[3] <= 180 else t[1] + t[3] - 360))


@given(viewports, st.floats(0, 1), st.floats(0, 1), st.sampled_from([6, 7, 8]))
def test_every_point_inside_is_covered_by_exactly_one_range(viewport, fy, fx, precision):
    north, west, south, east = viewport
    boxes = cover.split_viewport(north, west, south, east)
    assume(cover.cell_count(boxes, precision) <= 20_000)
    box = boxes[0] if len(boxes) == 1 or fx < 0.5 else boxes[1]
    lat = box.south + fy * (box.north - box.south)
    lng = box.west + fx * (box.east - box.west)
    cell = geohash.encode(lat, lng, precision)
    x, y = geohash.to_index(cell)
    matching = [
        r
        for r in cover.cell_ranges(boxes, precision)
        if r.prefix == cell[: precision - 3] and r.low <= cell <= r.high and r.contains(x, y)
    ]
    assert len(matching) == 1


@given(viewports, st.floats(-90, 90), st.floats(-180, 180))
def test_no_range_keeps_a_cell_away_from_the_viewport(viewport, lat, lng):
    north, west, south, east = viewport
    boxes = cover.split_viewport(north, west, south, east)
    assume(cover.cell_count(boxes, 7) <= 20_000)
    # Far enough outside every box that the point's cell cannot touch it.
    margin = 0.01
    assume(
        all(
            not (b.south - margin <= lat <= b.north + margin and b.west - margin <= lng <= b.east + margin)
            for b in boxes
        )
    )
    x, y = geohash.cell_index(lat, lng, 7)
    assert not any(r.contains(x, y) for r in cover.cell_ranges(boxes, 7))
