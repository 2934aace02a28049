"""Atelier: post-its of a participatory workshop to reviewed, cited syntheses."""

__version__ = "0.1.0"
