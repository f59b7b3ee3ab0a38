"""Channel adapters: each turns its platform's messages into ``InboundMessage`` and sends ``Delivery``."""

from bot.channels.base import ChannelAdapter, DeliveryError, RecipientUnavailable

__all__ = ["ChannelAdapter", "DeliveryError", "RecipientUnavailable"]
