"""The benchmark's data set: 5,000 populated size-M cells in a city-sized viewport."""

from __future__ import annotations

import random

from app import geohash, keys
from app.store import CellCount

CELLS = 5_000
NOW = 1_800_000_000
# About 12 x 11 km around Shrewsbury, UK; at size M (geohash precision 7, ~153 m) that is ~9,700 cells.
NORTH, WEST, SOUTH, EAST = 52.76, -2.83, 52.66, -2.65
VIEW = {
    "size": "M",
    "range": {"topleft": {"lat": NORTH, "lng": WEST}, "bottomright": {"lat": SOUTH, "lng": EAST}},
}


def city_cells() -> list[CellCount]:
    precision = keys.PRECISION_BY_SIZE["M"]
    x0, y0 = geohash.cell_index(SOUTH, WEST, precision)
    x1, y1 = geohash.cell_index(NORTH, EAST, precision)
    rng = random.Random(7)
    chosen = rng.sample([(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)], CELLS)
    return [
        CellCount(geohash.from_index(x, y, precision), rng.randint(1, 50), NOW - rng.randint(0, 30 * 86400))
        for x, y in chosen
    ]
