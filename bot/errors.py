"""The bot's exception tree, in one place.

    HelpdeskError
    ├── StoreUnavailable     the database did not answer in time (busy, locked, down): the message was
    │                        NOT stored; the channel should ask the sender (or their app) to retry
    └── ConfigError          (config.settings) a bad setting, named by key, stops start-up

Failures at other boundaries become values, not exceptions: ``nlu.client.NluUnavailable`` turns into
an untriaged ticket, ``bot.channels.base.DeliveryError`` into an outbox retry.
"""

from __future__ import annotations


class HelpdeskError(Exception):
    """Base of the bot's own errors."""


class StoreUnavailable(HelpdeskError):
    """The store could not take the message; nothing was recorded, so it must be sent again."""
