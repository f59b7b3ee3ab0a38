"""Names of the helpdesk's things in the reader's language, looked up in the catalog.

Each is a catalog key with a prefix (``severity_urgent``, ``status_in_progress``…). Severities and
the contract's promises must exist (``KeyError`` otherwise); a status, move or repair step the
catalog does not name is shown as it is stored.
"""

from __future__ import annotations

from i18n.catalog import say, text

__all__ = ["move_name", "promise", "severity_name", "status_name", "step_name"]


def severity_name(lang: str, severity: str) -> str:
    """紧急故障 / urgent: the triage rubric's name of a severity."""
    return say(lang, f"severity_{severity}")


def promise(lang: str, severity: str) -> str:
    """The contract's promised response for a severity (工程师将在 2 小时内响应)."""
    return say(lang, f"promise_{severity}")


def status_name(lang: str, status: str) -> str:
    """A ticket status (处理中 / in progress)."""
    return _named(lang, "status", status)


def move_name(lang: str, move: str) -> str:
    """A ticket move as in "it cannot {move}" (接单 / be acknowledged)."""
    return _named(lang, "move", move)


def step_name(lang: str, step: str) -> str:
    """A repair step or state (已取件 / picked up)."""
    return _named(lang, "step", step)


def _named(lang: str, prefix: str, value: str) -> str:
    try:
        return text(lang, f"{prefix}_{value}")
    except KeyError:
        return value
