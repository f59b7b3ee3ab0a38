"""Triage corrections in the store: listing with their review, and the production triage accuracy
of a period (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

import storage
from storage import corrections as corrections_store

NOVEMBER = datetime(2026, 11, 1, tzinfo=UTC)
DECEMBER = datetime(2026, 12, 1, tzinfo=UTC)


async def _ticket(session: AsyncSession, at: datetime, kind: str = "incident") -> storage.Ticket:
    return await storage.open_ticket(
        session,
        requester_id="staff.li",
        kind=kind,
        severity="urgent" if kind == "incident" else None,
        text=f"整层断网 {at:%d %H:%M}",
        channel="rest",
        now=at,
    )


async def _correct(session: AsyncSession, ticket: storage.Ticket, at: datetime, severity: str) -> int:
    """What the chat correction writes: the values before and after, why, and the text."""
    event = await storage.add_event(
        session,
        ticket,
        at=at,
        actor_id="eng.chen",
        action=corrections_store.TRIAGE_CORRECTED_EVENT,
        source="rest",
        detail={
            "from": {"kind": ticket.kind, "severity": ticket.severity, "article": None},
            "to": {"kind": "incident", "severity": severity, "article": None},
            "why": "只是一台电脑",
            "text": ticket.text,
        },
    )
    ticket.kind, ticket.severity = "incident", severity
    return event.id


async def test_accuracy_counts_the_tickets_opened_in_the_period_and_those_an_engineer_corrected(
    sessions: storage.SessionFactory,
) -> None:
    async with sessions() as s, s.begin():
        before = await _ticket(s, NOVEMBER - timedelta(minutes=1))  # October's
        await _correct(s, before, NOVEMBER + timedelta(days=1), "high")
        november = [await _ticket(s, NOVEMBER + timedelta(days=d)) for d in range(5)]
        await _correct(s, november[0], NOVEMBER + timedelta(days=1), "high")
        await _correct(s, november[0], NOVEMBER + timedelta(days=2), "normal")  # the same ticket again
        last = await _ticket(s, DECEMBER - timedelta(seconds=1))
        await _correct(s, last, DECEMBER + timedelta(days=3), "normal")  # corrected after the month: still counts
        untriaged = await _ticket(s, NOVEMBER + timedelta(days=6), kind="unknown")
        await _correct(s, untriaged, NOVEMBER + timedelta(days=6), "high")  # classified, not a triage error
        await _ticket(s, DECEMBER)  # December's
    async with sessions() as s:
        figures = await corrections_store.triage_accuracy(s, NOVEMBER, DECEMBER)
        empty = await corrections_store.triage_accuracy(s, DECEMBER + timedelta(days=40), DECEMBER + timedelta(days=70))
    assert (figures.opened, figures.corrected, figures.classified) == (7, 2, 1)
    assert figures.corrected_share == pytest.approx(2 / 7)
    assert figures.accuracy == pytest.approx(5 / 7)
    assert (empty.opened, empty.accuracy) == (0, None)


async def test_corrections_are_listed_with_their_latest_review(sessions: storage.SessionFactory) -> None:
    async with sessions() as s, s.begin():
        first = await _ticket(s, NOVEMBER)
        second = await _ticket(s, NOVEMBER + timedelta(hours=1))
        a = await _correct(s, first, NOVEMBER + timedelta(minutes=5), "high")
        b = await _correct(s, second, NOVEMBER + timedelta(hours=2), "normal")
    async with sessions() as s, s.begin():
        at = NOVEMBER + timedelta(days=1)
        assert await corrections_store.review_correction(s, a, verdict="accepted", by="admin", source="cli", at=at)
        assert await corrections_store.review_correction(s, b, verdict="accepted", by="admin", source="cli", at=at)
        assert await corrections_store.review_correction(s, b, verdict="rejected", by="admin", source="cli", at=at)
        opened = (await storage.ticket_events(s, first))[0].id
        assert not await corrections_store.review_correction(
            s, opened, verdict="accepted", by="admin", source="cli", at=at
        )
        with pytest.raises(ValueError):
            await corrections_store.review_correction(s, a, verdict="maybe", by="admin", source="cli", at=at)
    async with sessions() as s:
        listed = await corrections_store.triage_corrections(s)
        later = await corrections_store.triage_corrections(s, since=NOVEMBER + timedelta(hours=1))
    assert [(c.id, c.ticket_number, c.verdict) for c in listed] == [
        (a, first.number, "accepted"),
        (b, second.number, "rejected"),
    ]
    assert listed[0].before["severity"] == "urgent" and listed[0].after["severity"] == "high"
    assert (listed[0].by, listed[0].source, listed[0].why) == ("eng.chen", "rest", "只是一台电脑")
    assert listed[0].text == first.text and listed[0].at == NOVEMBER + timedelta(minutes=5)
    assert [c.id for c in later] == [b]
