"""People and their channel identities."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
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


async def sync_people(
    session: AsyncSession, records: Iterable[PersonRecord], spare_channels: Iterable[str] = ()
) -> int:
    """Make the people table match the directory: add, update; people no longer listed go inactive,
    except those known through a channel whose own directory keeps them (``spare_channels``: the
    WeCom people imported by ``helpdesk wecom sync-people`` or met in chat)."""
    existing = {p.id: p for p in (await session.scalars(select(Person))).all()}
    spared = set(
        (await session.scalars(select(Identity.person_id).where(Identity.channel.in_(list(spare_channels))))).all()
    )
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
        if pid in seen:
            continue
        if pid in spared:
            person.role = "staff"  # kept by the channel's directory alone: a colleague, no more
        else:
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


async def person_id_for(session: AsyncSession, channel: str, channel_user_id: str) -> str:
    """A free person id for a channel user: the user id itself, else ``channel.user id``."""
    for candidate in (channel_user_id, f"{channel}.{channel_user_id}"):
        if await session.get(Person, candidate[:64]) is None:
            return candidate[:64]
    raise ValueError(f"no free person id for {channel} user {channel_user_id!r}")


async def enrol(
    session: AsyncSession, channel: str, channel_user_id: str, *, name: str, department: str = "", role: str = "staff"
) -> tuple[Person, bool]:
    """The person behind a channel user, created with the identity when nobody has it (True).

    Safe against a second process enrolling the same user at the same moment."""
    found = await person_for_identity(session, channel, channel_user_id)
    if found is not None:
        return found, False
    person = Person(
        id=await person_id_for(session, channel, channel_user_id),
        name=name,
        role=role,
        department=department,
        location="",
        active=True,
    )
    try:
        async with session.begin_nested():
            session.add(person)
            await session.flush()
            session.add(Identity(person_id=person.id, channel=channel, channel_user_id=channel_user_id))
            await session.flush()
    except IntegrityError:
        found = await person_for_identity(session, channel, channel_user_id)
        if found is None:
            raise
        return found, False
    return person, True


@dataclass(frozen=True)
class ImportCounts:
    added: int
    updated: int
    kept: int  # people of the directory file: the file decides their name, role and department
    left: int = 0  # gone from the channel's directory (left the company, disabled): now inactive


async def import_channel_people(
    session: AsyncSession,
    channel: str,
    records: Iterable[PersonRecord],
    keep: Iterable[str] = (),
    gone: Iterable[str] = (),
) -> ImportCounts:
    """Add or update people from a channel's own directory, keyed by their user id there (the
    record's ``id``); running it again changes nothing. People listed in ``keep`` (the directory
    file's) are left as the file says; the users in ``gone`` (left, disabled) go inactive."""
    kept_ids = set(keep)
    added = updated = kept = left = 0
    for user_id in gone:
        person = await person_for_identity(session, channel, user_id)
        if person is not None and person.id not in kept_ids and person.active:
            person.active = False
            left += 1
    for rec in records:
        person, created = await enrol(session, channel, rec.id, name=rec.name, department=rec.department)
        if person.id in kept_ids:
            kept += 1
            continue
        if created:
            added += 1
        elif (person.name, person.department, person.active) != (rec.name, rec.department, True):
            updated += 1
        person.name, person.department, person.active = rec.name, rec.department, True
    await session.flush()
    return ImportCounts(added, updated, kept, left)
