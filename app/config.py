"""Settings from the environment; the stack sets these variables on the task."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_TABLE_NAME = "safety-heatmap"
DEFAULT_REGION = "us-east-1"
# Not every name `logging` knows: uvicorn adds TRACE, at which it logs each client's address.
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(ValueError):
    """An environment variable (or a command-line option) has a value the app cannot use."""


_DIGITS = re.compile(r"[0-9]{1,5}")
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")


def parse_port(value: str, name: str = "PORT") -> int:
    """A TCP port to listen on: 1 to 65535."""
    text = value.strip()
    if not _DIGITS.fullmatch(text) or not 1 <= int(text) <= 65535:
        raise ConfigError(f"{name}={value!r} is not a port; use a number from 1 to 65535")
    return int(text)


def parse_host(value: str, name: str = "HOST") -> str:
    """An address to listen on: an IPv4 or IPv6 address, or a host name (RFC 1123 labels)."""
    text = value.strip()
    try:
        ipaddress.ip_address(text)
        return text
    except ValueError:
        pass
    labels = text.rstrip(".").split(".")
    if not text or len(text) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise ConfigError(
            f"{name}={value!r} is not an IP address or host name; use e.g. 0.0.0.0 (all interfaces)"
            " or 127.0.0.1"
        )
    return text


def parse_table_name(value: str, name: str = "--table") -> str:
    """A name CreateTable takes: 3 to 255 letters, digits, '_', '-' and '.'. (For the local run, which
    creates its table. TABLE_NAME is not checked: DynamoDB's data-plane calls also take a table ARN.)"""
    text = value.strip()
    if not _TABLE_NAME.fullmatch(text):
        raise ConfigError(
            f"{name}={value!r} is not a DynamoDB table name; use 3 to 255 letters, digits, '_', '-' or '.'"
        )
    return text


@dataclass(frozen=True)
class Settings:
    table_name: str = DEFAULT_TABLE_NAME
    region: str = DEFAULT_REGION
    dynamodb_endpoint: str | None = None  # only for local runs (moto); unset on AWS
    log_level: str = "INFO"
    cors_origins: tuple[str, ...] = ()
    host: str = "0.0.0.0"  # for python -m app; all interfaces, as the container needs
    port: int = 8080
    max_body_bytes: int = 4096
    body_timeout_seconds: float = 10.0  # from the request's start until its whole body has arrived
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
        host = parse_host(env.get("HOST", "").strip() or "0.0.0.0")
        port = parse_port(env.get("PORT", "").strip() or "8080")
        return cls(
            table_name=table,
            region=region,
            dynamodb_endpoint=endpoint,
            log_level=level,
            cors_origins=origins,
            host=host,
            port=port,
        )
