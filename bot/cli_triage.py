"""``helpdesk triage corrections``: the corrections engineers made to triage, their review, and the
reviewed ones as training data.

    helpdesk triage corrections [--since 2026-11-01] [--export corrections.yml]
    helpdesk triage corrections review 17 18 [--reject] [--by admin]

An operator reviews before anything is learnt: a correction is an operational act (an engineer may
press "not urgent" to stop a page at night, or regrade because the situation changed since the
report), not always a statement about the words of the message, and the rubric says rank and time
do not change severity. ``--export`` writes, for each ticket whose latest correction was accepted,
its text under the intent the corrected triage names, in Rasa's NLU YAML format, ready to be added
to ``nlu/data`` (a ticket corrected again later waits for that correction's review).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import storage
from bot.app import open_database
from config.settings import Settings, load_settings
from core.clock import SystemClock
from nlu.training_data import intent_for, nlu_yaml
from storage import corrections as corrections_store
from storage.corrections import TriageCorrection

T = TypeVar("T")


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(Path(args.config) if args.config else None, env=os.environ)


def _value(triage: dict[str, object]) -> str:
    kind, severity, article = triage.get("kind"), triage.get("severity"), triage.get("article")
    if kind == "incident" and severity:
        return f"incident/{severity}"
    return f"howto/{article}" if kind == "howto" and article else str(kind)


def _verdict(correction: TriageCorrection) -> str:
    return correction.verdict or "to review"


def training_examples(corrections: list[TriageCorrection]) -> tuple[list[tuple[str, str]], list[TriageCorrection]]:
    """(intent, text) for each ticket whose latest correction was accepted, and the accepted ones
    left out because no intent names their value (a how-to whose article was not given)."""
    latest: dict[int, TriageCorrection] = {}
    for correction in corrections:
        latest[correction.ticket_number] = correction
    examples, skipped = [], []
    for correction in latest.values():
        if not correction.accepted:
            continue
        after = correction.after
        intent = intent_for(str(after.get("kind")), _str(after.get("severity")), _str(after.get("article")))
        if intent is None or not correction.text.strip():
            skipped.append(correction)
        else:
            examples.append((intent, correction.text))
    return examples, skipped


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def cmd_triage_corrections(args: argparse.Namespace) -> int:
    settings = _settings(args)
    zone = ZoneInfo(settings.service.timezone)
    if getattr(args, "corrections_command", None) == "review":
        return _review(settings, args)
    since = None
    if args.since:
        try:
            since = dt.datetime.combine(dt.date.fromisoformat(args.since), dt.time(), zone)
        except ValueError:
            print(f"helpdesk: --since wants a date like 2026-11-01, not {args.since!r}", file=sys.stderr)
            return 2

    async def work(sessions: storage.SessionFactory) -> list[TriageCorrection]:
        async with sessions() as session:
            return await corrections_store.triage_corrections(session, since)

    corrections = _with_store(settings, work)
    print(f"{'id':>5}  {'ticket':>6}  {'when (' + str(zone) + ')':<22} {'by':<10} {'via':<8} change [review]")
    for c in corrections:
        when = c.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        change = f"{_value(c.before)} → {_value(c.after)}"
        number = f"#{c.ticket_number}"
        print(f"{c.id:>5}  {number:>6}  {when:<22} {c.by or '-':<10} {c.source:<8} {change} [{_verdict(c)}]")
        print(f"{'':>7}why: {c.why or '-'}")
        print(f"{'':>7}text: {' '.join(c.text.split())}")
    print(f"{len(corrections)} correction(s); {sum(c.verdict is None for c in corrections)} to review")
    if args.export:
        examples, skipped = training_examples(corrections)
        comment = f"Triage corrections accepted by review, exported {SystemClock().now():%Y-%m-%d %H:%M} UTC."
        Path(args.export).write_text(nlu_yaml(examples, comment), encoding="utf-8")
        print(f"exported {len(examples)} example(s) to {args.export}")
        for c in skipped:
            print(f"  not exported: #{c.ticket_number} ({_value(c.after)}): no intent names it", file=sys.stderr)
    return 0


def _review(settings: Settings, args: argparse.Namespace) -> int:
    verdict = "rejected" if args.reject else "accepted"

    async def work(sessions: storage.SessionFactory) -> int:
        async with sessions() as session, session.begin():
            if await storage.get_person(session, args.by) is None:
                print(f"helpdesk: unknown person {args.by!r}; try `helpdesk people list`", file=sys.stderr)
                return 2
            known = {c.id for c in await corrections_store.triage_corrections(session)}
            missing = [i for i in args.ids if i not in known]
            if missing:
                print(f"helpdesk: no correction {', '.join(map(str, missing))}; nothing recorded", file=sys.stderr)
                return 1
            for correction_id in args.ids:
                await corrections_store.review_correction(
                    session, correction_id, verdict=verdict, by=args.by, source="cli", at=SystemClock().now()
                )
        print(f"{verdict}: {', '.join(map(str, args.ids))}")
        return 0

    return _with_store(settings, work)


def _with_store(settings: Settings, work: Callable[[storage.SessionFactory], Awaitable[T]]) -> T:
    async def main() -> T:
        engine, sessions = await open_database(settings)
        try:
            return await work(sessions)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def add_parser(triage: argparse._SubParsersAction) -> None:
    """``triage corrections`` (list, --export) and ``triage corrections review``."""
    corrections = triage.add_parser("corrections", help="engineers' corrections of triage; export reviewed ones")
    corrections.add_argument("--since", help="only corrections from this local date on (2026-11-01)")
    corrections.add_argument("--export", metavar="FILE", help="write the accepted ones as Rasa NLU training data")
    corrections.set_defaults(func=cmd_triage_corrections)
    sub = corrections.add_subparsers(dest="corrections_command")
    review = sub.add_parser("review", help="accept (or --reject) corrections by id as training data")
    review.add_argument("ids", nargs="+", type=int)
    review.add_argument("--reject", action="store_true", help="keep them out of the training data")
    review.add_argument("--by", default="admin", help="who reviews (default: admin)")
    review.set_defaults(func=cmd_triage_corrections)
