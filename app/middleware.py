"""ASGI middleware: a JSON log line per request (with Server-Timing), a request body size cap, and a
JSON 500 for an unhandled error.

app.main stacks them, outermost first: request log, CORS, body limit, internal error, gzip. CORS sits
outside every middleware that answers by itself, so a browser can read the 413 and the 500 too.
"""

from __future__ import annotations

import json
import logging
import time

from app.heatmap import Timing

log = logging.getLogger("app.request")
error_log = logging.getLogger("app.error")


async def send_json(send, status: int, content, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps(content, separators=(",", ":")).encode()
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": head + (headers or [])})
    await send({"type": "http.response.body", "body": body})


def body_error(msg: str, kind: str) -> dict:
    """The 422 shape for an error about the body as a whole (field `body`)."""
    return {"detail": [{"loc": ["body"], "field": "body", "msg": msg, "type": kind}]}


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
        error = body_error(f"request body larger than {self.max_bytes} bytes", "body_too_large")
        await send_json(send, 413, error)


class InternalErrorMiddleware:
    """Answers an unhandled exception with `500 {"detail": "internal error"}` and one log line.

    Starlette's own last resort (ServerErrorMiddleware) sits outside all other middleware, so its
    500 would carry no CORS headers; it also re-raises, and uvicorn logs a traceback. Logged here:
    the exception's class and where it was raised, never its message (it may hold the input).
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            error_log.error("unhandled error", exc_info=True)
            if started:  # a response is under way: nothing else can be sent
                raise
            await send_json(send, 500, {"detail": "internal error"})
