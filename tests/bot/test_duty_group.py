"""The duty group hook of the dispatcher, on both stores: with a duty group configured, every page
(the message with the acknowledge button) is copied once per ticket to the group, whatever the number
of engineers paged; the copy is edited when the engineers' copies are (acknowledged, resolved); an
engineer may press its buttons and a staff member may not; notices are not copied; without a duty
group nothing changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

import storage
from bot.outbox.dispatch import DutyGroup, configure_duty_group
from core.clock import FakeClock
from core.messages import Action, Reply
from tests.handlers.paging.test_paging import NOW, OUTAGE, SHIFT, _paged, _pipeline
from tests.support.builders import make_inbound

GROUP = DutyGroup("telegram", "-1001234567890")


@pytest.fixture
def duty_group() -> Iterator[DutyGroup]:
    configure_duty_group(GROUP)
    yield GROUP
    configure_duty_group(None)


async def _group_rows(sessions: storage.SessionFactory) -> list[storage.OutboxMessage]:
    async with sessions() as s:
        query = select(storage.OutboxMessage).where(storage.OutboxMessage.chat_id == GROUP.chat)
        return list((await s.scalars(query.order_by(storage.OutboxMessage.id))).all())


def _button(row: storage.OutboxMessage, action: Action) -> str:
    return next(b.payload for b in Reply.from_payload(row.payload).buttons if b.action is action)


async def test_the_duty_group_gets_one_copy_of_a_page_edited_with_the_engineers(
    sessions: storage.SessionFactory, duty_group: DutyGroup
) -> None:
    clock = FakeClock(NOW)
    await _pipeline(sessions, clock).handle(make_inbound(OUTAGE, sender="staff.li", at=NOW))
    engineers = await _paged(sessions)
    assert len(engineers) >= 2 and set(SHIFT.engineers) <= set(engineers)
    [copy] = await _group_rows(sessions)
    assert copy.channel == "telegram" and copy.key and copy.key.startswith("duty:")
    assert copy.recipient_id in SHIFT.engineers and "#" in copy.payload["text"]

    # A staff member pressing the group copy's acknowledge is refused; an engineer on the chain counts.
    await _pipeline(sessions, clock).handle(
        make_inbound(_button(copy, Action.ACKNOWLEDGE), sender="staff.wang", at=NOW)
    )
    assert len(await _group_rows(sessions)) == 1
    other = next(e for e in SHIFT.engineers if e != copy.recipient_id)
    await _pipeline(sessions, clock).handle(make_inbound(_button(copy, Action.ACKNOWLEDGE), sender=other, at=NOW))
    [_, edit] = await _group_rows(sessions)
    assert edit.replaces_id == copy.id and "✅" in edit.payload["text"]
    assert Action.ACKNOWLEDGE not in [b.action for b in Reply.from_payload(edit.payload).buttons]


async def test_without_a_duty_group_no_copy_is_written(sessions: storage.SessionFactory) -> None:
    configure_duty_group(None)
    await _pipeline(sessions, FakeClock(NOW)).handle(make_inbound(OUTAGE, sender="staff.li", at=NOW))
    assert await _paged(sessions) and await _group_rows(sessions) == []
