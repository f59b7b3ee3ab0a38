"""``helpdesk wecom ...``: the WeCom directory into the people table, and the engineers' group chat.

``sync-people`` reads the departments and their members that the application may see
(``department/list``, ``user/list``) and adds or updates each member as a person keyed by their
UserId (identity channel ``wecom``), in their main department. It is safe to run again: nothing
changes the second time. People of ``config/people.yaml`` keep what the file says (engineers,
managers and their WeCom ids are configured there); members who left or were disabled go inactive.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from typing import Any

import aiohttp

import storage
from bot.app import open_database
from bot.directory import load_directory
from channels.wecom import WecomApi, WecomApiError
from config.settings import Settings

CHANNEL = "wecom"
ACTIVE_STATUSES = (1, 4)  # active, not yet activated; 2 disabled, 5 left


def _api(http: aiohttp.ClientSession, settings: Settings) -> WecomApi:
    wc = settings.wecom
    assert wc.secret is not None
    return WecomApi(http, wc.corp_id, wc.secret.get_secret_value(), wc.api_base)


def _main_department(user: dict[str, Any], names: dict[int, str]) -> str:
    ids = [user.get("main_department"), *(user.get("department") or [])]
    return next((names[i] for i in ids if isinstance(i, int) and i in names), "")


async def read_directory(api: WecomApi) -> tuple[list[storage.PersonRecord], list[str]]:
    """The members the application can see as people records, and the UserIds of those gone."""
    departments = await api.departments()
    names = {int(d["id"]): str(d.get("name") or d["id"]) for d in departments}
    users: dict[str, dict[str, Any]] = {}
    for department_id in names:
        for user in await api.users(department_id):
            users.setdefault(str(user["userid"]), user)
    records, gone = [], []
    for user_id, user in sorted(users.items()):
        if int(user.get("status", 1)) not in ACTIVE_STATUSES:
            gone.append(user_id)
            continue
        name = str(user.get("name") or user_id)
        records.append(
            storage.PersonRecord(id=user_id, name=name, role="staff", department=_main_department(user, names))
        )
    return records, gone


async def sync_people(settings: Settings) -> storage.ImportCounts:
    file_people = load_directory(settings.path(settings.people_file), settings.service.language)
    engine, sessions = await open_database(settings)
    try:
        async with aiohttp.ClientSession() as http:
            records, gone = await read_directory(_api(http, settings))
        async with sessions() as session, session.begin():
            return await storage.import_channel_people(
                session, CHANNEL, records, keep=[p.id for p in file_people], gone=gone
            )
    finally:
        await engine.dispose()


def _configured(settings: Settings) -> bool:
    if not settings.wecom.enabled:
        print(
            "helpdesk: WeCom is not configured: set [wecom] corp_id, agent_id, secret, token and aes_key "
            "(or HELPDESK_WECOM_*), see the README",
            file=sys.stderr,
        )
        return False
    return True


def cmd_wecom_sync_people(args: argparse.Namespace, settings_of: Callable[[argparse.Namespace], Settings]) -> int:
    settings = settings_of(args)
    if not _configured(settings):
        return 2
    try:
        counts = asyncio.run(sync_people(settings))
    except WecomApiError as exc:
        print(f"helpdesk: WeCom refused: {exc}", file=sys.stderr)
        return 1
    print(
        f"WeCom directory synced: {counts.added} added, {counts.updated} updated, "
        f"{counts.kept} kept as people.yaml says, {counts.left} gone inactive"
    )
    return 0


async def create_group(settings: Settings, name: str, owner: str, members: list[str]) -> str:
    async with aiohttp.ClientSession() as http:
        return await _api(http, settings).appchat_create(name, owner, members)


def cmd_wecom_create_group(args: argparse.Namespace, settings_of: Callable[[argparse.Namespace], Settings]) -> int:
    settings = settings_of(args)
    if not _configured(settings):
        return 2
    members = [m.strip() for m in args.members.split(",") if m.strip()]
    try:
        chat_id = asyncio.run(create_group(settings, args.name, args.owner, members))
    except WecomApiError as exc:
        print(f"helpdesk: WeCom refused: {exc}", file=sys.stderr)
        return 1
    print("group created; set [wecom] engineers_chat_id (or HELPDESK_WECOM_ENGINEERS_CHAT_ID) to:")
    print(chat_id)
    return 0


def add_wecom_commands(sub: Any, settings_of: Callable[[argparse.Namespace], Settings]) -> None:
    """``helpdesk wecom sync-people`` and ``helpdesk wecom create-group`` on the main parser."""
    wecom = sub.add_parser("wecom", help="the WeCom (企业微信) application").add_subparsers(
        dest="wecom_command", required=True
    )
    sync = wecom.add_parser("sync-people", help="import WeCom's departments and members into people (safe to rerun)")
    sync.set_defaults(func=lambda args: cmd_wecom_sync_people(args, settings_of))
    group = wecom.add_parser("create-group", help="make the engineers' group chat; prints its chat id")
    group.add_argument("name")
    group.add_argument("--owner", required=True, help="the owner's WeCom UserId")
    group.add_argument("--members", required=True, help="WeCom UserIds, comma-separated (at least two)")
    group.set_defaults(func=lambda args: cmd_wecom_create_group(args, settings_of))
