"""Loading the service contract at start-up: the roster file, checked against the people
directory, with the calendar, paging and complaint settings. A bad roster stops start-up with a
``ConfigError`` naming the key, like a bad settings file."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import yaml

from bot.directory import load_directory
from config.settings import ConfigError, Settings
from handlers.contract import AssetRules, ComplaintClocks, Contract
from handlers.paging.calendar import BusinessCalendar, OnSiteHours, WorkingDays
from handlers.paging.holiday_table import HolidayTableError, load_holiday_table
from handlers.paging.policy import DEFAULT_POLICY, PagingPolicy, PagingPolicyError, parse_paging_policy
from handlers.paging.roster import RosterError, load_roster


def load_policy(settings: Settings) -> PagingPolicy:
    """The paging policy file, or the built-in defaults when there is none; a bad file stops start-up."""
    path = settings.path(settings.paging.policy_file)
    if not path.exists():
        return DEFAULT_POLICY
    try:
        return parse_paging_policy(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (PagingPolicyError, yaml.YAMLError) as exc:
        raise ConfigError(f"{settings.paging.policy_file}: {exc}") from exc


def on_site_hours(settings: Settings) -> OnSiteHours:
    service = settings.service
    lunch = ((service.lunch_start, service.lunch_end),) if service.lunch_start and service.lunch_end else ()
    return OnSiteHours(start=service.on_site_start, end=service.on_site_end, breaks=lunch, zone=service.timezone)


def load_working_days(settings: Settings) -> WorkingDays:
    """The holiday table ahead of the packages; a bad date stops start-up naming its line.

    Resolves this year, and next year from a month before it, so that an estimated year is
    warned about at start-up rather than first on a holiday.
    """
    try:
        days = WorkingDays(load_holiday_table(settings.path(settings.holidays_file)))
    except HolidayTableError as exc:
        raise ConfigError(str(exc)) from exc
    today = datetime.now(ZoneInfo(settings.service.timezone)).date()
    for year in sorted({today.year, (today + timedelta(days=31)).year}):
        days.year(year)
    return days


def _complaint_clocks(settings: Settings) -> ComplaintClocks:
    complaints = settings.complaints
    return ComplaintClocks(
        facts=timedelta(hours=complaints.facts_hours),
        answer=timedelta(hours=complaints.answer_hours),
        facts_reminder=timedelta(hours=complaints.facts_reminder_hours),
        answer_reminder=timedelta(hours=complaints.answer_reminder_hours),
    )


def asset_rules(settings: Settings) -> AssetRules:
    """The [assets] settings as the handlers hold them (the label pattern compiled once)."""
    assets = settings.assets
    return AssetRules(
        label_pattern=re.compile(assets.label_pattern, re.IGNORECASE),
        label_types=MappingProxyType({prefix.upper(): kind for prefix, kind in assets.label_types.items()}),
        month_end_reminder=assets.month_end_reminder,
    )


def load_contract(settings: Settings) -> Contract:
    known_ids = {record.id for record in load_directory(settings.path(settings.people_file))}
    try:
        roster = load_roster(settings.path(settings.roster_file), known_ids)
    except RosterError as exc:
        raise ConfigError(f"{settings.roster_file}: {exc}") from exc
    return Contract(
        roster=roster,
        policy=load_policy(settings),
        calendar=BusinessCalendar(on_site_hours(settings), load_working_days(settings)),
        record_close_days=settings.paging.record_close_days,
        storm_window=timedelta(minutes=settings.paging.storm_window_minutes),
        dialog_expiry=timedelta(minutes=settings.handling.dialog_expiry_minutes),
        complaints=_complaint_clocks(settings),
        assets=asset_rules(settings),
    )
