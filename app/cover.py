"""Viewport -> the DynamoDB Query ranges that cover it.

A viewport is split at the antimeridian into boxes that each run west to east. Each box becomes
a range of cell indices at the size's precision; the cells of one partition (one geohash prefix)
that fall in the box lie between the box's south-west and north-east cells on the Z-order curve,
which is the sort-key order. So one Query with `sk BETWEEN low AND high` per partition reads
every cell of the box; the Z-curve may also pass through cells outside the box between those
two, and `CellRange.contains` drops them.
"""

from __future__ import annotations

from dataclasses import dataclass

from app import geohash
from app.keys import PREFIX_DROP


@dataclass(frozen=True)
class Box:
    """A lat/lng rectangle with west <= east (never across the antimeridian)."""

    south: float
    west: float
    north: float
    east: float


@dataclass(frozen=True)
class CellRange:
    """The cells of one partition inside one box: a Query's keys and the index window to keep."""

    precision: int
    prefix: str
    low: str
    high: str
    x0: int
    x1: int
    y0: int
    y1: int

    def contains(self, x: int, y: int) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1


def split_viewport(north: float, west: float, south: float, east: float) -> list[Box]:
    """Boxes of a viewport given by its top-left (north, west) and bottom-right (south, east).

    A top-left longitude east of the bottom-right one means the viewport crosses the
    antimeridian (e.g. 170 -> -170): it is served as two boxes, 170..180 and -180..-170.
    """
    if west <= east:
        return [Box(south, west, north, east)]
    return [Box(south, west, north, 180.0), Box(south, -180.0, north, east)]


def _index_window(box: Box, precision: int) -> tuple[int, int, int, int]:
    x0, y0 = geohash.cell_index(box.south, box.west, precision)
    x1, y1 = geohash.cell_index(box.north, box.east, precision)
    return x0, x1, y0, y1


def cell_count(boxes: list[Box], precision: int) -> int:
    """How many cells of this precision the boxes touch."""
    total = 0
    for box in boxes:
        x0, x1, y0, y1 = _index_window(box, precision)
        total += (x1 - x0 + 1) * (y1 - y0 + 1)
    return total


def cell_ranges(boxes: list[Box], precision: int) -> list[CellRange]:
    """One range per (box, partition) pair: the Query calls that read the boxes."""
    prefix_precision = precision - PREFIX_DROP
    lng_bits, lat_bits = geohash.axis_bits(precision)
    prefix_lng_bits, prefix_lat_bits = geohash.axis_bits(prefix_precision)
    dx, dy = lng_bits - prefix_lng_bits, lat_bits - prefix_lat_bits
    ranges = []
    for box in boxes:
        x0, x1, y0, y1 = _index_window(box, precision)
        for px in range(x0 >> dx, (x1 >> dx) + 1):
            cx0, cx1 = max(x0, px << dx), min(x1, ((px + 1) << dx) - 1)
            for py in range(y0 >> dy, (y1 >> dy) + 1):
                cy0, cy1 = max(y0, py << dy), min(y1, ((py + 1) << dy) - 1)
                ranges.append(
                    CellRange(
                        precision=precision,
                        prefix=geohash.from_index(px, py, prefix_precision),
                        low=geohash.from_index(cx0, cy0, precision),
                        high=geohash.from_index(cx1, cy1, precision),
                        x0=cx0,
                        x1=cx1,
                        y0=cy0,
                        y1=cy1,
                    )
                )
    return ranges
