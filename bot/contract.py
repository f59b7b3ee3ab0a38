"""Loading the service contract at start-up: the roster file, checked against the people
directory, with the calendar and paging settings. A bad roster stops start-up with a
``ConfigError`` naming the key, like a bad settings file."""

from __future__ import annotations

from datetime import timedelta

from bot.directory import load_directory
from config.settings import ConfigError, Settings
from handlers.calendar import BusinessCalendar, OnSiteHours
from handlers.contract import Contract
from handlers.roster import RosterError, load_roster


def load_contract(settings: Settings) -> Contract:
    known_ids = {record.id for record in load_directory(settings.path(settings.people_file))}
    try:
        roster = load_roster(settings.path(settings.roster_file), known_ids)
    except RosterError as exc:
        raise ConfigError(f"{settings.roster_file}: {exc}") from exc
    return Contract(
        roster=roster,
        calendar=BusinessCalendar(OnSiteHours(zone=settings.service.timezone)),
        record_close_days=settings.paging.record_close_days,
        storm_window=timedelta(minutes=settings.paging.storm_window_minutes),
    )
