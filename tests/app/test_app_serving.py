"""How uvicorn serves the app: keep-alive connections, and requests whose body never completes."""

import time

from heatmap_testkit import RawHttp, request_bytes

from app.serve import KEEP_ALIVE_SECONDS, server

UVICORN_DEFAULT_KEEP_ALIVE = 5
# VPC links run on AWS Hyperplane, whose NLB/NAT/endpoint flows have a fixed 350 s idle timeout.
PROXY_IDLE_TIMEOUT = 350


def test_keep_alive_outlasts_the_proxys_idle_timeout():
    # The proxy in front must close an idle connection before the app does (app/serve.py).
    assert KEEP_ALIVE_SECONDS > PROXY_IDLE_TIMEOUT
    assert server(object(), "127.0.0.1", 1).config.timeout_keep_alive == KEEP_ALIVE_SECONDS


def test_an_idle_keep_alive_connection_is_still_open_after_uvicorns_default(live_server):
    # With uvicorn's 5 s default, the server closes this connection while the client (a proxy
    # reusing its pool) may be sending on it: the connection resets of the concurrent-report test.
    with RawHttp(live_server.url) as http:
        http.send(request_bytes("GET", "/health"))
        assert http.response()[0] == 200
        time.sleep(UVICORN_DEFAULT_KEEP_ALIVE + 1)
        assert not http.closed_by_server()
        http.send(request_bytes("GET", "/health"))
        assert http.response()[0] == 200
