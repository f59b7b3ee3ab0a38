"""Queries of sign-in and API access. Hashing is the caller's (``bot.auth``): these functions store
and find hashes, never a password or a token as given."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ApiToken, Credential, Secret, SignInFailure, SignInLink

__all__ = [
    "ApiToken",
    "Credential",
    "SignInLink",
    "add_api_token",
    "add_sign_in_link",
    "api_token_by_hash",
    "api_token_by_name",
    "clear_sign_in_failures",
    "count_sign_in_failures",
    "get_credential",
    "list_api_tokens",
    "record_sign_in_failure",
    "secret",
    "set_credential",
    "sign_in_link_by_hash",
]


async def get_credential(session: AsyncSession, person_id: str) -> Credential | None:
    return await session.get(Credential, person_id)


async def set_credential(session: AsyncSession, person_id: str, password_hash: str, now: datetime) -> Credential:
    """Set (or replace) a person's password hash; sessions signed in before ``now`` end."""
    row = await session.get(Credential, person_id)
    if row is None:
        row = Credential(person_id=person_id, password_hash=password_hash, changed_at=now)
        session.add(row)
    else:
        row.password_hash, row.changed_at = password_hash, now
    await session.flush()
    return row


async def add_sign_in_link(
    session: AsyncSession, person_id: str, token_hash: str, now: datetime, expires_at: datetime
) -> SignInLink:
    """A new link for the person; the links made for them before and not used stop working."""
    await session.execute(
        update(SignInLink)
        .where(SignInLink.person_id == person_id, SignInLink.used_at.is_(None), SignInLink.expires_at > now)
        .values(expires_at=now)
    )
    row = SignInLink(person_id=person_id, token_hash=token_hash, created_at=now, expires_at=expires_at)
    session.add(row)
    await session.flush()
    return row


async def sign_in_link_by_hash(
    session: AsyncSession, token_hash: str, *, for_update: bool = False
) -> SignInLink | None:
    query = select(SignInLink).where(SignInLink.token_hash == token_hash)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def record_sign_in_failure(
    session: AsyncSession, person_ref: str, address: str, now: datetime, forget_before: datetime
) -> None:
    """Note a refused sign-in; failures older than ``forget_before`` are deleted on the way."""
    await session.execute(delete(SignInFailure).where(SignInFailure.at < forget_before))
    session.add(SignInFailure(person_ref=person_ref[:64], address=address[:64], at=now))
    await session.flush()


async def count_sign_in_failures(
    session: AsyncSession, person_ref: str, address: str, since: datetime
) -> tuple[int, int]:
    """Refused sign-ins since ``since``: (for this person, from this address)."""
    by_person = await session.scalar(
        select(func.count(SignInFailure.id)).where(
            SignInFailure.person_ref == person_ref[:64], SignInFailure.at >= since
        )
    )
    by_address = await session.scalar(
        select(func.count(SignInFailure.id)).where(SignInFailure.address == address[:64], SignInFailure.at >= since)
    )
    return int(by_person or 0), int(by_address or 0)


async def clear_sign_in_failures(session: AsyncSession, person_ref: str) -> None:
    """A successful sign-in forgets the person's failures (not the address's)."""
    await session.execute(delete(SignInFailure).where(SignInFailure.person_ref == person_ref[:64]))


async def add_api_token(
    session: AsyncSession, name: str, token_hash: str, senders: list[str] | None, now: datetime
) -> ApiToken:
    """Raises ``IntegrityError`` when the name is taken (revoked tokens keep theirs)."""
    row = ApiToken(name=name, token_hash=token_hash, senders=senders, created_at=now)
    session.add(row)
    await session.flush()
    return row


async def api_token_by_hash(session: AsyncSession, token_hash: str) -> ApiToken | None:
    return await session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))


async def api_token_by_name(session: AsyncSession, name: str) -> ApiToken | None:
    return await session.scalar(select(ApiToken).where(ApiToken.name == name))


async def list_api_tokens(session: AsyncSession) -> list[ApiToken]:
    return list((await session.scalars(select(ApiToken).order_by(ApiToken.name))).all())


async def secret(session: AsyncSession, name: str, make: Callable[[], str], now: datetime) -> str:
    """The stored secret ``name``, made with ``make`` and stored the first time it is asked for.

    Two processes asking at once get the same value: the one whose insert loses reads the winner's."""
    found = await session.get(Secret, name)
    if found is not None:
        return found.value
    try:
        async with session.begin_nested():
            session.add(Secret(name=name, value=make(), created_at=now))
    except IntegrityError:
        pass
    found = await session.scalar(select(Secret).where(Secret.name == name).execution_options(populate_existing=True))
    assert found is not None
    return found.value
