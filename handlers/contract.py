"""The service contract as the running bot holds it: roster, business calendar, paging policy and
the clocks of the ticket lifecycle and of complaints. Built once at start-up
(``bot.contract.load_contract``) and passed down to handlers in their context, so nothing reads a
file while a message is being handled.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta, tzinfo
from types import MappingProxyType
from zoneinfo import ZoneInfo

from core.clock import DEFAULT_TIMEZONE
from handlers.paging.calendar import BusinessCalendar
from handlers.paging.policy import DEFAULT_POLICY, PagingPolicy
from handlers.paging.roster import Roster

# The zone of times shown to people when a handler is given no contract (tests, tools).
DEFAULT_ZONE: tzinfo = ZoneInfo(DEFAULT_TIMEZONE)


@dataclass(frozen=True)
class ComplaintClocks:
    """The complaint promise ([complaints] in the settings): the facts checked within ``facts`` and
    the complainant answered within ``answer`` of the complaint, on the wall clock. The service
    manager is reminded ``facts_reminder`` and ``answer_reminder`` after the complaint, each before
    its deadline; at a deadline the technical director is told."""

    facts: timedelta = timedelta(hours=8)
    answer: timedelta = timedelta(hours=24)
    facts_reminder: timedelta = timedelta(hours=6)
    answer_reminder: timedelta = timedelta(hours=20)


@dataclass(frozen=True)
class AssetRules:
    """The asset registry's rules ([assets] in the settings): what a label number looks like, the
    type its prefix stands for, and when the month's unfinished inspection is announced."""

    label_pattern: re.Pattern[str] = re.compile(r"[A-Z]{2,3}-\d{3,5}", re.IGNORECASE)
    label_types: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({"PC": "pc", "NB": "laptop", "PR": "printer"})
    )
    month_end_reminder: time = time(10, 0)


@dataclass(frozen=True)
class Contract:
    roster: Roster
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)
    policy: PagingPolicy = DEFAULT_POLICY
    # An unconfirmed service record closes by itself after this many days.
    record_close_days: int = 3
    # A report joins an open outage ticket opened at most this long ago (storm grouping).
    storm_window: timedelta = timedelta(hours=2)
    # An open dialog nobody answered is dropped after this long ([handling] dialog_expiry_minutes).
    dialog_expiry: timedelta = timedelta(minutes=30)
    complaints: ComplaintClocks = ComplaintClocks()
    assets: AssetRules = AssetRules()

    @property
    def zone(self) -> tzinfo:
        return self.calendar.zone
