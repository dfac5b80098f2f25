"""The API's endpoints: report a place, read the heatmap of a viewport, health (deep) and liveness."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from pydantic_core import to_json

from app.config import Settings
from app.deps import get_clock, get_settings, get_store, get_timing
from app.heatmap import Timing, cells_of_report, read_heatmap
from app.media import JsonBodyRoute
from app.models import Health, HeatmapRequest, HeatmapResponse, Liveness, ReportAccepted, ReportRequest
from app.store import CellStore

# Heatmaps change slowly; a shared cache configured to keep these POST responses may reuse one this long.
HEATMAP_MAX_AGE_SECONDS = 30

api = APIRouter(
    prefix="/api/safetyheatmap",
    tags=["safety heatmap"],
    route_class=JsonBodyRoute,  # Content-Type and Content-Encoding checked before the body is read
    responses={
        408: {"description": "The request body did not arrive in time"},
        413: {"description": "Request body over the size limit"},
        415: {
            "description": "Content-Type is not application/json (or application/*+json), "
            "or the body has a Content-Encoding"
        },
        503: {"description": "The table is unavailable; retry after the Retry-After seconds"},
    },
)
ops = APIRouter(tags=["operations"])

Store = Annotated[CellStore, Depends(get_store)]
Clock = Annotated[Callable[[], float], Depends(get_clock)]


@api.post("/report/add", status_code=status.HTTP_201_CREATED, response_model=ReportAccepted)
def add_report(
    body: ReportRequest, store: Store, clock: Clock, timing: Annotated[Timing, Depends(get_timing)]
):
    """Count a report in the cells containing it. The coordinates themselves are not stored."""
    cells = cells_of_report(body.lat, body.lng)
    started = time.perf_counter()
    try:
        store.add_report(cells, int(clock()))
    finally:  # a failed call is timed too: a 503's Server-Timing shows how long the store took to fail
        timing.store_seconds += time.perf_counter() - started
    return ReportAccepted()


@api.post(
    "/heatmap/get",
    response_model=HeatmapResponse,
    responses={422: {"description": "Invalid field, or a viewport with too many cells for its size"}},
)
def get_heatmap(
    body: HeatmapRequest,
    store: Store,
    clock: Clock,
    settings: Annotated[Settings, Depends(get_settings)],
    timing: Annotated[Timing, Depends(get_timing)],
):
    """Populated cells in the viewport, with intensity relative to the busiest one and age in seconds."""
    points = read_heatmap(store, body.size, body.viewport, int(clock()), settings.max_cells, timing)
    # Serialized here, in one pass, rather than validated point by point against HeatmapResponse
    # (which still documents the shape): read_heatmap builds exactly that shape.
    return Response(
        content=to_json({"size": body.size, "points": points}),
        media_type="application/json",
        headers={"Cache-Control": f"public, max-age={HEATMAP_MAX_AGE_SECONDS}"},
    )


@ops.get(
    "/health", response_model=Health, responses={503: {"model": Health, "description": "Table unreachable"}}
)
def health(response: Response, store: Store, timing: Annotated[Timing, Depends(get_timing)]):
    """Whether the table answers a single GetItem, and how long that round trip took."""
    started = time.perf_counter()
    try:
        reachable = store.ping()
    finally:
        timing.store_seconds += time.perf_counter() - started
    store_ms = round(timing.store_seconds * 1000, 2)
    if reachable:
        return Health(status="ok", table="reachable", store_ms=store_ms)
    response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Health(status="degraded", table="unreachable", store_ms=store_ms)


@ops.get("/live", response_model=Liveness)
async def live():
    """Whether the process serves HTTP; no DynamoDB call. For the container health check: a task that
    answers is alive, and replacing it would not bring DynamoDB back (`/health` is the deep check).

    `async`, so it runs on the event loop: when DynamoDB is slow and every worker thread waits on
    it, this still answers, and the task is not replaced for the store's trouble."""
    return Liveness()
