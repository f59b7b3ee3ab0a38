"""Someone the directory does not know writes on a channel whose users are all the company's (WeCom).

WeCom only lets members of the company reach the application, so a UserId nobody has yet is a
colleague not synced yet: they are enrolled as staff of an unknown department (their person id is
their UserId, so ``helpdesk wecom sync-people`` later fills in their name and department), their
message is handled like anyone's, and the service manager is told once, when they are enrolled.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from core.messages import Outgoing, Reply
from handlers.contract import Contract
from handlers.service.staff import service_staff
from i18n import say

# Channels whose every user is a member of the company (WeCom's visible range).
COMPANY_CHANNELS = frozenset({"wecom"})


async def enrol_newcomer(
    session: AsyncSession, channel: str, user_id: str, now: datetime, contract: Contract | None = None
) -> tuple[storage.Person | None, list[Outgoing]]:
    """The person behind ``user_id`` on ``channel`` (enrolled when new, on a company channel), and
    the notice to the service manager when they were enrolled now. None on other channels."""
    if channel not in COMPANY_CHANNELS:
        return None, []
    person, created = await storage.enrol(session, channel, user_id, name=user_id)
    if not created:
        return person, []
    roster = contract.roster if contract is not None else None
    calendar = contract.calendar if contract is not None else None
    manager_id = (await service_staff(session, now, roster, calendar)).service_manager
    manager = await storage.get_person(session, manager_id) if manager_id else None
    if manager is None:
        return person, []
    text = say(manager.language or "zh", f"{channel}_newcomer_manager", user=user_id)
    return person, [Outgoing(Reply(text), to=manager.id)]
