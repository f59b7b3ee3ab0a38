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
from urllib.parse import quote

from aiohttp import WSMsgType, web

from channels.base import RecipientUnavailable
from channels.web.access import SIGN_IN_PAGE, WebAccess, person_json, refuse_cross_origin
from core.errors import InvalidMessage, MessageIdReused, StoreUnavailable
from core.messages import MAX_ID_LENGTH, MAX_TEXT_LENGTH, Delivery, InboundMessage, Reply, printable
from core.ports import ApiAccess, Helpdesk, PersonView, SignInRefusal

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"


def reply_json(reply: Reply) -> dict[str, Any]:
    return {
        "text": printable(reply.text),
        "buttons": [{"title": printable(b.title), "payload": b.payload} for b in reply.buttons],
        # A file is downloaded by its name from the signed-in chat (``/reports/<name>``): the core
        # decides what the name stands for and whether the person may have it, never a path sent here.
        "files": [{"name": f.name, "url": f"/reports/{quote(f.name)}"} for f in reply.files],
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


def _bearer(request: web.Request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def _json_body(request: web.Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def setup_web_routes(
    app: web.Application,
    core_of: Callable[[], Helpdesk],
    channel: WebChatChannel,
    access: WebAccess,
    *,
    chat: bool = True,
) -> None:
    """Register the pages, their API, the WebSocket and the REST webhook on ``app``.

    ``core_of`` gives the core once the app has started (routes are registered before start-up).
    Every personal route serves the person of the session cookie (``access``), never a person named
    in the request; the picker (``/api/people``, ``/api/demo/sign-in``) exists in demo mode only.
    With ``chat`` off ([web] enabled = false) only the REST webhook and the static files are served."""

    access.install(app)

    async def index(request: web.Request) -> web.FileResponse:
        await access.require_page(request)
        return web.FileResponse(STATIC / "index.html")

    async def sign_in_page(_request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "sign-in.html")

    async def whoami(request: web.Request) -> web.Response:
        """{"demo": bool, "person": {...} | null}: what the pages need to know to draw themselves."""
        person = await access.person(request)
        return _json({"demo": access.demo_mode, "person": person_json(person) if person else None})

    def _signed_in(person: PersonView) -> web.Response:
        return _json({"person": person_json(person)})

    def _refused(refusal: SignInRefusal | None) -> web.Response:
        status = 429 if refusal is SignInRefusal.LIMITED else 400 if refusal is SignInRefusal.WEAK_PASSWORD else 401
        return _json({"error": str(refusal or SignInRefusal.WRONG)}, status=status)

    async def sign_in(request: web.Request) -> web.Response:
        """{"person", "password"} → the session cookie; a refusal names no reason beyond wrong/limited."""
        refuse_cross_origin(request)
        body = await _json_body(request)
        person_id, password = (body or {}).get("person"), (body or {}).get("password")
        if not isinstance(person_id, str) or not isinstance(password, str) or not person_id or not password:
            return _bad_request('body must be JSON: {"person": "<id>", "password": "<password>"}')
        try:
            result = await core_of().sign_in(person_id.strip()[:MAX_ID_LENGTH], password, request.remote or "")
        except StoreUnavailable:
            return _json({"error": "busy", "retry": True}, status=503)
        if result.person is None or result.at is None:
            log.warning(
                "refused a web sign-in as %r from %s: %s", person_id[:MAX_ID_LENGTH], request.remote, result.refusal
            )
            return _refused(result.refusal)
        await access.begin(request, result.person, result.at)
        log.info("%s signed in to the web chat from %s", result.person.id, request.remote)
        return _signed_in(result.person)

    async def redeem_link(request: web.Request) -> web.Response:
        """{"token", "password"}: a one-time link sets the person's password and signs them in."""
        refuse_cross_origin(request)
        body = await _json_body(request)
        token, password = (body or {}).get("token"), (body or {}).get("password")
        if not isinstance(token, str) or not isinstance(password, str) or not token:
            return _bad_request('body must be JSON: {"token": "<from the link>", "password": "<new password>"}')
        try:
            result = await core_of().redeem_sign_in_link(token[:128], password, request.remote or "")
        except StoreUnavailable:
            return _json({"error": "busy", "retry": True}, status=503)
        if result.person is None or result.at is None:
            log.warning("refused a sign-in link from %s: %s", request.remote, result.refusal)
            return _refused(result.refusal)
        await access.begin(request, result.person, result.at)
        log.info("%s set a password from a sign-in link and signed in from %s", result.person.id, request.remote)
        return _signed_in(result.person)

    async def sign_out(request: web.Request) -> web.Response:
        refuse_cross_origin(request)
        await access.end(request)
        return _json({"person": None})

    async def people(_request: web.Request) -> web.Response:
        """Demo mode only: the directory, for the "who are you" picker."""
        return _json([person_json(p) for p in await core_of().directory()])

    async def demo_sign_in(request: web.Request) -> web.Response:
        """Demo mode only: be anyone in the directory, no password."""
        refuse_cross_origin(request)
        body = await _json_body(request)
        person_id = (body or {}).get("person")
        if not isinstance(person_id, str) or not person_id:
            return _bad_request('body must be JSON: {"person": "<id>"}')
        core = core_of()
        now = core.clock.now()
        person = await core.signed_in_person(person_id[:MAX_ID_LENGTH], now)
        if person is None:
            return _json({"error": "unknown person"}, status=404)
        await access.begin(request, person, now, demo=True)
        return _signed_in(person)

    async def history(request: web.Request) -> web.Response:
        person = await access.require(request)
        items = await core_of().history(person.id)
        return _json(
            [{"id": i.id, "from_person": i.from_person, "at": i.at.isoformat(), **reply_json(i.reply)} for i in items]
        )

    async def rest_webhook(request: web.Request) -> web.Response:
        """Rasa's REST-channel shape: {"sender", "message"[, "message_id"]} → [{"text", "buttons"}].

        Needs ``Authorization: Bearer <token>`` (``helpdesk tokens create``), in demo mode too; a token
        speaks only for its senders. A refusal stores nothing."""
        core = core_of()
        token = _bearer(request)
        if not token:
            log.warning("REST webhook: refused a request with no bearer token from %s", request.remote)
            return _json({"error": "an API token is needed: Authorization: Bearer <token>"}, status=401)
        body = await _json_body(request)
        sender, text = (body or {}).get("sender"), (body or {}).get("message")
        # The token first: a caller without a good one learns nothing, not even the body's rules.
        try:
            check = await core.check_api_token(token, sender if isinstance(sender, str) else "")
        except StoreUnavailable:
            return _json({"error": core.busy_text(), "retry": True}, status=503)
        if check.access is ApiAccess.UNAUTHENTICATED:
            revoked = f" (revoked: {check.token_name})" if check.token_name else ""
            log.warning("REST webhook: refused an unknown or revoked token%s from %s", revoked, request.remote)
            return _json({"error": "invalid API token"}, status=401)
        if body is None:
            return _bad_request('body must be a JSON object: {"sender": "<person id>", "message": "<text>"}')
        if not isinstance(sender, str) or not sender or not isinstance(text, str) or not text.strip():
            return _bad_request('"sender" and "message" must be non-empty strings')
        if check.access is ApiAccess.FORBIDDEN:
            log.warning(
                "REST webhook: token %s may not speak for %r (from %s)",
                check.token_name,
                sender[:MAX_ID_LENGTH],
                request.remote,
            )
            return _json({"error": "this API token may not speak for this sender"}, status=403)
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
        """The signed-in person's live chat; refused (401, 403) before the upgrade otherwise."""
        refuse_cross_origin(request)
        person = (await access.require(request)).id
        core = core_of()
        ws = web.WebSocketResponse(heartbeat=30)
        await ws.prepare(request)
        channel.attach(person, ws)
        try:
            await core.came_online("web", person)
            async for frame in ws:
                if frame.type != WSMsgType.TEXT:
                    continue
                await _on_frame(ws, person, frame.data)
        except Exception:
            # The upgrade is done: no HTTP error page can follow, so log it and close the socket.
            log.exception("web chat socket of %s failed", person)
        finally:
            channel.detach(person, ws)
        if not ws.closed:
            await ws.close()
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

    async def report_list(request: web.Request) -> web.Response:
        """The report files the signed-in person may download (403 for anyone the table refuses)."""
        person = await access.require(request)
        names = await core_of().report_names(person.id)
        if names is None:
            return _json({"error": "forbidden"}, status=403)
        return _json([{"name": name, "url": f"/reports/{quote(name)}"} for name in names])

    async def report_download(request: web.Request) -> web.StreamResponse:
        """One report file by its name; 404 alike for no such report and for a person not allowed."""
        person = await access.require(request)
        name = request.match_info["name"][:MAX_ID_LENGTH]
        found = await core_of().report_file(person.id, name)
        if found is None:
            return _json({"error": "not found"}, status=404)
        log.info("%s downloaded the report %s", person.id, found.name)
        return web.FileResponse(
            found.path,
            headers={
                "Content-Type": found.content_type,
                "Content-Disposition": f'attachment; filename="{found.name}"',
                "Cache-Control": "no-store",
            },
        )

    if chat:
        app.router.add_get("/", index)
        app.router.add_get(SIGN_IN_PAGE, sign_in_page)
        app.router.add_get("/api/session", whoami)
        app.router.add_post("/api/sign-in", sign_in)
        app.router.add_post("/api/sign-in/link", redeem_link)
        app.router.add_post("/api/sign-out", sign_out)
        if access.demo_mode:
            app.router.add_get("/api/people", people)
            app.router.add_post("/api/demo/sign-in", demo_sign_in)
        app.router.add_get("/api/history", history)
        app.router.add_get("/ws", websocket)
        app.router.add_get("/api/reports", report_list)
        app.router.add_get("/reports/{name}", report_download)
    app.router.add_post("/webhooks/rest/webhook", rest_webhook)
    app.router.add_static("/static/", STATIC)
