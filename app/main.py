"""The ASGI app: `uvicorn app.main:app`. Configured from the environment (see app.config)."""

from __future__ import annotations

import gc
import sys
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app import errors, logs
from app.config import ConfigError, Settings
from app.middleware import (
    BodySizeLimitMiddleware,
    InternalErrorMiddleware,
    NegotiatedGZipMiddleware,
    RequestLogMiddleware,
)
from app.routes import api, ops
from app.store import CellStore, DynamoCellStore


def tune_garbage_collector() -> None:
    """Fewer, cheaper collections: a heatmap builds thousands of small objects per request, and the
    default thresholds then run full collections over every module loaded at start (boto3 alone is
    tens of MB), which showed as 100+ ms tail latencies. Freezing moves the start-up heap out of
    the collector's reach; the larger first threshold collects less often."""
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def create_app(settings: Settings | None = None, store: CellStore | None = None) -> FastAPI:
    """The API; `store` defaults to the DynamoDB table named by the settings."""
    settings = settings or Settings.from_env()
    logs.configure(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        logs.configure(settings.log_level)  # again: however uvicorn was started, its logging is set up now
        if getattr(app.state, "store", None) is None:
            app.state.store = DynamoCellStore.connect(
                settings.table_name, settings.region, settings.dynamodb_endpoint
            )
        tune_garbage_collector()
        yield

    app = FastAPI(
        title="Safety Heatmap API",
        version="1.0.0",
        summary="Report places where you felt unsafe; read a heatmap of them. Stores cell counters only.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    app.include_router(api)
    app.include_router(ops)
    errors.install(app)
    # add_middleware puts each one outside the previous: gzip innermost, the request log outermost.
    # Level 4, not Starlette's default 9: a third of the CPU time for a body ~3 % larger.
    app.add_middleware(NegotiatedGZipMiddleware, minimum_size=500, compresslevel=4)
    app.add_middleware(InternalErrorMiddleware)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        timeout_seconds=settings.body_timeout_seconds,
    )
    # Outside the middleware that answer by themselves (408, 413, 500), so those responses get CORS
    # headers too and a browser can read them.
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            max_age=600,
        )
    app.add_middleware(RequestLogMiddleware)
    return app


try:
    app = create_app()
except ConfigError as error:
    sys.exit(f"configuration error: {error}")
