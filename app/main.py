"""Placeholder Safety Heatmap API: only the health check the container and ECS probe.

The full API (reports, heatmap) replaces this module; it keeps `app.main:app` and `GET /health`.
"""

from fastapi import FastAPI

app = FastAPI(title="Safety Heatmap API")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
