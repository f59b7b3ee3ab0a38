"""The retriage worker: tickets opened while the NLU was down are triaged once it answers again.

Each pass reads the tickets still waiting (``storage.tickets_awaiting_triage``), triages their text
outside any transaction, and applies each answer (``handlers.intake.untriaged.retriage``) in a transaction
of its own that locks the ticket and checks it still waits, so an engineer who took it meanwhile, or
a second bot process, is never overruled. The first NLU failure ends the pass: the rest wait for the
next one. Passes run every ``every_s`` while tickets wait, and at once when woken (the NLU answered
again, see ``bot.health``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import replace

import storage
from bot.outbox import dispatch
from core.clock import Clock
from handlers.context import HandlerContext
from handlers.contract import Contract
from handlers.intake.untriaged import awaiting_triage, leave_to_engineers, retriage
from handlers.paging.duty import effective_roster
from nlu.client import NluClient, NluUnavailable
from nlu.triage import Triage, triage
from storage import paging as paging_store

log = logging.getLogger(__name__)


class RetriageWorker:
    def __init__(
        self,
        sessions: storage.SessionFactory,
        nlu: NluClient,
        clock: Clock,
        hotline: str,
        contract: Contract | None = None,
        on_enqueued: Callable[[], None] = lambda: None,
        every_s: float = 15.0,
        batch: int = 20,
    ) -> None:
        self._sessions = sessions
        self._nlu = nlu
        self._clock = clock
        self._hotline = hotline
        self._contract = contract
        self._on_enqueued = on_enqueued
        self._every = every_s
        self._batch = batch
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Run a pass now (the NLU answers again)."""
        self._wake.set()

    async def run_once(self) -> int:
        """Triage the tickets waiting for it, oldest first. Returns how many were triaged."""
        async with self._sessions() as session:
            waiting = [(t.id, t.text) for t in await storage.tickets_awaiting_triage(session, self._batch)]
        done = 0
        for ticket_id, text in waiting:
            try:
                result = await triage(self._nlu, text)
            except NluUnavailable:
                log.info("the NLU is still unavailable; %d ticket(s) wait for triage", len(waiting) - done)
                break
            done += await self._apply(ticket_id, result)
        if done:
            log.info("triaged %d ticket(s) opened while the NLU was unavailable", done)
            self._on_enqueued()
        return done

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.run_once()
            except Exception:
                log.exception("retriage pass failed; trying again later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._every)

    async def _apply(self, ticket_id: int, result: Triage) -> int:
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            found = await storage.get_ticket_by_id(session, ticket_id)
            ticket = await paging_store.lock_ticket(session, found.number) if found and found.number else None
            if ticket is None or not await awaiting_triage(session, ticket):
                return 0
            opened = (await storage.ticket_events(session, ticket))[0]
            inbound_id = opened.detail.get("inbound_id")
            inbound = await storage.get_inbound(session, int(inbound_id)) if inbound_id is not None else None
            requester = await storage.get_person(session, ticket.requester_id)
            if inbound is None or requester is None:
                log.warning("ticket #%s: its message or requester is gone; left to the engineers", ticket.number)
                await leave_to_engineers(session, ticket, now, "message or requester missing")
                return 0
            contract = self._contract
            if contract is not None:  # swaps and leave recorded in chat apply, as for a new message
                contract = replace(contract, roster=await effective_roster(session, contract.roster))
            ctx = HandlerContext(
                session=session, person=requester, message=inbound, now=now, hotline=self._hotline, contract=contract
            )
            await dispatch(session, await retriage(ctx, ticket, result), now, reply_to=inbound)
        return 1
