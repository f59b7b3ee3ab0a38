"""A person a chat app cannot reach (blocked the bot, left the app's visible range): the identity is
marked unreachable, the message goes at once to their next identity, a page escalates at once, and
writing from the app again makes them reachable there."""

from __future__ import annotations

from sqlalchemy import select

import storage
from bot.outbox import OutboxWorker, dispatch
from bot.timers import TimerWorker
from channels.base import RecipientUnreachable
from config.settings import OutboxSettings
from core.clock import FakeClock
from core.messages import Action, Delivery, Outgoing, Reply
from handlers.registry import TIMER_HANDLERS
from tests.bot.test_outbox import RecordingChannel
from tests.handlers.paging.test_paging import NOW, OUTAGE, SHIFT, _paged, _pipeline
from tests.support.builders import make_inbound


class BlockedChannel(RecordingChannel):
    """A chat app on which the given user ids have blocked the bot."""

    def __init__(self, name: str, blocked: set[str]) -> None:
        super().__init__()
        self.name = name
        self.blocked = blocked

    async def send(self, delivery: Delivery) -> str:
        if delivery.chat in self.blocked:
            raise RecipientUnreachable("Forbidden: bot was blocked by the user")
        return await super().send(delivery)


async def _bind(sessions: storage.SessionFactory, person: str, *identities: tuple[str, str]) -> None:
    async with sessions() as s, s.begin():
        for channel, user_id in identities:
            await storage.bind_identity(s, person, channel, user_id)


async def _push(sessions: storage.SessionFactory, text: str, to: str = "eng.chen") -> storage.OutboxMessage:
    async with sessions() as s, s.begin():
        [row] = await dispatch(s, [Outgoing(Reply(text), to=to)], NOW)
        return row


async def _rows(sessions: storage.SessionFactory) -> list[storage.OutboxMessage]:
    async with sessions() as s:
        return list((await s.scalars(select(storage.OutboxMessage).order_by(storage.OutboxMessage.id))).all())


async def test_a_blocked_bot_sends_the_message_at_once_on_the_persons_next_app(
    sessions: storage.SessionFactory,
) -> None:
    await _bind(sessions, "eng.chen", ("telegram", "7001"), ("wecom", "ChenGong"))
    telegram, wecom = BlockedChannel("telegram", {"7001"}), RecordingChannel()
    worker = OutboxWorker(sessions, {"telegram": telegram, "wecom": wecom}, FakeClock(NOW), OutboxSettings())
    first = await _push(sessions, "工单 #1001 已更新")
    assert first.channel == "telegram"
    await worker.run_once()
    await worker.run_once()
    assert [d.reply.text for d in wecom.sent] == ["工单 #1001 已更新"] and wecom.sent[0].chat == "ChenGong"
    [failed, copy] = await _rows(sessions)
    assert failed.status == "failed" and "blocked" in (failed.last_error or "")
    assert (copy.channel, copy.status) == ("wecom", "sent")
    # Later pushes go straight to the app that works.
    assert (await _push(sessions, "second")).channel == "wecom"


async def test_writing_from_the_app_again_makes_the_person_reachable_there(sessions: storage.SessionFactory) -> None:
    await _bind(sessions, "eng.chen", ("telegram", "7001"), ("wecom", "ChenGong"))
    worker = OutboxWorker(
        sessions,
        {"telegram": BlockedChannel("telegram", {"7001"}), "wecom": RecordingChannel()},
        FakeClock(NOW),
        OutboxSettings(),
    )
    await _push(sessions, "hello")
    await worker.run_once()
    async with sessions() as s:
        identity = await storage.identity_of(s, "telegram", "7001")
        assert identity is not None and identity.unreachable_at == NOW
    await _pipeline(sessions, FakeClock(NOW)).receive(make_inbound("我回来了", sender="7001", channel="telegram"))
    assert (await _push(sessions, "again")).channel == "telegram"


async def test_a_page_its_engineers_cannot_receive_escalates_at_once_instead_of_after_five_minutes(
    sessions: storage.SessionFactory,
) -> None:
    for engineer in SHIFT.engineers:
        await _bind(sessions, engineer, ("telegram", f"tg-{engineer}"))
    clock = FakeClock(NOW)
    await _pipeline(sessions, clock).handle(make_inbound(OUTAGE, sender="staff.li"))
    telegram = BlockedChannel("telegram", {f"tg-{e}" for e in SHIFT.engineers})
    web = RecordingChannel()
    worker = OutboxWorker(sessions, {"telegram": telegram, "web": web}, clock, OutboxSettings())
    await worker.run_once()  # the pages fail on Telegram
    await worker.run_once()  # their copies go to the web chat
    # The copies wait in the web chat, and the next step (the backup engineer) is paged now, at minute 0.
    assert {d.recipient for d in web.sent if any(b.action is Action.ACKNOWLEDGE for b in d.reply.buttons)} >= set(
        SHIFT.engineers
    )
    assert await TimerWorker(sessions, clock, TIMER_HANDLERS).run_due() == 1
    assert (await _paged(sessions))[-1] == "eng.sun"


async def test_a_page_still_reaches_an_engineer_on_another_app_without_escalating(
    sessions: storage.SessionFactory,
) -> None:
    for engineer in SHIFT.engineers:
        await _bind(sessions, engineer, ("telegram", f"tg-{engineer}"), ("wecom", f"wc-{engineer}"))
    clock = FakeClock(NOW)
    await _pipeline(sessions, clock).handle(make_inbound(OUTAGE, sender="staff.li"))
    wecom = RecordingChannel()
    worker = OutboxWorker(
        sessions,
        {"telegram": BlockedChannel("telegram", {f"tg-{e}" for e in SHIFT.engineers}), "wecom": wecom},
        clock,
        OutboxSettings(),
    )
    await worker.run_once()
    await worker.run_once()
    assert sorted(d.recipient for d in wecom.sent) == sorted(SHIFT.engineers)
    assert await TimerWorker(sessions, clock, TIMER_HANDLERS).run_due() == 0
