"""Atelier's REST service (Litestar)."""
