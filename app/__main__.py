"""`python -m app`: the container's command. Serves app.main:app on HOST:PORT (default 0.0.0.0:8080;
both validated with the other settings, app.config) with a bounded graceful shutdown, and exits 0
after a SIGTERM. uvicorn logs at LOG_LEVEL, as the app does."""

import sys

from app.main import app
from app.serve import run

if __name__ == "__main__":
    settings = app.state.settings
    sys.exit(run(app, settings.host, settings.port, settings.log_level))
