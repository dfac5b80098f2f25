"""How the API is served: the uvicorn settings shared by the container, `make app` and the tests."""

from __future__ import annotations

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
