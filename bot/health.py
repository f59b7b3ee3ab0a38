"""The bot's health state, served at ``GET /healthz``: does the NLU answer, since when, and how has
the Rasa process the bot started fared (exits, restarts).

Two sources fill it in: every parse through :class:`HealthTrackedNlu` (so a Rasa the bot did not
start is judged by its answers too), and the Rasa supervisor (``nlu.server.RasaServer.supervise``),
which knows at once when the process died. Whoever must act when the NLU answers again (the retriage
worker) registers with :meth:`Health.on_nlu_up`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Literal

from core.clock import Clock
from nlu.client import NluClient, NluUnavailable, ParseResult, parse_all

log = logging.getLogger(__name__)

NluState = Literal["unknown", "up", "down"]
ProcessState = Literal["not supervised", "running", "restarting", "stopped"]


class Health:
    """One instance per running bot; every method is called from the event loop."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.nlu: NluState = "unknown"
        self.nlu_since: datetime | None = None
        self.nlu_error: str | None = None
        self.rasa: ProcessState = "not supervised"
        self.restarts = 0
        self.last_exit_code: int | None = None
        self.last_exit_at: datetime | None = None
        self._on_up: list[Callable[[], None]] = []

    def on_nlu_up(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` each time the NLU goes from down (or unknown) to answering."""
        self._on_up.append(callback)

    def nlu_answered(self) -> None:
        self._set_nlu("up", None)

    def nlu_failed(self, error: str) -> None:
        self._set_nlu("down", error)

    def rasa_supervised(self) -> None:
        """The bot started Rasa and watches it from now on."""
        self.rasa = "running"
        self.nlu_answered()  # start() returned: it has just parsed a message

    # nlu.server.SupervisionListener
    def rasa_exited(self, code: int) -> None:
        self.rasa = "restarting"
        self.last_exit_code = code
        self.last_exit_at = self._clock.now()
        self.nlu_failed(f"Rasa exited with code {code}")

    def rasa_restarted(self) -> None:
        self.rasa = "running"
        self.restarts += 1
        self.nlu_answered()

    def rasa_restart_failed(self, error: str) -> None:
        self.nlu_failed(error)

    def rasa_stopped(self) -> None:
        if self.rasa != "not supervised":
            self.rasa = "stopped"

    def snapshot(self) -> dict[str, Any]:
        """The JSON body of ``/healthz``: ``status`` is ``degraded`` while the NLU is down (messages
        then become untriaged tickets, which are triaged when it answers again)."""
        return {
            "status": "degraded" if self.nlu == "down" else "ok",
            "nlu": {"state": self.nlu, "since": _iso(self.nlu_since), "error": self.nlu_error},
            "rasa": {
                "state": self.rasa,
                "restarts": self.restarts,
                "last_exit_code": self.last_exit_code,
                "last_exit_at": _iso(self.last_exit_at),
            },
        }

    def _set_nlu(self, state: NluState, error: str | None) -> None:
        if error is not None:
            self.nlu_error = error
        if state == self.nlu:
            return
        previous, self.nlu, self.nlu_since = self.nlu, state, self._clock.now()
        if state == "down":
            log.warning("the NLU does not answer: %s", error)
        elif previous == "down":
            log.info("the NLU answers again")
        if state == "up":
            self.nlu_error = None
            for callback in self._on_up:
                callback()


class HealthTrackedNlu:
    """An ``NluClient`` that records in ``health`` whether each parse got an answer."""

    def __init__(self, nlu: NluClient, health: Health) -> None:
        self._nlu = nlu
        self._health = health

    async def parse(self, text: str) -> ParseResult:
        try:
            result = await self._nlu.parse(text)
        except NluUnavailable as exc:
            self._health.nlu_failed(str(exc))
            raise
        self._health.nlu_answered()
        return result

    async def parse_many(self, texts: Sequence[str]) -> tuple[ParseResult, ...]:
        try:
            results = await parse_all(self._nlu, texts)
        except NluUnavailable as exc:
            self._health.nlu_failed(str(exc))
            raise
        self._health.nlu_answered()
        return results


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()
