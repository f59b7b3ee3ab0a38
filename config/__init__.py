"""Typed, validated settings, read once at start-up (see ``config.settings``)."""

from config.settings import ConfigError, Settings, load_settings

__all__ = ["ConfigError", "Settings", "load_settings"]
