"""The web chat channel (an intranet page with live push) and the Rasa-style REST webhook.

Translation only: HTTP and WebSocket frames in, ``InboundMessage`` to the core; ``Delivery`` out to
the open browser tabs of the recipient.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from channels.base import RecipientUnavailable
from core.errors import InvalidMessage, MessageIdReused, StoreUnavailable
from core.messages import MAX_TEXT_LENGTH, Delivery, InboundMessage, Reply, printable
from core.ports import Helpdesk

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"


def reply_json(reply: Reply) -> dict[str, Any]:
    return {
        "text": printable(reply.text),
        "buttons": [{"title": printable(b.title), "payload": b.payload} for b in reply.buttons],
        "files": [{"name": f.name} for f in reply.files],
    }


class WebChatChannel:
    """Pushes deliveries to every open tab of the recipient; a person with no tab open is retried."""

    name = "web"
    supports_buttons = True
    supports_edit = True

    def __init__(self) -> None:
        self._sockets: dict[str, set[web.WebSocketResponse]] = defaultdict(set)

    def connected(self, person_id: str) -> bool:
        return bool(self._sockets.get(person_id))

    async def send(self, delivery: Delivery) -> str:
        await self._push(
            delivery.recipient, {"type": "message", "id": f"o{delivery.outbox_id}", **reply_json(delivery.reply)}
        )
        return f"o{delivery.outbox_id}"

    async def edit(self, delivery: Delivery) -> None:
        await self._push(delivery.recipient, {"type": "edit", "id": delivery.edit_of, **reply_json(delivery.reply)})

    async def _push(self, person_id: str, frame: dict[str, Any]) -> None:
        sockets = [ws for ws in self._sockets.get(person_id, ()) if not ws.closed]
        if not sockets:
            raise RecipientUnavailable(f"{person_id} has no web chat open")
        for ws in sockets:
            await ws.send_json(frame)

    def attach(self, person_id: str, ws: web.WebSocketResponse) -> None:
        self._sockets[person_id].add(ws)

    def detach(self, person_id: str, ws: web.WebSocketResponse) -> None:
        self._sockets[person_id].discard(ws)

    async def close_all(self) -> None:
        for sockets in self._sockets.values():
            for ws in list(sockets):
                await ws.close()


def _json(data: Any, status: int = 200) -> web.Response:
    """JSON with Chinese left readable (curl users and logs see 工单, not \\u5de5\\u5355)."""
    return web.json_response(data, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


def _bad_request(message: str) -> web.Response:
    return _json({"error": message}, status=400)


def setup_web_routes(
    app: web.Application, core_of: Callable[[], Helpdesk], channel: WebChatChannel, *, chat: bool = True
) -> None:
    """Register the REST webhook, the static files and, with ``chat`` ([web] enabled), the chat page,
    its API and the WebSocket on ``app``. Without the chat nobody can pick a person in a browser.

    ``core_of`` gives the core once the app has started (routes are registered before start-up)."""

    async def index(_request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html")

    async def people(_request: web.Request) -> web.Response:
        core = core_of()
        return _json([p.__dict__ for p in await core.directory()])

    async def history(request: web.Request) -> web.Response:
        core = core_of()
        person = request.query.get("person", "")
        items = await core.history(person)
        return _json(
            [{"id": i.id, "from_person": i.from_person, "at": i.at.isoformat(), **reply_json(i.reply)} for i in items]
        )

    async def rest_webhook(request: web.Request) -> web.Response:
        """Rasa's REST-channel shape: {"sender", "message"[, "message_id"]} → [{"text", "buttons"}]."""
        core = core_of()
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _bad_request('body must be JSON: {"sender": "<person id>", "message": "<text>"}')
        if not isinstance(body, dict):
            return _bad_request("body must be a JSON object")
        sender, text = body.get("sender"), body.get("message")
        if not isinstance(sender, str) or not sender or not isinstance(text, str) or not text.strip():
            return _bad_request('"sender" and "message" must be non-empty strings')
        message_id = body.get("message_id") or uuid.uuid4().hex
        if not isinstance(message_id, str | int) or isinstance(message_id, bool):
            return _bad_request('"message_id" must be a string')
        msg = InboundMessage(
            channel="rest",
            sender=sender,
            chat=sender,
            message_id=str(message_id),
            text=text.strip(),
            received_at=core.clock.now(),
        )
        try:
            receipt = await core.accept(msg)
        except InvalidMessage as exc:
            return _bad_request(str(exc))
        except MessageIdReused as exc:
            return _json({"error": f"{exc}: send a new message with a new message_id"}, status=409)
        except StoreUnavailable:
            # Not stored: 503 tells the caller to send the same message (and message_id) again.
            return _json({"error": core.busy_text(), "retry": True}, status=503)
        await core.handle_stored(receipt)
        replies = await core.take_replies(receipt.inbound_id)
        if not replies:
            return _json([{"recipient_id": sender, "text": core.delayed_text(), "buttons": [], "files": []}])
        return _json([{"recipient_id": sender, **reply_json(r)} for _, r in replies])

    async def websocket(request: web.Request) -> web.WebSocketResponse:
        core = core_of()
        person = request.query.get("person", "")
        ws = web.WebSocketResponse(heartbeat=30)
        await ws.prepare(request)
        if not person:
            await ws.send_json({"type": "error", "error": "choose who you are first"})
            await ws.close()
            return ws
        channel.attach(person, ws)
        try:
            await core.came_online("web", person)
            async for frame in ws:
                if frame.type != WSMsgType.TEXT:
                    continue
                await _on_frame(ws, person, frame.data)
        finally:
            channel.detach(person, ws)
        return ws

    async def _on_frame(ws: web.WebSocketResponse, person: str, data: str) -> None:
        core = core_of()
        try:
            frame = json.loads(data)
            text = str(frame["text"]).strip()
            client_id = str(frame.get("id") or uuid.uuid4().hex)
        except (ValueError, KeyError, TypeError):
            await ws.send_json({"type": "error", "error": "malformed frame"})
            return
        if not text or len(text) > MAX_TEXT_LENGTH:
            await ws.send_json({"type": "error", "id": client_id, "error": "empty or too long"})
            return
        msg = InboundMessage(
            channel="web", sender=person, chat=person, message_id=client_id, text=text, received_at=core.clock.now()
        )
        try:
            receipt = await core.accept(msg)
        except (InvalidMessage, MessageIdReused) as exc:
            await ws.send_json({"type": "error", "id": client_id, "error": str(exc)})
            return
        except StoreUnavailable:
            await ws.send_json({"type": "error", "id": client_id, "error": core.busy_text(), "retry": True})
            return
        # Stored: tell the page so it can mark the message delivered, then handle it.
        await ws.send_json({"type": "ack", "id": client_id, "inbound": receipt.inbound_id})
        await core.handle_stored(receipt)

    if chat:
        app.router.add_get("/", index)
        app.router.add_get("/api/people", people)
        app.router.add_get("/api/history", history)
        app.router.add_get("/ws", websocket)
    app.router.add_post("/webhooks/rest/webhook", rest_webhook)
    app.router.add_static("/static/", STATIC)
