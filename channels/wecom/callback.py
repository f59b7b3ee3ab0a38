"""The application's callback URL (``/webhooks/wecom``): WeCom's encrypted XML in, ``InboundMessage`` out.

- ``GET``: the URL check; the signature of ``echostr`` is verified and the decrypted echostr answered.
- ``POST``: the body is checked before any parsing (at most ``MAX_BODY_BYTES``, no DTD: no entity
  can be declared, so none can expand), verified and decrypted with wechatpy's ``WeChatCrypto``
  (which also checks that it was encrypted for our corp id), parsed with wechatpy's
  ``parse_message``, and handed to the helpdesk: stored, answered with an empty 200 at once (WeCom
  gives up after 5 seconds and sends it again, three tries in all), then handled in the background;
  the replies go out through the API. A redelivery is stored once (MsgId; for an event, sender +
  CreateTime + event key) and not handled again.
- A card button press (``template_card_event``, unknown to wechatpy) carries our signed payload as
  its ``EventKey``, which becomes the message text; its ``ResponseCode`` is kept with the card it
  pressed (the sent message's channel id) so the card can be replaced once the press is handled.

Anything refused (bad signature, wrong corp id, malformed or oversized XML) is a 4xx with a log line
and stores nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import xmltodict
from aiohttp import web
from wechatpy.enterprise import parse_message
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException

from channels.wecom.render import SentRef
from core.errors import FileTooLarge, InvalidMessage, MessageIdReused, StoreUnavailable
from core.messages import Attachment, InboundMessage, parse_payload, printable
from core.ports import Helpdesk

log = logging.getLogger(__name__)

CALLBACK_PATH = "/webhooks/wecom"
CHANNEL = "wecom"
# WeCom's callbacks are a few hundred bytes; a text message holds at most 2048 bytes.
MAX_BODY_BYTES = 64 * 1024
# A press of a card not yet marked sent is waited for this many times this long (well within WeCom's 5 s).
SENT_WAIT_TRIES, SENT_WAIT_S = 10, 0.1
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)

# Downloads a file a person sent (media/get): its bytes and the name WeCom gives it.
Download = Callable[[str], Awaitable[tuple[bytes, str]]]


class Refused(Exception):
    """A callback refused at the edge: the HTTP status and why (for the log)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def _no_dtd(xml: bytes, what: str) -> None:
    if _DTD.search(xml):
        raise Refused(400, f"{what} declares a DTD or entities")


def _xml_fields(xml: bytes, what: str) -> dict[str, Any]:
    """The ``<xml>`` element's fields. Entities are refused before and by the parser."""
    _no_dtd(xml, what)
    try:
        doc = xmltodict.parse(xml, disable_entities=True)
    except Exception as exc:  # expat's errors and xmltodict's ValueError for entities
        raise Refused(400, f"{what} is not well-formed XML: {exc}") from exc
    fields = doc.get("xml") if isinstance(doc, dict) else None
    if not isinstance(fields, dict):
        raise Refused(400, f"{what} has no <xml> element")
    return fields


