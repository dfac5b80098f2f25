"""Test-only server: the real app and serving path (app.serve.run, as `python -m app`), with a
store that pauses inside each report so the SIGTERM test has a request in flight.

Usage: python slow_server.py PORT SECONDS MARKER [BODY_TIMEOUT]
(MARKER: a file touched when a report enters the store; BODY_TIMEOUT: the body read timeout, seconds)
"""

import dataclasses
import pathlib
import sys
import time

from app.config import Settings
from app.deps import get_store
from app.main import create_app
from app.serve import run


class SlowStore:
    def __init__(self, inner, seconds: float, marker: str):
        self.inner, self.seconds, self.marker = inner, seconds, marker

    def add_report(self, cells, now):
        pathlib.Path(self.marker).touch()
        time.sleep(self.seconds)
        self.inner.add_report(cells, now)

    def cells_between(self, precision, prefix, low, high):
        return self.inner.cells_between(precision, prefix, low, high)

    def ping(self):
        return self.inner.ping()


if __name__ == "__main__":
    port, seconds, marker = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
    settings = Settings.from_env()
    if len(sys.argv) > 4:
        settings = dataclasses.replace(settings, body_timeout_seconds=float(sys.argv[4]))
    app = create_app(settings)
    app.dependency_overrides[get_store] = lambda: SlowStore(app.state.store, seconds, marker)
    sys.exit(run(app, "127.0.0.1", port))
