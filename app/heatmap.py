"""Reports -> cells, and a viewport's cells -> heatmap points."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from app import cover, geohash
from app.keys import PRECISION_BY_SIZE
from app.models import HeatPoint, Viewport
from app.store import CellCount, CellStore

_FINEST = max(PRECISION_BY_SIZE.values())


class TooManyCells(Exception):
    def __init__(self, size: str, cells: int, cap: int):
        larger = {"S": "M", "M": "L"}.get(size)
        hint = f"zoom in or use size {larger}" if larger else "zoom in"
        super().__init__(f"the viewport covers {cells} cells at size {size}, more than {cap}: {hint}")


@dataclass
class Timing:
    """Seconds spent waiting for the store during one request (reported apart from processing)."""

    store_seconds: float = 0.0
    queries: int = field(default=0)


def cells_of_report(lat: float, lng: float) -> list[str]:
    """The cell containing the point at each precision the sizes use (coarser cells are prefixes)."""
    finest = geohash.encode(lat, lng, _FINEST)
    return [finest[:precision] for precision in sorted(set(PRECISION_BY_SIZE.values()), reverse=True)]


def read_heatmap(
    store: CellStore, size: str, viewport: Viewport, now: int, max_cells: int, timing: Timing
) -> list[HeatPoint]:
    """Points of the viewport's populated cells, intensity = count / the viewport's largest count."""
    precision = PRECISION_BY_SIZE[size]
    boxes = cover.split_viewport(
        viewport.topleft.lat, viewport.topleft.lng, viewport.bottomright.lat, viewport.bottomright.lng
    )
    cells = cover.cell_count(boxes, precision)
    if cells > max_cells:
        raise TooManyCells(size, cells, max_cells)
    found: list[tuple[CellCount, int, int]] = []
    for cell_range in cover.cell_ranges(boxes, precision):
        started = time.perf_counter()
        page = store.cells_between(precision, cell_range.prefix, cell_range.low, cell_range.high)
        timing.store_seconds += time.perf_counter() - started
        timing.queries += 1
        for cell in page:
            x, y = geohash.to_index(cell.cell)
            if cell_range.contains(x, y):
                found.append((cell, x, y))
    if not found:
        return []
    busiest = max(cell.reports for cell, _, _ in found)
    points = []
    for cell, x, y in found:
        south, west, north, east = geohash.index_bounds(x, y, precision)
        lat, lng = (south + north) / 2, (west + east) / 2
        points.append(
            HeatPoint.model_construct(
                lat=round(lat, 6),
                lng=round(lng, 6),
                intensity=round(cell.reports / busiest, 4),
                age=max(0, now - cell.last_report_at),
            )
        )
    return points
