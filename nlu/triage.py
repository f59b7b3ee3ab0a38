"""From Rasa's parse to the rubric's vocabulary: kind, severity, article.

Intent names carry the answer: ``incident_<severity>``, ``howto_<article id>``, and the other kinds
by name. Below ``CONFIDENCE_FLOOR`` the bot does not guess: it asks one clarifying question.
(First version by the lead for the foundation; the triage issue refines it with the rubric rules.)
"""

from __future__ import annotations

from dataclasses import dataclass

from nlu.client import NluClient, ParseResult

KINDS: tuple[str, ...] = ("incident", "howto", "status", "complaint", "purchase", "chitchat", "unknown")
SEVERITIES: tuple[str, ...] = ("urgent", "high", "normal", "hardware")
CONFIDENCE_FLOOR = 0.45


@dataclass(frozen=True)
class Triage:
    kind: str
    severity: str | None
    article: str | None
    confidence: float
    needs_clarification: bool
    rule: str | None
    candidates: tuple[str, ...]


def _split_intent(name: str) -> tuple[str, str | None, str | None]:
    if name.startswith("incident_") and name[len("incident_") :] in SEVERITIES:
        return "incident", name[len("incident_") :], None
    if name.startswith("howto_"):
        return "howto", None, name[len("howto_") :]
    if name in KINDS:
        return name, None, None
    return "unknown", None, None


def triage_from_parse(parse: ParseResult, kind_hint: str | None = None) -> Triage:
    """The triage for one parse; ``kind_hint`` is the person's answer to the clarifying question."""
    ranking = [s for s in parse.ranking if s.name != "nlu_fallback"] or [parse.intent]
    if kind_hint in KINDS and kind_hint != "unknown":
        ranking = [s for s in ranking if _split_intent(s.name)[0] == kind_hint] or ranking
        best = ranking[0]
        kind, severity, article = _split_intent(best.name)
        if kind != kind_hint:
            kind, severity, article = kind_hint, ("normal" if kind_hint == "incident" else None), None
        return Triage(kind, severity, article, best.confidence, False, None, ())
    best = ranking[0]
    kind, severity, article = _split_intent(best.name)
    unsure = parse.intent.name == "nlu_fallback" or best.confidence < CONFIDENCE_FLOOR
    candidates = tuple(_split_intent(s.name)[2] or "" for s in ranking if _split_intent(s.name)[0] == "howto")[:3]
    if unsure:
        return Triage("unknown", None, None, best.confidence, True, None, candidates)
    return Triage(kind, severity, article, best.confidence, False, None, candidates if kind == "howto" else ())


async def triage(client: NluClient, text: str, kind_hint: str | None = None) -> Triage:
    return triage_from_parse(await client.parse(text), kind_hint)
