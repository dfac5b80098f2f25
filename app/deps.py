"""Dependencies the endpoints receive; tests replace them with `app.dependency_overrides`."""

from __future__ import annotations

import time

from fastapi import Request

from app.config import Settings
from app.heatmap import Timing
from app.store import CellStore


def get_store(request: Request) -> CellStore:
    return request.app.state.store


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_clock():
    """A function returning the current time in epoch seconds."""
    return time.time


def get_timing(request: Request) -> Timing:
    timing = getattr(request.state, "timing", None)
    return timing if timing is not None else Timing()
