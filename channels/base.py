"""The adapter interface every channel implements (web chat now; Telegram and WeCom next).

An adapter receives platform input, builds an ``InboundMessage`` and hands it to the pipeline's
``on_message`` callback; it sends what the outbox hands it. It holds no helpdesk logic.
"""

from __future__ import annotations

from typing import Protocol

from core.messages import Delivery


class DeliveryError(Exception):
    """Sending failed; the outbox retries with backoff."""


class RecipientUnavailable(DeliveryError):
    """The person cannot be reached on this channel right now (e.g. no open web chat); retried."""


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help (a malformed request, a refused payload); the outbox marks the row failed."""


class RecipientUnreachable(PermanentDeliveryError):
    """The platform says this user cannot be reached by the bot (blocked it, left the app's visible
    range, unknown user). The outbox marks the identity unreachable and sends the message at once on
    the person's next identity; a page falls through to the next step of its chain."""


class ChannelAdapter(Protocol):
    name: str
    supports_buttons: bool
    supports_edit: bool

    async def send(self, delivery: Delivery) -> str:
        """Send and return the channel's id for the sent message (used to edit it later)."""
        ...

    async def edit(self, delivery: Delivery) -> None:
        """Replace the message ``delivery.edit_of`` with ``delivery.reply``."""
        ...
