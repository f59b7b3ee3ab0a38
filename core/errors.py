"""The bot's exception tree, in one place.

    HelpdeskError
    ├── StoreUnavailable     the database did not answer in time (busy, locked, down): the message was
    │                        NOT stored; the channel should ask the sender (or their app) to retry
    ├── InvalidMessage       the message can never be stored as it is (an id too long, a control
    │                        character): a client error with the reason (HTTP 400), not "retry"
    ├── MessageIdReused      the sender sent another text under a message id they used before: a
    │                        client error (HTTP 409); the store raises it
    ├── FileTooLarge         a file a person sent is bigger than the file store takes
    └── ConfigError          (config.settings) a bad setting, named by key, stops start-up

Failures at other boundaries become values, not exceptions: ``nlu.client.NluUnavailable`` turns into
an untriaged ticket, ``channels.base.DeliveryError`` into an outbox retry.
"""

from __future__ import annotations


class HelpdeskError(Exception):
    """Base of the bot's own errors."""


class StoreUnavailable(HelpdeskError):
    """The store could not take the message; nothing was recorded, so it must be sent again."""


class InvalidMessage(HelpdeskError):
    """The message breaks a limit of the store or holds characters no chat can show; the text says which."""


class MessageIdReused(HelpdeskError):
    """The sender sent a different text under a message id they used before: a client error.

    Nothing is stored; treating it as a redelivery would answer the new text with the old reply."""


class FileTooLarge(HelpdeskError):
    """A file a person sent is bigger than the file store takes (``[files] max_mb``)."""
