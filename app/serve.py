"""How the API is served: the uvicorn settings shared by the container, `make app` and the tests."""

from __future__ import annotations

import signal

import uvicorn

# ECS gives a stopping task (and a Spot task on interruption notice) SIGTERM, then SIGKILL after the
# container's stopTimeout, at most 120 s on Fargate. uvicorn stops accepting on SIGTERM and waits for
# in-flight requests; this bounds that wait well under the stop timeout. Requests themselves are
# bounded by the DynamoDB client's timeouts (app.store) and their bodies' arrival by a 10 s read
# timeout (app.middleware), so the cap is only reached by a request somehow stuck in the app.
GRACEFUL_SHUTDOWN_SECONDS = 30

# How long an idle keep-alive connection stays open. It must outlast the idle timeout of whatever
# reuses connections in front of the app, so that the proxy, never the app, closes an idle one:
# when the app closes first, a request the proxy sends at that moment meets a closed socket (a
# reset for the client, a 5xx from a proxy). uvicorn's default is 5 s. In front of the task is
# API Gateway's VPC link, and API Gateway documents no idle timeout for VPC-link integrations: its
# HTTP API quotas page gives only the 30 s integration timeout [1]. VPC links are built on AWS
# Hyperplane [2], and the Hyperplane-based NLB, NAT gateway and VPC endpoints have a fixed 350 s
# idle timeout [3]. So the app keeps idle connections a little longer than 350 s. An idle
# connection costs a socket and a few kB, and a shutdown closes idle connections at once.
# [1] https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
# [2] https://aws.amazon.com/blogs/compute/understanding-vpc-links-in-amazon-api-gateway-private-integrations/
# [3] https://aws.amazon.com/blogs/networking-and-content-delivery/implementing-long-running-tcp-connections-within-vpc-networking/
KEEP_ALIVE_SECONDS = 360


def server(app, host: str, port: int, log_level: str = "info") -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        access_log=False,  # app.middleware logs each request without the client's address
        server_header=False,
        # uvicorn's own logging config prints plain text; app.logs (set up by app.main.create_app)
        # sends uvicorn's loggers through the app's JSON handler instead.
        log_config=None,
        log_level=log_level.lower(),
        lifespan="on",
    )
    return uvicorn.Server(config)


def run(app, host: str, port: int, log_level: str = "info") -> int:
    """Serve until SIGTERM or SIGINT, shut down gracefully, and return 0. `log_level`: uvicorn's, a
    name of app.config.LOG_LEVELS in any case (the app's LOG_LEVEL).

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
