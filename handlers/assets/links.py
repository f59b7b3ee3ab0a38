"""Tickets and the devices they concern: a label number in a report links the new ticket to the
device, and an engineer links one by hand (``设备 1042 PC-0157``).

A label the registry does not know is left alone: the pattern only says what a label looks like,
the registry says which devices exist.
"""

from __future__ import annotations

import re

import storage
from handlers.context import HandlerContext
from handlers.contract import AssetRules


def labels_in(text: str, pattern: re.Pattern[str]) -> list[str]:
    """The label numbers written in ``text``, upper-case, in order, each once.

    A label must stand apart: ``XPC-0157`` or ``PC-01578`` hold no ``PC-0157``."""
    bounded = re.compile(rf"(?<![A-Za-z0-9])(?:{pattern.pattern})(?![A-Za-z0-9])", pattern.flags)
    found: list[str] = []
    for match in bounded.finditer(text):
        label = storage.normalise_label(match.group(0))
        if label not in found:
            found.append(label)
    return found


def rules_of(ctx: HandlerContext) -> AssetRules:
    return ctx.contract.assets if ctx.contract is not None else AssetRules()


async def link_labels(ctx: HandlerContext, ticket: storage.Ticket) -> list[storage.Device]:
    """Link a newly opened ticket to every registered device its text names; each link writes a
    ``device_linked`` event in the ticket's history (by nobody: recognised in the message)."""
    linked: list[storage.Device] = []
    for label in labels_in(ticket.text, rules_of(ctx).label_pattern):
        device = await storage.get_device(ctx.session, label)
        if device is None:
            continue
        if await storage.link_ticket_device(
            ctx.session, ticket, device, at=ctx.now, by=None, source=ctx.message.channel
        ):
            linked.append(device)
    return linked
