"""A stack's config as the Pulumi engine hands it to a program run in-process by the tests."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "safety-heatmap"


def engine_config(stack_name: str, **overrides) -> dict[str, str]:
    """Namespaced keys, string values, arrays as JSON; `overrides` are keys without the project."""
    values = yaml.safe_load((ROOT / f"Pulumi.{stack_name}.yaml").read_text())["config"]
    values.update({f"{PROJECT}:{key}": value for key, value in overrides.items()})

    def text(value):
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return json.dumps(value)
        return str(value)

    return {key: text(value) for key, value in values.items()}
