"""Knowledge-base deflection: how often each article was served, solved, or became a ticket."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ArticleEvent

OUTCOMES = ("served", "solved", "ticket")


@dataclass(frozen=True)
class ArticleCounts:
    article_id: str
    served: int = 0
    solved: int = 0
    ticket: int = 0


async def record_article_event(
    session: AsyncSession,
    *,
    article_id: str,
    outcome: str,
    at: datetime,
    person_id: str | None = None,
    inbound_id: int | None = None,
    ticket_id: int | None = None,
) -> None:
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown article outcome {outcome!r}")
    session.add(
        ArticleEvent(
            article_id=article_id,
            outcome=outcome,
            at=at,
            person_id=person_id,
            inbound_id=inbound_id,
            ticket_id=ticket_id,
        )
    )
    await session.flush()


async def article_outcome_for(session: AsyncSession, inbound_id: int, outcome: str) -> ArticleEvent | None:
    """The event of this outcome already recorded for an answer (so a second press counts once)."""
    return await session.scalar(
        select(ArticleEvent).where(ArticleEvent.inbound_id == inbound_id, ArticleEvent.outcome == outcome)
    )


async def article_counts(
    session: AsyncSession, since: datetime | None = None, until: datetime | None = None
) -> dict[str, ArticleCounts]:
    """Counts per article in [since, until)."""
    query = select(ArticleEvent.article_id, ArticleEvent.outcome, func.count()).group_by(
        ArticleEvent.article_id, ArticleEvent.outcome
    )
    if since is not None:
        query = query.where(ArticleEvent.at >= since)
    if until is not None:
        query = query.where(ArticleEvent.at < until)
    totals: dict[str, dict[str, int]] = {}
    for article_id, outcome, count in (await session.execute(query)).all():
        totals.setdefault(article_id, {})[outcome] = int(count)
    return {a: ArticleCounts(a, **c) for a, c in totals.items()}
