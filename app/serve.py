"""How the API is served: the uvicorn settings shared by the container, `make app` and the tests."""

from __future__ import annotations

import signal

import uvicorn

# ECS gives a stopping task (and a Spot task on interruption notice) SIGTERM, then SIGKILL after the
# container's stopTimeout, at most 120 s on Fargate. uvicorn stops accepting on SIGTERM and waits for
# in-flight requests; this bounds that wait well under the stop timeout. Requests themselves are
# bounded by the DynamoDB client's timeouts (app.store), so the cap is only reached by stuck clients.
GRACEFUL_SHUTDOWN_SECONDS = 30


def server(app, host: str, port: int, log_level: str = "info") -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        access_log=False,  # app.middleware logs each request without the client's address
        server_header=False,
        log_level=log_level,
        lifespan="on",
    )
    return uvicorn.Server(config)


def run(app, host: str, port: int, log_level: str = "info") -> int:
    """Serve until SIGTERM or SIGINT, shut down gracefully, and return 0.

    uvicorn re-raises the stop signal once it has shut down, which with the default handler ends
    the process with status 143 (or a KeyboardInterrupt). A stop is the expected end of a task, so
    these handlers, which uvicorn restores before re-raising, turn it into a clean exit.
    """
    previous = {sig: signal.signal(sig, lambda *_: None) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        server(app, host, port, log_level).run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
