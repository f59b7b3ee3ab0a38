"""Buttons are looked up, not trusted: the outbox signs each button for its message and recipient, and
a press counts only when it checks out against that record (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import storage
from bot.history import conversation_items
from bot.outbox import dispatch
from bot.outbox.buttons import PressCheck, check_press, configure_key
from core.messages import MAX_PAYLOAD_BYTES, Action, Button, Outgoing, Reply, parse_payload

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
# A ref longer than any the handlers make (an inbound id and an article id): refs are not carried.
LONG_REF = "2147483647:" + "x" * 100


async def _send(sessions: storage.SessionFactory, to: str, *buttons: Button) -> Reply:
    async with sessions() as s, s.begin():
        [row] = await dispatch(s, [Outgoing(Reply("🚨 #1001 三楼断网", buttons), to=to, ticket_id=None)], NOW)
        return Reply.from_payload(row.payload)


async def _check(sessions: storage.SessionFactory, text: str, presser: str) -> PressCheck | None:
    press = parse_payload(text)
    assert press is not None
    async with sessions() as s:
        return await check_press(s, press, presser, NOW)


async def test_a_sent_button_is_signed_and_its_press_by_the_recipient_checks_out(
    sessions: storage.SessionFactory,
) -> None:
    sent = await _send(
        sessions, "eng.chen", Button("接单", Action.ACKNOWLEDGE, "1001"), Button("升级", Action.ESCALATE, "1001")
    )
    ack, esc = sent.buttons
    assert ack.payload.startswith("/v2.ack ") and "1001" not in ack.payload  # the ref is looked up, not carried
    checked = await _check(sessions, esc.payload, "eng.chen")
    assert checked is not None and checked.allowed
    assert (checked.press.action, checked.press.ref) == (Action.ESCALATE, "1001")


async def test_a_press_by_someone_else_is_refused_and_a_tampered_one_is_not_a_press(
    sessions: storage.SessionFactory,
) -> None:
    [quote] = (await _send(sessions, "staff.li", Button("批准", Action.APPROVE, "purchase:3"))).buttons
    refused = await _check(sessions, quote.payload, "staff.wang")
    assert refused is not None and not refused.allowed
    head, _, mac = quote.payload.rpartition(".")
    assert await _check(sessions, f"{head}.{mac[::-1]}", "staff.li") is None
    assert await _check(sessions, quote.payload.replace("/v2.approve", "/v2.decline"), "staff.li") is None
    assert parse_payload("/v2.approve purchase:3 1.AAAA") is None  # the brief's made-up form: not even a claim


async def test_a_key_from_the_settings_signs_differently_from_the_stored_one(sessions: storage.SessionFactory) -> None:
    [stored] = (await _send(sessions, "staff.li", Button("确认", Action.CONFIRM, "1001"))).buttons
    configure_key("a-key-from-HELPDESK_BUTTON_KEY")
    try:
        assert await _check(sessions, stored.payload, "staff.li") is None
        [configured] = (await _send(sessions, "staff.li", Button("确认", Action.CONFIRM, "1001"))).buttons
        checked = await _check(sessions, configured.payload, "staff.li")
        assert checked is not None and checked.allowed
    finally:
        configure_key(None)
    checked = await _check(sessions, stored.payload, "staff.li")
    assert checked is not None and checked.allowed  # the stored key was kept


def test_the_longest_payload_the_bot_makes_fits_telegrams_callback_data() -> None:
    longest = max(
        (Button("x", action, LONG_REF).signed_payload(10**12 - 1, 99, "A" * 14) for action in Action),
        key=lambda p: len(p.encode()),
    )
    assert len(longest.encode("utf-8")) <= MAX_PAYLOAD_BYTES, longest


async def test_history_shows_a_signed_press_by_its_title(sessions: storage.SessionFactory) -> None:
    [solved] = (await _send(sessions, "staff.li", Button("解决了", Action.SOLVED, "7:wifi-connect"))).buttons
    async with sessions() as s, s.begin():
        await storage.record_inbound(
            s,
            channel="web",
            channel_message_id="m-1",
            sender_ref="staff.li",
            sender_id="staff.li",
            chat_id="staff.li",
            text=solved.payload,
            received_at=NOW,
        )
    async with sessions() as s:
        items = await conversation_items(s, "staff.li")
    assert [i.reply.text for i in items if i.from_person] == ["解决了"]
