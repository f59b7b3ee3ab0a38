"""Receive → store → triage → handler → outbox, for every channel alike.

A message is stored (idempotently on channel + message id) before the channel is answered. Triage
calls Rasa outside any transaction; the handler's changes and its replies (handed to
``bot.outbox.dispatch``) are then written in one transaction, which first claims the message
(received → handled) so that a redelivery, a second worker or the start-up recovery never handles it
twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from bot.invites import redeem, start_code
from bot.kb_holder import KnowledgeBaseHolder
from bot.outbox import dispatch
from bot.outbox.buttons import check_press
from core.clock import Clock
from core.messages import Action, Attachment, ButtonPress, InboundMessage, Outgoing, Reply, parse_payload
from core.ports import Receipt
from handlers.context import HandlerContext
from handlers.contract import Contract
from handlers.intake.failed import handle_failed
from handlers.intake.files import handle_files_only
from handlers.intake.newcomer import enrol_newcomer
from handlers.intake.untriaged import handle_untriaged
from handlers.kb.articles import KnowledgeBase
from handlers.paging.duty import effective_roster
from handlers.registry import ACTION_HANDLERS, DIALOGS, KIND_HANDLERS, TEXT_HOOKS
from handlers.reports import parse_report_request
from handlers.tickets.commands import Command, parse_command, run_command
from i18n import say
from nlu.client import NluClient, NluUnavailable
from nlu.triage import Triage, triage
from storage import DIRECTORY_CHANNELS

log = logging.getLogger(__name__)

# Files sent without words wait this long for the message that opens their ticket.
FILES_WAIT = timedelta(minutes=30)


def _attachments_of(inbound: storage.InboundMessage) -> list[Attachment]:
    items = (inbound.attachments or {}).get("items", [])
    return [Attachment(str(i["kind"]), str(i["name"]), str(i["ref"]), int(i.get("size", 0))) for i in items]


@dataclass(frozen=True)
class _Decision:
    triage: Triage | None
    error: str | None
    press: ButtonPress | None
    original_id: int | None = None  # for a clarifying answer: the message being triaged
    command: Command | None = None  # an engineer command, dispatched instead of triage
    refused: bool = False  # a genuine button pressed by someone it was not sent to


# A genuine button pressed by someone who may not press it: answered as a stale button.
_REFUSED = ButtonPress(Action.OPEN_TICKET, "")


class Pipeline:
    def __init__(
        self,
        sessions: storage.SessionFactory,
        nlu: NluClient,
        clock: Clock,
        hotline: str,
        on_enqueued: Callable[[], None] = lambda: None,
        kb: KnowledgeBaseHolder | None = None,
        contract: Contract | None = None,
        max_attempts: int = 3,
    ) -> None:
        self._contract = contract
        self._max_attempts = max_attempts
        self._handled_listeners: list[Callable[[int], None]] = []
        self._sessions = sessions
        self._kb = kb or KnowledgeBaseHolder(KnowledgeBase([]))
        self._nlu = nlu
        self._clock = clock
        self._hotline = hotline
        self._on_enqueued = on_enqueued

    def on_handled(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(inbound_id)`` once a message's replies are committed (or it was given up)."""
        self._handled_listeners.append(listener)

    def _handled(self, inbound_id: int) -> None:
        self._on_enqueued()
        for listener in self._handled_listeners:
            listener(inbound_id)

    async def receive(self, msg: InboundMessage) -> Receipt:
        """Store the message; a redelivered one is recognised and not stored again."""
        async with self._sessions() as session, session.begin():
            person = await storage.person_for_identity(session, msg.channel, msg.sender)
            if person is not None and msg.channel not in DIRECTORY_CHANNELS:
                # They wrote from it, so the bot can reach them there again (if it had been blocked).
                await storage.set_reachable(session, msg.channel, msg.sender, None)
            if person is None:  # a WeCom colleague not synced yet: enrolled, the service manager told
                now = self._clock.now()
                person, notices = await enrol_newcomer(session, msg.channel, msg.sender, now, self._contract)
                await dispatch(session, notices, now)
            row, created = await storage.record_inbound(
                session,
                channel=msg.channel,
                channel_message_id=msg.message_id,
                sender_ref=msg.sender,
                sender_id=person.id if person else None,
                chat_id=msg.chat,
                text=msg.text,
                received_at=msg.received_at,
                attachments={"items": [a.__dict__ for a in msg.attachments]} if msg.attachments else {},
            )
            return Receipt(row.id, duplicate=not created)

    async def handle(self, msg: InboundMessage) -> Receipt:
        """Store and handle a message; a redelivery is handled only if the first try never finished."""
        receipt = await self.receive(msg)
        await self.process(receipt.inbound_id)
        return receipt

    async def process(self, inbound_id: int) -> bool:
        """Handle a stored message once. Returns False when it was already handled or handling failed.

        A failure is counted on the message, which stays waiting for the recovery loop; after
        ``max_attempts`` failures it is given up (see ``handlers.intake.failed``), so nothing is retried forever."""
        try:
            return await self._process(inbound_id)
        except Exception as exc:
            log.exception("handling message %s failed", inbound_id)
            await self._count_failure(inbound_id, f"{type(exc).__name__}: {exc}")
            return False

    async def _count_failure(self, inbound_id: int, error: str) -> None:
        async with self._sessions() as session, session.begin():
            inbound = await storage.count_failed_attempt(session, inbound_id, error)
            if inbound is None or inbound.attempts < self._max_attempts:
                return
            now = self._clock.now()
            ctx = await self._context(session, inbound, now)
            outgoing = await handle_failed(ctx, error, inbound.attempts) if ctx is not None else []
            await dispatch(session, outgoing, now, reply_to=inbound)
            storage.mark_given_up(inbound, at=now, ticket_id=outgoing[0].ticket_id if outgoing else None)
            log.error("gave up on message %s after %d attempts: %s", inbound_id, inbound.attempts, error)
        self._handled(inbound_id)

    async def _process(self, inbound_id: int) -> bool:
        async with self._sessions() as session:
            inbound = await storage.get_inbound(session, inbound_id)
            if inbound is None or inbound.status != "received":
                return False
            text, sender_id = inbound.text, inbound.sender_id
        wordless = not text.strip()  # files only: nothing to triage
        decision = await self._decide(text, sender_id) if sender_id and not wordless else _Decision(None, None, None)
        async with self._sessions() as session, session.begin():
            inbound = await storage.claim_inbound(session, inbound_id)
            if inbound is None:
                return False
            now = self._clock.now()
            outgoing = await self._run_handler(session, inbound, decision, now)
            outgoing = [*await self._refused_files(session, inbound), *outgoing]
            ticket_ids = [o.ticket_id for o in outgoing if o.ticket_id is not None]
            if inbound.sender_id is not None and decision.press is None:
                await self._attach_files(session, inbound, ticket_ids[0] if ticket_ids else None, now)
            await dispatch(session, outgoing, now, reply_to=inbound)
            t = decision.triage
            await storage.mark_handled(
                session,
                inbound,
                at=now,
                kind=t.kind if t else ("unknown" if decision.error else None),
                severity=t.severity if t else None,
                article=t.article if t else None,
                confidence=t.confidence if t else None,
                triage_error=decision.error,
                ticket_id=ticket_ids[0] if ticket_ids and decision.press is None else None,
            )
        self._handled(inbound_id)
        return True

    async def recover(self, older_than: timedelta = timedelta(seconds=0)) -> int:
        """Handle messages a stopped process had stored but not handled. Returns how many."""
        async with self._sessions() as session:
            pending = await storage.unhandled_inbound(session, self._clock.now() - older_than)
            ids = [row.id for row in pending]
        handled = 0
        for inbound_id in ids:
            handled += await self.process(inbound_id)
        return handled

    async def _decide(self, text: str, sender_id: str) -> _Decision:
        press = await self._checked_press(text, sender_id)
        if press is _REFUSED:
            return _Decision(None, None, None, refused=True)
        if press is not None and press.action in (Action.CLARIFY, Action.NOT_SOLVED):
            # Triage the original question again with what the person told us: the kind they
            # picked, or "it is broken" after a how-to answer did not help (keeping its article).
            ref, _, hint = press.ref.partition(":")
            kind, article = (hint, None) if press.action is Action.CLARIFY else ("incident", hint or None)
            async with self._sessions() as session:
                original = await storage.get_inbound(session, int(ref)) if ref.isdigit() else None
            if original is None or original.sender_id != sender_id:
                return _Decision(None, None, press)
            try:
                result = await triage(self._nlu, original.text, kind_hint=kind)
            except NluUnavailable as exc:
                log.warning("triage of a clarified message failed", exc_info=True)
                return _Decision(None, str(exc), None, original.id)
            if article:
                result = replace(result, article=article)
            return _Decision(result, None, None, original.id)
        if press is not None:
            return _Decision(None, None, press)
        command = parse_command(text)
        if command is not None:
            return _Decision(None, None, None, command=command)
        if parse_report_request(text) is not None:
            return _Decision(None, None, None)  # the report hook answers it: no triage needed
        try:
            return _Decision(await triage(self._nlu, text), None, None)
        except NluUnavailable as exc:
            log.warning("triage failed; the message becomes an untriaged ticket", exc_info=True)
            return _Decision(None, str(exc), None)

    async def _checked_press(self, text: str, sender_id: str) -> ButtonPress | None:
        """The press a text is, once looked up: None for ordinary text (a typed payload, a bad MAC),
        ``_REFUSED`` for a genuine button the sender may not press (see ``bot.outbox.buttons``)."""
        claimed = parse_payload(text)
        if claimed is None:
            return None
        async with self._sessions() as session:
            checked = await check_press(session, claimed, sender_id, self._clock.now())
        if checked is None:
            return None
        return checked.press if checked.allowed else _REFUSED

    async def _run_handler(
        self, session: AsyncSession, inbound: storage.InboundMessage, decision: _Decision, now: datetime
    ) -> list[Outgoing]:
        ctx = await self._context(session, inbound, now)
        if ctx is None:
            return await self._stranger(session, inbound, now)
        if decision.refused:
            return [Outgoing(Reply(say(ctx.lang, "stale_button")))]
        if not inbound.text.strip():
            kept = [a for a in _attachments_of(inbound) if a.ref]
            if not kept and _attachments_of(inbound):
                return []  # only files too large to take: _refused_files says so
            return await handle_files_only(ctx, len(kept))
        message = inbound
        if decision.original_id is not None:
            original = await storage.get_inbound(session, decision.original_id)
            if original is None:
                return [Outgoing(Reply(say(ctx.lang, "stale_button")))]
            if original.ticket_id is not None:
                existing = await storage.get_ticket_by_id(session, original.ticket_id)
                number = existing.number if existing else "?"
                return [Outgoing(Reply(say(ctx.lang, "already_ticket", number=number)))]
            message = original
            ctx = replace(ctx, message=original)
        if decision.command is not None:
            return [*await run_command(ctx, decision.command), *await DIALOGS.reminder(ctx)]
        for hook in TEXT_HOOKS if decision.press is None and decision.original_id is None else ():
            # A service command, or the answer to an open dialog (unless it is a fault report).
            consumed = await hook(ctx, decision.triage)
            if consumed is not None:
                return consumed
        if decision.press is not None:
            handler = ACTION_HANDLERS.get(decision.press.action)
            if handler is None:
                return [Outgoing(Reply(say(ctx.lang, "stale_button")))]
            return [*await handler(ctx, decision.press), *await DIALOGS.reminder(ctx)]
        if decision.triage is None:
            return await handle_untriaged(ctx, message)
        outgoing = await KIND_HANDLERS[decision.triage.kind](ctx, decision.triage)
        if message is not inbound:
            ids = [o.ticket_id for o in outgoing if o.ticket_id is not None]
            if ids:
                message.ticket_id = ids[0]
        return [*outgoing, *await DIALOGS.reminder(ctx)]

    async def _attach_files(
        self, session: AsyncSession, inbound: storage.InboundMessage, ticket_id: int | None, now: datetime
    ) -> None:
        """Keep the files that came with the message, and link them, with the files the person sent
        shortly before without a ticket to go to, to the ticket this message is about."""
        assert inbound.sender_id is not None
        for item in _attachments_of(inbound):
            if not item.ref:
                continue  # too large: not kept (see _refused_files)
            await storage.add_attachment(
                session,
                ref=item.ref,
                name=item.name[:255],
                kind=item.kind,
                size=item.size,
                sender_id=inbound.sender_id,
                inbound_id=inbound.id,
                now=now,
            )
        ticket = await storage.get_ticket_by_id(session, ticket_id) if ticket_id is not None else None
        if ticket is None or ticket.requester_id != inbound.sender_id:
            return
        waiting = await storage.unlinked_attachments(session, inbound.sender_id, now - FILES_WAIT)
        if not waiting:
            return
        storage.link_attachments(waiting, ticket.id)
        files = [{"name": a.name, "kind": a.kind, "size": a.size, "ref": a.ref} for a in waiting]
        await storage.add_event(
            session,
            ticket,
            at=now,
            actor_id=inbound.sender_id,
            action="attachment",
            source=inbound.channel,
            detail={"files": files},
        )

    async def _refused_files(self, session: AsyncSession, inbound: storage.InboundMessage) -> list[Outgoing]:
        """A channel passes a file too large to keep as an attachment with no ref: the sender is told
        (the rest of the message is handled as usual)."""
        refused = [a for a in _attachments_of(inbound) if not a.ref]
        person = await storage.get_person(session, inbound.sender_id) if inbound.sender_id else None
        if not refused or person is None:
            return []
        mb = f"{max(a.size for a in refused) / 1024 / 1024:.1f}"
        names = ", ".join(a.name for a in refused)
        return [Outgoing(Reply(say(person.language, "file_refused_too_large", name=names, size_mb=mb)))]

    async def _stranger(self, session: AsyncSession, inbound: storage.InboundMessage, now: datetime) -> list[Outgoing]:
        """Someone the directory does not know on this channel: an invite code binds them; anything
        else gets how to get one, and nothing else (no triage, no ticket, no data)."""
        if inbound.channel in DIRECTORY_CHANNELS:
            return [Outgoing(Reply(say("zh", "unknown_person", hotline=self._hotline)))]
        code = start_code(inbound.text)
        person = await redeem(session, inbound.channel, inbound.sender_ref, code, now) if code else None
        if person is not None:
            inbound.sender_id = person.id
            log.info("%s user %s is now bound to %s", inbound.channel, inbound.sender_ref, person.id)
            return [Outgoing(Reply(say(person.language, "invite_bound", name=person.name)))]
        key = "invite_refused" if code else "unbound_identity"
        # Nobody knows their language yet: Chinese first, then English.
        text = "\n\n".join(say(lang, key, hotline=self._hotline) for lang in ("zh", "en"))
        return [Outgoing(Reply(text))]

    async def _context(
        self, session: AsyncSession, inbound: storage.InboundMessage, now: datetime
    ) -> HandlerContext | None:
        """What a handler is given for this message; None when the sender is not in the directory."""
        person = await storage.get_person(session, inbound.sender_id) if inbound.sender_id else None
        if person is None:
            return None
        return HandlerContext(
            session=session,
            person=person,
            message=inbound,
            now=now,
            hotline=self._hotline,
            kb=self._kb.current,
            contract=await self._contract_now(session),
        )

    async def _contract_now(self, session: AsyncSession) -> Contract | None:
        """The contract with the roster overrides made in chat or by CLI applied (checked per message,
        so a swap takes effect at once in every bot process; rebuilt only when one was added)."""
        if self._contract is None:
            return None
        today = self._clock.now().astimezone(self._contract.zone).date()
        roster = await effective_roster(session, self._contract.roster, since=today)
        return replace(self._contract, roster=roster)
