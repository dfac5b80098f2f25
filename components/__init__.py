"""Pulumi component resources for the Safety Heatmap stack, plus the typed, validated stack settings."""
