"""ASGI middleware: a JSON log line per request (with Server-Timing), a request body size cap, and a
JSON 500 for an unhandled error.

app.main stacks them, outermost first: request log, CORS, body limit, internal error, gzip. CORS sits
outside every middleware that answers by itself, so a browser can read the 408, 413 and 500 too.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

from fastapi.middleware.gzip import GZipMiddleware

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
        status = None  # stays None when no response was sent (the client went away first)

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
    """Reads the whole (small) body before the app runs, and answers by itself when it is too big or
    too slow: 413 for a body over `max_bytes`, whether it declares its length or is sent chunked;
    408 when the body has not fully arrived `timeout_seconds` after the request started.

    Without the time limit, a client that stops half way through its body holds a request open
    until uvicorn's graceful shutdown gives up on it (30 s), which then ends in a plain-text 500
    and a traceback; with it, the client gets a JSON 408 and the shutdown waits at most this long.
    Behind API Gateway a body arrives in one piece (the gateway has it whole before it calls the
    task), so only a stuck or hostile client ever waits this long.
    """

    def __init__(self, app, max_bytes: int, timeout_seconds: float):
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._too_large(send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_seconds
        chunks, size, more = [], 0, True
        while more:
            try:
                # One deadline for the whole body, not per chunk: a trickle of bytes cannot extend it.
                message = await asyncio.wait_for(receive(), max(deadline - loop.time(), 0))
            except TimeoutError:
                await self._timed_out(send)
                return
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

    async def _timed_out(self, send):
        seconds = f"{self.timeout_seconds:g}"
        error = body_error(f"the request body did not arrive within {seconds} seconds", "body_timeout")
        # RFC 9110, section 15.5.9: the server closes the connection after a 408.
        await send_json(send, 408, error, [(b"connection", b"close")])


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


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header value admits gzip (RFC 9110, section 12.5.3): listed as
    gzip or x-gzip with a weight over 0, or covered by `*` with a weight over 0 when not listed.
    `gzip;q=0` means "not gzip"; a substring test (Starlette's) reads it as yes."""
    listed: float | None = None
    star: float | None = None
    for item in accept_encoding.split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = 0.0
        coding = coding.lower()
        if coding in ("gzip", "x-gzip"):
            listed = max(listed or 0.0, weight)
        elif coding == "*":
            star = weight
    if listed is not None:
        return listed > 0
    return star is not None and star > 0


class NegotiatedGZipMiddleware:
    """Starlette's GZipMiddleware, with the decision made by accepts_gzip: Starlette compresses when
    the request's Accept-Encoding contains "gzip", so the header it sees is replaced by `gzip` when
    gzip is admitted (`*`, `GZIP`) and taken out when it is not (`gzip;q=0`)."""

    def __init__(self, app, **gzip_options):
        self.gzip = GZipMiddleware(app, **gzip_options)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            headers = scope["headers"]
            offered = b",".join(value for name, value in headers if name == b"accept-encoding")
            others = [(name, value) for name, value in headers if name != b"accept-encoding"]
            admitted = accepts_gzip(offered.decode("latin-1"))
            # In place, not a copy: the middleware outside read what the router sets on the scope.
            scope["headers"] = [*others, (b"accept-encoding", b"gzip")] if admitted else others
        await self.gzip(scope, receive, send)
