"""Reports -> cells, and a viewport's cells -> heatmap points."""

from __future__ import annotations

import time
from dataclasses import dataclass

from app import cover, geohash
from app.keys import PRECISION_BY_SIZE, PREFIX_DROP
from app.models import Viewport
from app.store import CellStore

_FINEST = max(PRECISION_BY_SIZE.values())


class TooManyCells(Exception):
    def __init__(self, size: str, cells: int, cap: int, wrapped_width: float | None = None):
        """`wrapped_width`: the width in degrees of a viewport read as crossing the antimeridian."""
        larger = {"S": "M", "M": "L"}.get(size)
        hint = f"zoom in or use size {larger}" if larger else "zoom in"
        if wrapped_width is not None:
            # Most often the corners' longitudes were swapped, and the viewport went round the world.
            hint = (
                f"topleft.lng is east of bottomright.lng, so the viewport was read as crossing the "
                f"antimeridian, {wrapped_width:.2f} degrees wide; if you meant a viewport across the "
                f"antimeridian, {hint}, otherwise swap the two longitudes"
            )
        super().__init__(f"the viewport covers {cells} cells at size {size}, more than {cap}: {hint}")


@dataclass
class Timing:
    """Seconds spent waiting for the store during one request (reported apart from processing)."""

    store_seconds: float = 0.0
    queries: int = 0


def cells_of_report(lat: float, lng: float) -> list[str]:
    """The cell containing the point at each precision the sizes use (coarser cells are prefixes)."""
    finest = geohash.encode(lat, lng, _FINEST)
    return [finest[:precision] for precision in sorted(set(PRECISION_BY_SIZE.values()), reverse=True)]


def read_heatmap(
    store: CellStore, size: str, viewport: Viewport, now: int, max_cells: int, timing: Timing
) -> list[dict]:
    """Points of the viewport's populated cells: the cell's centre, intensity = its count / the largest
    count in the viewport (so the busiest cell is 1.0), and age = now - its last report, in seconds.

    Returns plain dicts in the shape of `HeatPoint`: a city viewport has thousands of them, and
    building models for each would cost more than everything else the request does.
    """
    precision = PRECISION_BY_SIZE[size]
    boxes = cover.split_viewport(
        viewport.topleft.lat, viewport.topleft.lng, viewport.bottomright.lat, viewport.bottomright.lng
    )
    cells = cover.cell_count(boxes, precision)
    if cells > max_cells:
        wraps = viewport.topleft.lng > viewport.bottomright.lng
        width = 360.0 - (viewport.topleft.lng - viewport.bottomright.lng) if wraps else None
        raise TooManyCells(size, cells, max_cells, width)
    prefix_length = precision - PREFIX_DROP
    decode_suffix = geohash.suffix_decoder(prefix_length)
    lng_bits, lat_bits = geohash.axis_bits(precision)
    prefix_lng_bits, prefix_lat_bits = geohash.axis_bits(prefix_length)
    shift_x, shift_y = lng_bits - prefix_lng_bits, lat_bits - prefix_lat_bits
    found: list[tuple[int, int, int, int]] = []  # (reports, last report, x, y)
    for cell_range in cover.cell_ranges(boxes, precision):
        started = time.perf_counter()
        try:
            page = store.cells_between(precision, cell_range.prefix, cell_range.low, cell_range.high)
        finally:  # timed when it fails too (a 503 reports how long the store took to fail)
            timing.store_seconds += time.perf_counter() - started
            timing.queries += 1
        prefix_x, prefix_y = geohash.to_index(cell_range.prefix)
        base_x, base_y = prefix_x << shift_x, prefix_y << shift_y
        x0, x1, y0, y1 = cell_range.x0, cell_range.x1, cell_range.y0, cell_range.y1
        for cell in page:
            dx, dy = decode_suffix(cell.cell[prefix_length:])
            x, y = base_x | dx, base_y | dy
            if x0 <= x <= x1 and y0 <= y <= y1:
                found.append((cell.reports, cell.last_report_at, x, y))
    if not found:
        return []
    busiest = max(entry[0] for entry in found)
    height, width = geohash.cell_size(precision)
    # Rows, columns and counts repeat across a viewport's cells: compute each rounded value once.
    lats: dict[int, float] = {}
    lngs: dict[int, float] = {}
    intensities: dict[int, float] = {}
    points = []
    for reports, last_report_at, x, y in found:
        lat = lats.get(y)
        if lat is None:
            lat = lats[y] = round(-90.0 + (y + 0.5) * height, 6)
        lng = lngs.get(x)
        if lng is None:
            lng = lngs[x] = round(-180.0 + (x + 0.5) * width, 6)
        intensity = intensities.get(reports)
        if intensity is None:
            intensity = intensities[reports] = round(reports / busiest, 4)
        age = now - last_report_at
        points.append({"lat": lat, "lng": lng, "intensity": intensity, "age": age if age > 0 else 0})
    return points
