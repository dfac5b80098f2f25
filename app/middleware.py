"""ASGI middleware: a JSON log line per request (with Server-Timing), and a request body size cap."""

from __future__ import annotations

import json
import logging
import time

from app.heatmap import Timing

log = logging.getLogger("app.request")


class RequestLogMiddleware:
    """Logs method, route template, status and duration; never the path, body, query or client address.

    Also adds `Server-Timing: store;dur=.., app;dur=..` so the time spent waiting for DynamoDB and
    the time spent processing can be told apart by a client (and by the benchmark).
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        timing = Timing()
        scope.setdefault("state", {})["timing"] = timing
        status = 500

        async def send_with_timing(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                total_ms = (time.perf_counter() - started) * 1000
                store_ms = timing.store_seconds * 1000
                header = f"store;dur={store_ms:.2f}, app;dur={total_ms - store_ms:.2f}".encode()
                message = {**message, "headers": [*message.get("headers", []), (b"server-timing", header)]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_timing)
        finally:
            route = scope.get("route")
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": getattr(route, "path", None),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "store_ms": round(timing.store_seconds * 1000, 2),
                },
            )


class BodySizeLimitMiddleware:
    """Answers 413 to a body over `max_bytes`, whether it declares its length or is sent chunked."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._too_large(send)
            return
        # Read the whole (small) body first, so an oversized chunked body is refused before the app runs.
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body_sent = False

        async def replay():
            nonlocal body_sent
            if not body_sent:
                body_sent = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send):
        body = json.dumps({"detail": f"request body larger than {self.max_bytes} bytes"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
