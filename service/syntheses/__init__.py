"""Synthesis requests, background jobs and results."""
