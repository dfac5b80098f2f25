"""`python -m app`: serve the API like the container does (HOST, PORT from the environment)."""

import os

from app.main import app
from app.serve import server

if __name__ == "__main__":
    server(app, os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "8080"))).run()