class WecomCallback:
    def __init__(
        self,
        crypto: WeChatCrypto,
        corp_id: str,
        agent_id: int,
        core_of: Callable[[], Helpdesk],
        download: Download | None = None,
    ) -> None:
        self._crypto = crypto
        self._corp_id = corp_id
        self._agent_id = agent_id
        self._core_of = core_of
        self._download = download
        self._tasks: set[asyncio.Task[bool]] = set()

    def install(self, app: web.Application) -> None:
        app.router.add_get(CALLBACK_PATH, self.verify)
        app.router.add_post(CALLBACK_PATH, self.receive)

    async def close(self) -> None:
        """Let the messages being handled finish (the recovery loop would redo any left)."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=10)

    @staticmethod
    def _signed(request: web.Request) -> tuple[str, str, str]:
        q = request.query
        signature, timestamp, nonce = q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", "")
        if not signature or not timestamp or not nonce:
            raise Refused(400, "msg_signature, timestamp and nonce are required")
        return signature, timestamp, nonce

    async def verify(self, request: web.Request) -> web.Response:
        """The URL check of the application's settings page: answer the decrypted echostr."""
        try:
            signature, timestamp, nonce = self._signed(request)
            echostr = request.query.get("echostr", "")
            if not echostr:
                raise Refused(400, "echostr is required")
            try:
                plain = self._crypto.check_signature(signature, timestamp, nonce, echostr)
            except InvalidSignatureException as exc:
                raise Refused(403, "bad signature") from exc
            except Exception as exc:  # wrong corp id, bad base64 or padding
                raise Refused(403, f"echostr does not decrypt for this corp: {type(exc).__name__}") from exc
        except Refused as exc:
            log.warning("WeCom URL check refused from %s: %s", request.remote, exc)
            return web.Response(status=exc.status, text=str(exc))
        return web.Response(text=str(plain))

    async def receive(self, request: web.Request) -> web.Response:
        try:
            fields = await self._decrypted(request)
            msg = await self._inbound(fields)
        except Refused as exc:
            log.warning("WeCom callback refused from %s: %s", request.remote, exc)
            return web.Response(status=exc.status, text=str(exc))
        if msg is None:
            return web.Response(text="")
        core = self._core_of()
        try:
            receipt = await core.accept(msg)
        except InvalidMessage as exc:
            log.warning("WeCom message from %s refused: %s", msg.sender, exc)
            return web.Response(status=400, text=str(exc))
        except MessageIdReused as exc:
            log.warning("WeCom message from %s refused: %s", msg.sender, exc)
            return web.Response(status=409, text=str(exc))
        except StoreUnavailable:
            # Not stored: WeCom sends it again when it gets no 200.
            return web.Response(status=503, text="busy")
        if not receipt.duplicate:
            task = asyncio.create_task(core.handle_stored(receipt), name=f"wecom-{receipt.inbound_id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return web.Response(text="")

    async def _decrypted(self, request: web.Request) -> dict[str, Any]:
        signature, timestamp, nonce = self._signed(request)
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            raise Refused(413, f"body of {request.content_length} bytes (at most {MAX_BODY_BYTES})")
        body = bytearray()
        while len(body) <= MAX_BODY_BYTES:
            chunk = await request.content.read(MAX_BODY_BYTES + 1 - len(body))
            if not chunk:
                break
            body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise Refused(413, f"body over {MAX_BODY_BYTES} bytes")
        outer = _xml_fields(bytes(body), "body")
        if not isinstance(outer.get("Encrypt"), str):
            raise Refused(400, "no <Encrypt> in the body")
        try:
            plain = self._crypto.decrypt_message(outer, signature, timestamp, nonce)
        except InvalidSignatureException as exc:
            raise Refused(403, "bad signature") from exc
        except Exception as exc:  # InvalidCorpIdException, bad base64, bad padding, bad length
            raise Refused(403, f"does not decrypt for this corp: {type(exc).__name__}") from exc
        inner = plain.encode("utf-8") if isinstance(plain, str) else bytes(plain)
        fields = _xml_fields(inner, "decrypted message")
        if str(fields.get("ToUserName", "")) != self._corp_id:
            raise Refused(403, f"message for another corp: {fields.get('ToUserName')!r}")
        agent = str(fields.get("AgentID") or "")
        if agent and agent != str(self._agent_id):
            raise Refused(403, f"message for another application: AgentID {agent}")
        fields["_xml"] = inner
        return fields

    async def _inbound(self, fields: dict[str, Any]) -> InboundMessage | None:
        """The message to store, or None for what the helpdesk does not take (entering the app...)."""
        try:
            message = parse_message(fields["_xml"])
        except Exception as exc:
            raise Refused(400, f"not a WeCom message: {type(exc).__name__}: {exc}") from exc
        sender = str(fields.get("FromUserName") or "")
        if not sender:
            raise Refused(400, "no FromUserName")
        created = str(fields.get("CreateTime") or "")
        received_at = self._core_of().clock.now()
        kind = message.type
        if kind == "event" or str(fields.get("MsgType", "")).lower() == "event":
            return await self._event(fields, sender, created, received_at)
        message_id = str(fields.get("MsgId") or "")
        if not message_id:
            raise Refused(400, "a message without MsgId")
        attachments: tuple[Attachment, ...] = ()
        if kind == "text":
            text = printable(str(message.content or "")).strip()
        elif kind == "voice" and fields.get("Recognition"):
            text = printable(str(fields["Recognition"])).strip()
        elif kind in ("image", "file") or str(fields.get("MsgType", "")).lower() == "file":
            text, attachments = await self._media(fields, sender)
        else:
            log.info("WeCom %s message from %s not taken", fields.get("MsgType"), sender)
            return None
        return InboundMessage(
            channel=CHANNEL,
            sender=sender,
            chat=sender,
            message_id=message_id,
            text=text,
            received_at=received_at,
            attachments=attachments,
        )

    async def _media(self, fields: dict[str, Any], sender: str) -> tuple[str, tuple[Attachment, ...]]:
        """A photo or a file: fetched from WeCom (media/get) and kept by the helpdesk; the message
        has no words (the pipeline attaches it to the person's ticket). A file too large to keep
        leaves the message empty, which the person is told."""
        kind = "image" if str(fields.get("MsgType", "")).lower() == "image" else "file"
        media_id = str(fields.get("MediaId") or "")
        if not media_id:
            raise Refused(400, f"a {kind} without MediaId")
        if self._download is None:
            raise Refused(503, "files cannot be fetched yet")
        try:
            data, given = await self._download(media_id)
        except Exception as exc:  # WeCom busy or unreachable: a 503 makes WeCom send it again
            raise Refused(503, f"media/get failed: {exc}") from exc
        name = printable(str(fields.get("FileName") or given or f"{kind}-{media_id[:16]}")).strip()[:255]
        try:
            ref = await self._core_of().store_file(name, data)
        except FileTooLarge:
            log.info("WeCom %s %r from %s is too large to keep (%d bytes)", kind, name, sender, len(data))
            return "", ()
        except StoreUnavailable:
            raise Refused(503, "the file store is busy") from None
        return "", (Attachment(kind, name, ref, len(data)),)

    async def _event(
        self, fields: dict[str, Any], sender: str, created: str, received_at: datetime
    ) -> InboundMessage | None:
        event = str(fields.get("Event") or "").lower()
        key = str(fields.get("EventKey") or "")
        if event == "template_card_event":
            return await self._press(fields, sender, created, received_at, key)
        if event == "click" and key:
            text = key  # a menu item: its key is what it says
        else:
            log.info("WeCom event %r from %s not taken", event, sender)
            return None
        return InboundMessage(CHANNEL, sender, sender, _event_id(event, created, key), printable(text), received_at)

    async def _press(
        self, fields: dict[str, Any], sender: str, created: str, received_at: datetime, key: str
    ) -> InboundMessage | None:
        """A card button: the key is our signed payload; keep the response code with the card."""
        press = parse_payload(key)
        if press is None or press.sent is None:
            log.info("WeCom card press from %s with a key that is not ours: %r", sender, key[:64])
            return None
        task_id = str(fields.get("TaskId") or "")
        code = str(fields.get("ResponseCode") or "")
        core = self._core_of()
        try:
            stored = SentRef.decode(await core.sent_message_ref(CHANNEL, press.sent, sender))
            for _ in range(SENT_WAIT_TRIES):
                if stored.task_id:
                    break
                # Pressed the moment it arrived: the outbox marks it sent just after WeCom answered.
                await asyncio.sleep(SENT_WAIT_S)
                stored = SentRef.decode(await core.sent_message_ref(CHANNEL, press.sent, sender))
            if task_id and code and stored.task_id == task_id:
                await core.set_sent_message_ref(CHANNEL, press.sent, sender, SentRef(task_id, code).encode())
        except StoreUnavailable:
            raise Refused(503, "the store is busy") from None
        return InboundMessage(CHANNEL, sender, sender, _event_id("template_card_event", created, key), key, received_at)


def _event_id(event: str, created: str, key: str) -> str:
    """An event has no MsgId: sender (part of the store's key) + CreateTime + event and key."""
    digest = hashlib.sha256(f"{event}\x1f{key}".encode()).hexdigest()[:24]
    return f"ev:{created}:{digest}"
