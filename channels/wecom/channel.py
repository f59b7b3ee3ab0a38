"""The WeCom adapters: a person's chat with the application, and the engineers' group chat.

Translation only: a ``Delivery`` becomes ``message/send`` calls (``render``), an edit of a card
becomes ``message/update_template_card`` with the card's response code, and WeCom's errcodes become
the outbox's errors: busy and rate limits are retried (``DeliveryError``), a recipient outside the
application's visible range or unknown is unreachable on WeCom, anything else fails the row.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from channels.base import DeliveryError, PermanentDeliveryError, RecipientUnreachable
from channels.wecom.api import UNREACHABLE, WecomApi, WecomApiError, WecomBadSecret, WecomBusy
from channels.wecom.render import SentRef, card_messages, card_update, task_id_for, text_messages
from core.messages import Delivery, FileRef

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif"})


def _mapped(exc: WecomApiError, who: str) -> DeliveryError:
    """The outbox's error for a WeCom error (the log line carries errcode and errmsg)."""
    if isinstance(exc, WecomBusy):
        return DeliveryError(str(exc))
    if isinstance(exc, WecomBadSecret):  # the secret was changed while running: keep the messages
        log.error("WeCom refuses the application's secret (%s); set [wecom] secret and restart", exc)
        return DeliveryError(str(exc))
    if exc.errcode in UNREACHABLE:
        return RecipientUnreachable(f"WeCom cannot reach {who}: errcode {exc.errcode}: {exc.errmsg}")
    return PermanentDeliveryError(f"WeCom refused {exc.path}: errcode {exc.errcode}: {exc.errmsg}")


class WecomChannel:
    """A person's chat with the application (the ``touser`` is their WeCom UserId)."""

    name = "wecom"
    supports_buttons = True
    supports_edit = True

    def __init__(self, api: WecomApi, agent_id: int) -> None:
        self.api = api
        self._agent_id = agent_id

    async def send(self, delivery: Delivery) -> str:
        try:
            return await self._send(delivery)
        except WecomApiError as exc:
            raise _mapped(exc, delivery.chat) from exc

    async def _send(self, delivery: Delivery) -> str:
        reply = delivery.reply
        ref = SentRef()
        if reply.buttons:
            task_id = task_id_for(delivery.outbox_id)
            bodies = card_messages(reply, task_id)
        else:
            task_id, bodies = "", text_messages(reply.text) if reply.text.strip() or not reply.files else []
        for body in bodies:
            answer = await self._post(delivery.chat, body)
            if body["msgtype"] == "template_card":
                ref = SentRef(task_id=task_id, response_code=str(answer.get("response_code", "")))
            elif not ref.task_id:
                ref = SentRef(msgid=str(answer.get("msgid", "")))
        for file in reply.files:
            answer = await self._send_file(delivery.chat, file)
            if not ref.task_id and not ref.msgid:
                ref = SentRef(msgid=str(answer.get("msgid", "")))
        return ref.encode()

    async def _post(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = await self.api.send_message({"touser": user, "agentid": self._agent_id, **body})
        # One recipient: WeCom may answer 0 and list them as invalid instead of 81013.
        if user in str(answer.get("invaliduser", "")).split("|"):
            raise WecomApiError("/message/send", 81013, f"invaliduser {user}")
        return answer

    async def _send_file(self, user: str, file: FileRef) -> dict[str, Any]:
        data = await asyncio.to_thread(Path(file.path).read_bytes)
        kind = "image" if Path(file.name).suffix.lower() in IMAGE_SUFFIXES else "file"
        media_id = await self.api.upload(kind, file.name, data)
        return await self._post(user, {"msgtype": kind, kind: {"media_id": media_id}})

    async def edit(self, delivery: Delivery) -> None:
        """Replace a card in place with its response code; without one (a text, a code used up or
        expired after 72 hours), send the reply as a new message."""
        ref = SentRef.decode(delivery.edit_of)
        if ref.task_id and ref.response_code:
            update = {
                "userids": [delivery.chat],
                "agentid": self._agent_id,
                "response_code": ref.response_code,
                "template_card": card_update(delivery.reply, ref.task_id),
            }
            try:
                await self.api.update_template_card(update)
                return
            except WecomBusy as exc:
                raise DeliveryError(str(exc)) from exc
            except WecomApiError as exc:
                if exc.errcode in UNREACHABLE:
                    raise _mapped(exc, delivery.chat) from exc
                log.info("outbox %s: card %s not updated (%s); sending anew", delivery.outbox_id, ref.task_id, exc)
        await self.send(delivery)


class WecomGroupChannel:
    """The engineers' group chat made by the application (``appchat``): plain text, no buttons."""

    name = "wecom_group"
    supports_buttons = False
    supports_edit = False

    def __init__(self, api: WecomApi) -> None:
        self.api = api

    async def send(self, delivery: Delivery) -> str:
        ref = SentRef()
        try:
            for body in text_messages(delivery.reply.text):
                await self.api.appchat_send({"chatid": delivery.chat, **body})
        except WecomApiError as exc:
            raise _mapped(exc, f"group {delivery.chat}") from exc
        return ref.encode()

    async def edit(self, delivery: Delivery) -> None:
        await self.send(delivery)
