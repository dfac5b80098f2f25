# syntax=docker/dockerfile:1
# The Safety Heatmap API image. Built for linux/arm64 by the stack (components/image.py: docker-build, platform from config);
# every instruction also works for linux/amd64. Both stages use the same pinned base so the venv's
# interpreter path (/usr/local/bin/python3.12) is identical in the final image.

FROM python:3.12.8-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /build
# Dependencies only: pure-Python packages or prebuilt wheels for arm64/amd64, no compiler needed.
COPY app/requirements.txt .
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --requirement requirements.txt

FROM python:3.12.8-slim-bookworm AS runtime
ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=8080
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app
WORKDIR /srv
COPY --from=build /opt/venv /opt/venv
# Code owned by root and read-only for the app user; the task also mounts the root file system read-only.
COPY app/ ./app/
USER 10001:10001
EXPOSE 8080
# ECS runs the task definition's health check; this one serves `docker run` locally (same probe).
# Liveness, not /health: /health is 503 while DynamoDB is unreachable, and replacing healthy tasks
# during a DynamoDB outage would not help (/live makes no DynamoDB call).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/live', timeout=4)"]
# Fargate (Spot too) sends SIGTERM and waits stopTimeout (120 s) before SIGKILL: `python -m app` (uvicorn,
# app/serve.py) stops accepting, finishes in-flight requests for up to 30 s, then exits 0. Its access log
# is the app's own JSON line per request, without the client's address.
CMD ["python", "-m", "app"]
