"""Blueprints: ``pages`` (HTML) and ``api`` (JSON)."""
