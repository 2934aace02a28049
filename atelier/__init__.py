"""Atelier: post-its of a participatory workshop to reviewed, cited syntheses."""

from importlib.metadata import PackageNotFoundError, version

try:  # one source of truth: pyproject.toml, through the installed distribution's metadata
    __version__ = version("atelier")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
