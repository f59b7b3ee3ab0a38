"""优化建议: suggestions derived from the month's figures by explicit rules, each with the figures
that triggered it (so the reader can check it, and a test can trigger it and not).

Rules, in the order the report lists them:

- ``repeated_fault``: a device sent to repair twice or more (see ``MonthlyFigures.repeated_devices``)
  → assess replacing it.
- ``weekday_misses``: a weekday with at least ``WEEKDAY_MIN`` high tickets whose 2 h response
  share is below ``WEEKDAY_BELOW`` and at least ``WEEKDAY_GAP`` under the other working days' →
  more people on duty that day; it names the roster's teams on duty when those were late (teams
  rotate weekly, so one team rarely has enough Mondays in a month to judge on its own).
- ``write_article``: a problem category with at least ``ARTICLE_MIN`` tickets in the month, none of
  them answered by a knowledge-base article → write one.
- ``revise_article``: an article served at least ``REVISE_MIN`` times that became a ticket in at
  least ``REVISE_SHARE`` of them → rewrite it.
- ``complaint_missed``: a complaint promise (8 h facts / 24 h answer) missed → review the handling.
- ``slow_response``: a severity whose in-time share is under ``RESPONSE_BELOW`` (with at least
  ``RESPONSE_MIN`` tickets due) → check the roster and the escalation chain.
- ``retrain_triage``: engineers changed the triage of at least ``RETRAIN_MIN`` tickets and at least
  ``RETRAIN_SHARE`` of the month's → review the corrections and add them to the training data
  (``helpdesk triage corrections``, then ``--export``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from reports.categories import HARDWARE, OTHER, category_of
from reports.figures import MonthlyFigures, share

__all__ = ["Suggestion", "suggestions"]

WEEKDAY_MIN = 3
WEEKDAY_BELOW = 0.8
WEEKDAY_GAP = 0.2
ARTICLE_MIN = 3
REVISE_MIN = 3
REVISE_SHARE = 0.5
RESPONSE_BELOW = 0.9
RESPONSE_MIN = 3
RETRAIN_MIN = 3
RETRAIN_SHARE = 0.05


@dataclass(frozen=True)
class Suggestion:
    rule: str
    values: dict[str, Any] = field(default_factory=dict)


def _repeated_faults(figures: MonthlyFigures) -> list[Suggestion]:
    return [
        Suggestion(
            "repeated_fault",
            {"device": d.device, "key": d.key, "count": d.repairs, "faults": d.faults, "tickets": d.tickets},
        )
        for d in figures.repeated_devices
    ]


def _weekday_misses(figures: MonthlyFigures) -> list[Suggestion]:
    found = []
    for weekday, promised, in_time, teams in figures.weekday_high:
        if promised < WEEKDAY_MIN:
            continue
        rate = in_time / promised
        others = [(p, k) for d, p, k, _ in figures.weekday_high if d != weekday]
        other_rate = share(sum(k for _, k in others), sum(p for p, _ in others))
        if rate < WEEKDAY_BELOW and (other_rate is None or other_rate - rate >= WEEKDAY_GAP):
            found.append(
                Suggestion(
                    "weekday_misses",
                    {"weekday": weekday, "rate": rate, "other_rate": other_rate, "count": promised, "teams": teams},
                )
            )
    return found


def _write_articles(figures: MonthlyFigures) -> list[Suggestion]:
    groups: dict[str, list[int]] = defaultdict(list)
    texts: dict[str, str] = {}
    for t in figures.tickets:
        if t.article is not None or t.kind not in ("incident", "unknown"):
            continue
        category = category_of(t.text, t.severity)
        if category in (OTHER, HARDWARE):
            continue
        groups[category].append(t.number)
        texts.setdefault(category, t.text)
    return [
        Suggestion("write_article", {"category": c, "count": len(n), "tickets": tuple(n), "example": texts[c]})
        for c, n in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        if len(n) >= ARTICLE_MIN
    ]


def _revise_articles(figures: MonthlyFigures) -> list[Suggestion]:
    return [
        Suggestion("revise_article", {"article": article, "served": served, "ticket": ticket})
        for article, served, _solved, ticket in figures.deflection.per_article
        if served >= REVISE_MIN and ticket / served >= REVISE_SHARE
    ]


def _complaints(figures: MonthlyFigures) -> list[Suggestion]:
    c = figures.complaints
    if not c.facts_missed and not c.answer_missed:
        return []
    return [Suggestion("complaint_missed", {"facts": c.facts_missed, "answer": c.answer_missed, "total": c.total})]


def _slow_response(figures: MonthlyFigures) -> list[Suggestion]:
    return [
        Suggestion("slow_response", {"severity": s.severity, "rate": s.in_time_share, "count": s.promised})
        for s in figures.severities
        if s.promised >= RESPONSE_MIN and s.in_time_share is not None and s.in_time_share < RESPONSE_BELOW
    ]


def _retrain_triage(figures: MonthlyFigures) -> list[Suggestion]:
    t = figures.triage
    share_ = t.corrected_share
    if t.corrected < RETRAIN_MIN or share_ is None or share_ < RETRAIN_SHARE:
        return []
    return [Suggestion("retrain_triage", {"corrected": t.corrected, "opened": t.opened, "rate": share_})]


def suggestions(figures: MonthlyFigures) -> list[Suggestion]:
    """Every rule's suggestions, in the order of the module docstring."""
    return [
        *_repeated_faults(figures),
        *_weekday_misses(figures),
        *_write_articles(figures),
        *_revise_articles(figures),
        *_complaints(figures),
        *_slow_response(figures),
        *_retrain_triage(figures),
    ]
