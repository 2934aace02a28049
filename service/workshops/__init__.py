"""Workshops, axes and post-its."""
