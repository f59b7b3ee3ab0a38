"""People and their channel identities."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Identity, Invite, Person

ROLES = ("staff", "engineer", "manager", "admin")
# Channels whose user id is the person id itself (the directory is the identity); on every other
# channel a user is bound to a person through an identity.
DIRECTORY_CHANNELS = ("web", "rest", "terminal")


@dataclass(frozen=True)
class PersonRecord:
    """A person as the directory file describes them."""

    id: str
    name: str
    role: str
    department: str = ""
    location: str = ""
    language: str = "zh"
    service_company: bool = False  # one of the service company's people, marked so in the directory
    identities: tuple[tuple[str, str], ...] = ()  # (channel, channel user id)


async def sync_people(session: AsyncSession, records: Iterable[PersonRecord]) -> int:
    """Make the people table match the directory: add, update; people no longer listed go inactive."""
    existing = {p.id: p for p in (await session.scalars(select(Person))).all()}
    seen: set[str] = set()
    for rec in records:
        seen.add(rec.id)
        person = existing.get(rec.id)
        if person is None:
            person = Person(id=rec.id)
            session.add(person)
        person.name, person.role, person.department = rec.name, rec.role, rec.department
        person.location, person.language, person.active = rec.location, rec.language, True
        person.service_company = rec.service_company
        for channel, user_id in rec.identities:
            found = await session.scalar(
                select(Identity).where(Identity.channel == channel, Identity.channel_user_id == user_id)
            )
            if found is None:
                session.add(Identity(person_id=rec.id, channel=channel, channel_user_id=user_id))
            else:
                found.person_id = rec.id
    for pid, person in existing.items():
        if pid not in seen:
            person.active = False
    await session.flush()
    return len(seen)


async def get_person(session: AsyncSession, person_id: str) -> Person | None:
    return await session.get(Person, person_id)


async def list_people(session: AsyncSession, role: str | None = None) -> list[Person]:
    query = select(Person).where(Person.active.is_(True)).order_by(Person.role, Person.id)
    if role:
        query = query.where(Person.role == role)
    return list((await session.scalars(query)).all())


async def person_for_identity(session: AsyncSession, channel: str, channel_user_id: str) -> Person | None:
    """The person behind a channel user id; on the web channels the user id is the person id."""
    if channel in DIRECTORY_CHANNELS:
        return await session.get(Person, channel_user_id)
    identity = await session.scalar(
        select(Identity).where(Identity.channel == channel, Identity.channel_user_id == channel_user_id)
    )
    return await session.get(Person, identity.person_id) if identity else None


async def identities_of(session: AsyncSession, person_id: str) -> list[Identity]:
    """The person's chat identities, oldest first (the first reachable one is where pushes go)."""
    query = select(Identity).where(Identity.person_id == person_id).order_by(Identity.id)
    return list((await session.scalars(query)).all())


async def identity_of(session: AsyncSession, channel: str, channel_user_id: str) -> Identity | None:
    return await session.scalar(
        select(Identity).where(Identity.channel == channel, Identity.channel_user_id == channel_user_id)
    )


async def set_reachable(session: AsyncSession, channel: str, channel_user_id: str, at: datetime | None) -> bool:
    """Mark an identity unreachable since ``at`` (None: reachable again). Returns whether it changed."""
    identity = await identity_of(session, channel, channel_user_id)
    if identity is None or (identity.unreachable_at is None) == (at is None):
        return False
    identity.unreachable_at = at
    return True


async def bind_identity(session: AsyncSession, person_id: str, channel: str, channel_user_id: str) -> Identity:
    """Bind a chat user id to a person (taking it from whoever had it); reachable from now on."""
    identity = await identity_of(session, channel, channel_user_id)
    if identity is None:
        identity = Identity(person_id=person_id, channel=channel, channel_user_id=channel_user_id)
        session.add(identity)
    identity.person_id, identity.unreachable_at = person_id, None
    await session.flush()
    return identity


async def add_invite(
    session: AsyncSession, person_id: str, code_hash: str, now: datetime, expires_at: datetime
) -> Invite:
    """A new invite for the person; their earlier unused ones stop working."""
    await session.execute(
        update(Invite)
        .where(Invite.person_id == person_id, Invite.used_at.is_(None), Invite.expires_at > now)
        .values(expires_at=now)
    )
    row = Invite(person_id=person_id, code_hash=code_hash, created_at=now, expires_at=expires_at)
    session.add(row)
    await session.flush()
    return row


async def invite_by_hash(session: AsyncSession, code_hash: str) -> Invite | None:
    """The invite, locked (two redemptions of one code at once: one wins)."""
    return await session.scalar(select(Invite).where(Invite.code_hash == code_hash).with_for_update())
