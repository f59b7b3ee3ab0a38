"""Who is who: web chat passwords and one-time sign-in links, whether a session still holds, the
REST webhook's API tokens, and the session cookie's key.

What the caller can rely on:

- A refusal says as little as possible. A wrong password, a person not in the directory and a
  person with no password yet are one answer (``SignInRefusal.WRONG``), and an unknown person costs
  the same Argon2 work as a known one, so neither the answer nor its time tells who exists.
- Failed sign-ins are counted in the store (``sign_in_failures``), per person as typed and per
  address, over a sliding window. In the store rather than in memory because several bot instances
  may share one PostgreSQL store (README) and a restart must not hand an attacker a fresh budget;
  the extra write happens only on a failure, which is rare for people who know their password.
  While a limit is reached, even a right password is refused (``LIMITED``) without being checked.
- Passwords are Argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile), rehashed on
  sign-in when those defaults change. Sign-in links and API tokens are 32 random bytes stored as
  SHA-256: a slow hash protects guessable secrets, and these are not guessable, while a fast one
  lets the webhook find a token by its hash in one indexed lookup (Argon2 would cost every request
  a third of a second of CPU and need a scan, since a salted hash cannot be looked up).
- A session (``bot.auth`` issues none itself: the web channel keeps it in an encrypted cookie) holds
  only while the person is in the directory and signed in after their password last changed.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.exc import IntegrityError

import storage
from core.clock import Clock
from core.errors import HelpdeskError
from core.ports import ApiAccess, PersonView, SignIn, SignInRefusal, TokenCheck
from storage import auth as auth_store

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 256  # Argon2 takes any length; a cap keeps a request from being a CPU bill
TOKEN_PREFIX = "hd_"
SESSION_KEY_SECRET = "web_session_key"
_LINK_REF = "(sign-in link)"  # the person_ref under which failed link redemptions are counted


class AuthError(HelpdeskError):
    """A sign-in or token command that cannot be done; the message says why (for the CLI)."""


class UnknownPerson(AuthError):
    pass


class WeakPassword(AuthError):
    pass


class TokenNameTaken(AuthError):
    pass


@dataclass(frozen=True)
class SignInLimits:
    per_person: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class TokenView:
    name: str
    senders: tuple[str, ...] | None  # None: every sender
    created_at: datetime
    revoked_at: datetime | None


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_session_key() -> str:
    """A Fernet key: 32 random bytes, URL-safe base64."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def password_problem(password: str) -> str | None:
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"a password needs at least {PASSWORD_MIN_LENGTH} characters"
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"a password has at most {PASSWORD_MAX_LENGTH} characters"
    return None


