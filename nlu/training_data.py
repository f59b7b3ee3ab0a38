"""Corrected triage as Rasa NLU training data (the format of ``nlu/data/*.yml``).

``intent_for`` is the inverse of ``nlu.triage.split_intent``: the intent the model would have to
answer for a kind, severity and article. ``nlu_yaml`` writes examples grouped by intent as a file
that can be appended to ``nlu/data`` (Rasa reads every file there).
"""

from __future__ import annotations

from collections.abc import Iterable

from nlu.triage import KINDS, OUT_OF_SCOPE_INTENT, SEVERITIES

__all__ = ["intent_for", "nlu_yaml"]


def intent_for(kind: str, severity: str | None, article: str | None) -> str | None:
    """``incident_urgent``, ``howto_printer-settings``, ``status``…; None when no intent says it
    (an incident without a severity, a how-to without its article, an unknown kind)."""
    if kind == "incident":
        return f"incident_{severity}" if severity in SEVERITIES else None
    if kind == "howto":
        return f"howto_{article}" if article else None
    if kind == "unknown":
        return OUT_OF_SCOPE_INTENT
    return kind if kind in KINDS else None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def nlu_yaml(examples: Iterable[tuple[str, str]], comment: str = "") -> str:
    """A Rasa 3 NLU data file of (intent, text) pairs: one block per intent, in first-seen order,
    each text once, on one line (a block scalar keeps every character as written)."""
    by_intent: dict[str, list[str]] = {}
    for intent, text in examples:
        line = _one_line(text)
        if line and line not in by_intent.setdefault(intent, []):
            by_intent[intent].append(line)
    out = ['version: "3.1"']
    out += [f"# {line}" for line in comment.splitlines()]
    out.append("nlu:" if by_intent else "nlu: []")
    for intent, texts in by_intent.items():
        out.append(f"- intent: {intent}")
        out.append("  examples: |")
        out += [f"    - {text}" for text in texts]
    return "\n".join(out) + "\n"
