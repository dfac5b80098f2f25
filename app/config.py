"""Settings from the environment; the stack sets these variables on the task."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_TABLE_NAME = "safety-heatmap"
DEFAULT_REGION = "us-east-1"
# Not every name `logging` knows: uvicorn adds TRACE, at which it logs each client's address.
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(ValueError):
    """An environment variable has a value the app cannot use."""


@dataclass(frozen=True)
class Settings:
    table_name: str = DEFAULT_TABLE_NAME
    region: str = DEFAULT_REGION
    dynamodb_endpoint: str | None = None  # only for local runs (moto); unset on AWS
    log_level: str = "INFO"
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = 4096
    max_cells: int = 10_000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        level = env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
        if level not in LOG_LEVELS:
            raise ConfigError(f"LOG_LEVEL={level!r} is not a log level; use DEBUG, INFO, WARNING or ERROR")
        origins = tuple(o.strip() for o in env.get("CORS_ORIGINS", "").split(",") if o.strip())
        for origin in origins:
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ConfigError(
                    f"CORS_ORIGINS entry {origin!r} is not an origin; use e.g. https://example.org,https://b.org"
                )
        table = env.get("TABLE_NAME", "").strip() or DEFAULT_TABLE_NAME
        region = (
            env.get("AWS_REGION", "").strip() or env.get("AWS_DEFAULT_REGION", "").strip() or DEFAULT_REGION
        )
        endpoint = env.get("DYNAMODB_ENDPOINT", "").strip() or None
        if endpoint is not None and not endpoint.startswith(("http://", "https://")):
            raise ConfigError(f"DYNAMODB_ENDPOINT={endpoint!r} is not a URL; use e.g. http://127.0.0.1:5000")
        return cls(
            table_name=table, region=region, dynamodb_endpoint=endpoint, log_level=level, cors_origins=origins
        )
