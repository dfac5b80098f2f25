"""`python -m app`: the container's command. Serves app.main:app on HOST:PORT (default 0.0.0.0:8080)
with a bounded graceful shutdown, and exits 0 after a SIGTERM. uvicorn logs at LOG_LEVEL, as the app."""

import os
import sys

from app.main import app
from app.serve import run

if __name__ == "__main__":
    host, port = os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "8080"))
    sys.exit(run(app, host, port, app.state.settings.log_level))
