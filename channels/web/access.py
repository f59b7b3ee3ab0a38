"""Who is at the other end of a web request, and what every web response carries.

- The session is an aiohttp-session cookie encrypted with Fernet (the key comes from the core:
  ``HELPDESK_SESSION_KEY`` or one kept in the store), HttpOnly, SameSite=Lax, with a Max-Age; it holds
  the person's id, when they signed in, and whether it was a demo pick. A demo pick counts only while
  demo mode is on, and the core ends a session whose person left the directory or changed password.
- Requests that change who is signed in, and the WebSocket, must come from our own pages: a
  browser's ``Origin`` naming another site is refused (SameSite=Lax alone lets a sibling site on the
  same host through).
- Every response carries the security headers (a Content-Security-Policy without inline script, no
  framing, no MIME sniffing, no referrer); an unexpected error is logged with its traceback and
  answered with a plain 500 that shows none.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp_session import AbstractStorage, Session, get_session, new_session
from aiohttp_session import setup as setup_sessions
from cryptography.fernet import Fernet, InvalidToken

from core.ports import Helpdesk, PersonView

log = logging.getLogger(__name__)

SESSION_COOKIE = "helpdesk_session"
SIGN_IN_PAGE = "/sign-in"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class _EncryptedCookieStorage(AbstractStorage):
    """aiohttp-session's encrypted cookie storage, with the key read when the first request comes
    (the routes are registered before start-up loads the key from the store)."""

    def __init__(self, key_of: Callable[[], bytes], **cookie: Any) -> None:
        super().__init__(cookie_name=SESSION_COOKIE, httponly=True, samesite="Lax", path="/", **cookie)
        self._key_of = key_of
        self._fernet: Fernet | None = None

    def _cipher(self) -> Fernet:
        if self._fernet is None:
            self._fernet = Fernet(self._key_of())
        return self._fernet

    async def load_session(self, request: web.Request) -> Session:
        cookie = self.load_cookie(request)
        if cookie is None:
            return Session(None, data=None, new=True, max_age=self.max_age)
        try:
            data = json.loads(self._cipher().decrypt(cookie.encode("utf-8"), ttl=self.max_age).decode("utf-8"))
        except (InvalidToken, ValueError, UnicodeError):
            log.info(
                "a session cookie that does not decrypt (forged, expired or from another key) from %s", request.remote
            )
            return Session(None, data=None, new=True, max_age=self.max_age)
        return Session(None, data=data, new=False, max_age=self.max_age)

    async def save_session(self, request: web.Request, response: web.StreamResponse, session: Session) -> None:
        if session.empty:
            self.save_cookie(response, "", max_age=session.max_age)
            return
        cookie = json.dumps(self._get_session_data(session)).encode("utf-8")
        self.save_cookie(response, self._cipher().encrypt(cookie).decode("utf-8"), max_age=session.max_age)


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


def person_json(person: PersonView) -> dict[str, str]:
    return {"id": person.id, "name": person.name, "department": person.department, "role": person.role}


class WebAccess:
    """The web chat's guard: which person a request is from, sessions begun and ended, and the
    middleware every response passes through."""

    def __init__(
        self,
        core_of: Callable[[], Helpdesk],
        *,
        demo_mode: bool,
        session_max_age_s: int,
        secure_cookie: bool = False,
    ) -> None:
        self.core_of = core_of
        self.demo_mode = demo_mode
        self.session_max_age_s = session_max_age_s
        self._storage = _EncryptedCookieStorage(
            lambda: core_of().session_key, max_age=session_max_age_s, secure=secure_cookie or None
        )

    def install(self, app: web.Application) -> None:
        """The error guard outermost, then the sessions; the headers on every response prepared."""
        app.middlewares.append(_no_stack_traces)
        setup_sessions(app, self._storage)
        app.on_response_prepare.append(_security_headers)

    async def person(self, request: web.Request) -> PersonView | None:
        """The signed-in person, or None (no cookie, a bad one, a demo pick outside demo mode, a
        session the core no longer honours)."""
        session = await get_session(request)
        person_id, at, demo = session.get("person"), session.get("at"), session.get("demo", False)
        if not isinstance(person_id, str) or not isinstance(at, int | float) or isinstance(at, bool):
            return None
        if demo and not self.demo_mode:
            return None
        return await self.core_of().signed_in_person(person_id, datetime.fromtimestamp(at, UTC))

    async def require(self, request: web.Request) -> PersonView:
        """The signed-in person, or HTTP 401 (for the API and the WebSocket)."""
        person = await self.person(request)
        if person is None:
            raise web.HTTPUnauthorized(
                text=json.dumps({"error": "sign_in"}),
                content_type="application/json",
                headers={"Cache-Control": "no-store"},
            )
        return person

    async def require_page(self, request: web.Request) -> PersonView | None:
        """For pages: the signed-in person; outside demo mode nobody is sent to the sign-in page."""
        person = await self.person(request)
        if person is None and not self.demo_mode:
            raise web.HTTPFound(SIGN_IN_PAGE)
        return person

    async def begin(self, request: web.Request, person: PersonView, at: datetime, *, demo: bool = False) -> None:
        """A fresh session for the person (never one carried over from before signing in)."""
        session = await new_session(request)
        session["person"] = person.id
        session["at"] = at.timestamp()
        session["demo"] = demo

    async def end(self, request: web.Request) -> None:
        (await get_session(request)).invalidate()


def same_origin(request: web.Request) -> bool:
    """False when a browser says the request comes from a page of another site; a client that sends
    no Origin (curl, a script) is no browser carrying someone's cookie, and passes."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == request.host.lower()


def refuse_cross_origin(request: web.Request) -> None:
    if not same_origin(request):
        log.warning(
            "refused a cross-origin %s %s from %s (Origin %s)",
            request.method,
            request.path,
            request.remote,
            request.headers.get("Origin"),
        )
        raise web.HTTPForbidden(text=json.dumps({"error": "origin"}), content_type="application/json")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _no_stack_traces(request: web.Request, handler: Handler) -> web.StreamResponse:
    """An unexpected error is a log line with its traceback and a bare 500, never aiohttp's error page."""
    try:
        return await handler(request)
    except (web.HTTPException, ConnectionResetError):
        raise
    except Exception:
        log.exception("error handling %s %s from %s", request.method, request.path, request.remote)
        return _json({"error": "internal error / 服务器内部错误"}, status=500)


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.path.startswith("/api/") or request.path == SIGN_IN_PAGE:
        response.headers.setdefault("Cache-Control", "no-store")
