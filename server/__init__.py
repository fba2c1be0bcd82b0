"""Unspin: find machine-spun passages in news text and restore their likely original wording."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("unspin")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
