"""The terminal channel: ``helpdesk chat --as <person>``. Buttons become numbered choices."""

from __future__ import annotations

import asyncio
import sys
import uuid
from typing import TextIO

from core.messages import Button, Delivery, InboundMessage, printable
from core.ports import Helpdesk


class TerminalChannel:
    name = "terminal"
    supports_buttons = False
    supports_edit = False

    def __init__(self, out: TextIO = sys.stdout) -> None:
        self._out = out
        self.last_buttons: tuple[Button, ...] = ()
        self.received = asyncio.Event()

    async def send(self, delivery: Delivery) -> str:
        self.last_buttons = delivery.reply.buttons or self.last_buttons
        self._out.write("\n🤖 " + printable(delivery.reply.as_plain_text()).replace("\n", "\n   ") + "\n")
        self._out.flush()
        self.received.set()
        return f"t{delivery.outbox_id}"

    async def edit(self, delivery: Delivery) -> None:
        await self.send(delivery)

    def to_inbound(self, person_id: str, line: str, core: Helpdesk) -> InboundMessage:
        """A typed line; a bare number picks that button of the last reply."""
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(self.last_buttons):
            text = self.last_buttons[int(text) - 1].payload
        return InboundMessage(
            channel=self.name,
            sender=person_id,
            chat=person_id,
            message_id=uuid.uuid4().hex,
            text=text,
            received_at=core.clock.now(),
        )
