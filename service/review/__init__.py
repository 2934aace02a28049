"""Facilitator review: editable pitches and clusters with a full history."""