class Auth:
    """Sign-in, sessions and API tokens over the store; the clock dates every record."""

    def __init__(self, sessions: storage.SessionFactory, clock: Clock, limits: SignInLimits | None = None) -> None:
        self.sessions = sessions
        self.clock = clock
        self.limits = limits or SignInLimits()
        self._hasher = PasswordHasher()
        self._dummy_hash: str | None = None
        self._session_key: bytes | None = None

    # --- the session cookie's key -------------------------------------------------------------

    async def load_session_key(self, configured: str | None) -> bytes:
        """The configured key (``HELPDESK_SESSION_KEY``), else the one generated once and kept in the store."""
        if configured:
            self._session_key = configured.encode("ascii")
        else:
            async with self.sessions() as session, session.begin():
                value = await auth_store.secret(session, SESSION_KEY_SECRET, new_session_key, self.clock.now())
            self._session_key = value.encode("ascii")
        return self._session_key

    @property
    def session_key(self) -> bytes:
        if self._session_key is None:
            raise RuntimeError("the session key is loaded at start-up (Auth.load_session_key)")
        return self._session_key

    # --- passwords ----------------------------------------------------------------------------

    async def _hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def _verify(self, password_hash: str, password: str) -> bool:
        def verify() -> bool:
            try:
                return self._hasher.verify(password_hash, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

        return await asyncio.to_thread(verify)

    async def set_password(self, person_id: str, password: str) -> None:
        """Raises ``UnknownPerson`` or ``WeakPassword``; every session the person had ends."""
        problem = password_problem(password)
        if problem:
            raise WeakPassword(problem)
        password_hash = await self._hash(password)
        async with self.sessions() as session, session.begin():
            person = await storage.get_person(session, person_id)
            if person is None or not person.active:
                raise UnknownPerson(f"unknown person {person_id!r}; try `helpdesk people list`")
            await auth_store.set_credential(session, person_id, password_hash, self.clock.now())

    async def make_sign_in_link(self, person_id: str, valid_for: timedelta) -> str:
        """A new one-time link token for the person (their earlier unused ones stop working)."""
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            person = await storage.get_person(session, person_id)
            if person is None or not person.active:
                raise UnknownPerson(f"unknown person {person_id!r}; try `helpdesk people list`")
            await auth_store.add_sign_in_link(session, person_id, sha256(token), now, now + valid_for)
        return token

    async def _limited(self, person_ref: str, address: str, *, per_person: bool = True) -> bool:
        since = self.clock.now() - self.limits.window
        async with self.sessions() as session:
            by_person, by_address = await auth_store.count_sign_in_failures(session, person_ref, address, since)
        return (per_person and by_person >= self.limits.per_person) or by_address >= self.limits.per_address

    async def _failed(self, person_ref: str, address: str) -> None:
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            await auth_store.record_sign_in_failure(session, person_ref, address, now, now - self.limits.window)

    async def sign_in(self, person_id: str, password: str, address: str) -> SignIn:
        """Check a password. Never says whether the person exists or has a password."""
        if await self._limited(person_id, address):
            return SignIn(None, SignInRefusal.LIMITED)
        async with self.sessions() as session:
            person = await storage.get_person(session, person_id) if person_id else None
            credential = await auth_store.get_credential(session, person_id) if person is not None else None
        known = person is not None and person.active and credential is not None
        password_ok = len(password) <= PASSWORD_MAX_LENGTH and await self._verify(
            credential.password_hash if known and credential else await self._dummy(), password
        )
        if not (known and password_ok) or person is None or credential is None:
            await self._failed(person_id, address)
            return SignIn(None, SignInRefusal.WRONG)
        # Same password under current parameters, when they changed; the sessions stay (changed_at is kept).
        rehashed = await self._hash(password) if self._hasher.check_needs_rehash(credential.password_hash) else None
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            await auth_store.clear_sign_in_failures(session, person_id)
            if rehashed is not None:
                await auth_store.set_credential(session, person_id, rehashed, credential.changed_at)
        return SignIn(_view(person), None, now)

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await self._hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    async def redeem_sign_in_link(self, token: str, password: str, address: str) -> SignIn:
        """Set the password a one-time link was made for, and sign in. A forged, used or expired
        link is one answer (``BAD_LINK``), counted against the address."""
        # Per address only: a link names no person, and a limit shared by all would let anyone block them.
        if await self._limited(_LINK_REF, address, per_person=False):
            return SignIn(None, SignInRefusal.LIMITED)
        problem = password_problem(password)
        if problem:
            return SignIn(None, SignInRefusal.WEAK_PASSWORD)
        password_hash = await self._hash(password)  # before the write transaction: it takes a while
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            link = await auth_store.sign_in_link_by_hash(session, sha256(token), for_update=True)
            person = await storage.get_person(session, link.person_id) if link is not None else None
            usable = link is not None and link.used_at is None and link.expires_at > now
            if not usable or link is None or person is None or not person.active:
                refused = True
            else:
                refused = False
                link.used_at = now
                await auth_store.set_credential(session, person.id, password_hash, now)
                await auth_store.clear_sign_in_failures(session, person.id)
        if refused or person is None:
            await self._failed(_LINK_REF, address)
            return SignIn(None, SignInRefusal.BAD_LINK)
        return SignIn(_view(person), None, now)

    async def signed_in_person(self, person_id: str, signed_in_at: datetime) -> PersonView | None:
        """The person a session names, while it holds: in the directory, and signed in no earlier
        than their password's last change."""
        async with self.sessions() as session:
            person = await storage.get_person(session, person_id) if person_id else None
            if person is None or not person.active:
                return None
            credential = await auth_store.get_credential(session, person_id)
        if credential is not None and signed_in_at < credential.changed_at:
            return None
        return _view(person)

    # --- API tokens ---------------------------------------------------------------------------

    async def create_token(self, name: str, senders: list[str] | None = None) -> str:
        """A new token; only its hash is kept, so this is the one time it is seen."""
        if not name or len(name) > 64:
            raise AuthError("a token name has 1 to 64 characters")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        async with self.sessions() as session:
            unknown = [s for s in senders or [] if (p := await storage.get_person(session, s)) is None or not p.active]
        if unknown:
            raise UnknownPerson(f"not in the directory: {', '.join(unknown)}")
        try:
            async with self.sessions() as session, session.begin():
                if await auth_store.api_token_by_name(session, name) is not None:
                    raise TokenNameTaken(f"a token named {name!r} exists (revoked tokens keep their name)")
                await auth_store.add_api_token(session, name, sha256(token), senders, self.clock.now())
        except IntegrityError as exc:
            raise TokenNameTaken(f"a token named {name!r} exists") from exc
        return token

    async def list_tokens(self) -> list[TokenView]:
        async with self.sessions() as session:
            rows = await auth_store.list_api_tokens(session)
        return [
            TokenView(r.name, tuple(r.senders) if r.senders is not None else None, r.created_at, r.revoked_at)
            for r in rows
        ]

    async def revoke_token(self, name: str) -> bool:
        """False when no such token is in force."""
        async with self.sessions() as session, session.begin():
            row = await auth_store.api_token_by_name(session, name)
            if row is None or row.revoked_at is not None:
                return False
            row.revoked_at = self.clock.now()
        return True

    async def check_token(self, token: str, sender: str) -> TokenCheck:
        """Whether ``token`` may send as ``sender``: unknown or revoked is UNAUTHENTICATED, a sender
        outside the token's list FORBIDDEN."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 128:
            return TokenCheck(ApiAccess.UNAUTHENTICATED, None)
        async with self.sessions() as session:
            row = await auth_store.api_token_by_hash(session, sha256(token))
        if row is None or not hmac.compare_digest(row.token_hash, sha256(token)):
            return TokenCheck(ApiAccess.UNAUTHENTICATED, None)
        if row.revoked_at is not None:
            return TokenCheck(ApiAccess.UNAUTHENTICATED, row.name)
        if row.senders is not None and sender not in row.senders:
            return TokenCheck(ApiAccess.FORBIDDEN, row.name)
        return TokenCheck(ApiAccess.ALLOWED, row.name)


def _view(person: storage.Person) -> PersonView:
    return PersonView(person.id, person.name, person.department, person.role)
