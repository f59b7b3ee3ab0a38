"""The ``helpdesk`` command: run the bot, chat in the terminal, and look at the store."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import re
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web

import storage
from bot import cli_telegram
from bot.app import PID_FILE, RUNTIME, auth_for, build_app, open_database
from bot.auth import Auth, AuthError
from bot.cli_assets import add_asset_parsers
from bot.cli_calendar import cmd_calendar_check
from bot.cli_reports import add_report_commands
from bot.cli_triage import add_parser as add_triage_corrections
from bot.cli_wecom import add_wecom_commands
from bot.invites import InviteError, make_invite
from channels.terminal.chat import TerminalChannel
from config.settings import ConfigError, Settings, load_settings
from core.clock import SystemClock
from core.errors import InvalidMessage, StoreUnavailable
from handlers.kb.articles import check_knowledge_base, load_knowledge_base
from storage import paging as paging_store

log = logging.getLogger("helpdesk")


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(Path(args.config) if args.config else None, env=os.environ)


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    app = build_app(settings)
    what = "web chat" if settings.web.enabled else "REST webhook /webhooks/rest/webhook (web chat off)"
    print(f"IT 服务台 {what}: http://{settings.web.host}:{settings.web.port}/  (Ctrl-C to stop)", flush=True)
    web.run_app(app, host=settings.web.host, port=settings.web.port, print=None)
    return 0


async def _chat(settings: Settings, person_id: str) -> int:
    terminal = TerminalChannel()
    app = build_app(settings, extra_adapters={"terminal": terminal})
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        core = app[RUNTIME].core
        assert core is not None
        names = {p.id: p for p in await core.directory()}
        if person_id not in names:
            print(f"unknown person {person_id!r}; try `helpdesk people list`", file=sys.stderr)
            return 2
        print(f"你好，{names[person_id].name}。输入问题，回车发送；数字选择按钮；Ctrl-D 退出。")
        while True:
            try:
                line = await asyncio.to_thread(input, "> ")
            except EOFError:
                return 0
            if not line.strip():
                continue
            terminal.received.clear()
            try:
                await core.on_message(terminal.to_inbound(person_id, line, core))
            except StoreUnavailable:
                print(core.busy_text())
                continue
            except InvalidMessage as exc:
                print(f"(not sent: {exc})")
                continue
            try:
                await asyncio.wait_for(terminal.received.wait(), timeout=15)
            except TimeoutError:
                print("(no reply yet; it will appear when sent)")
    finally:
        await runner.cleanup()


def cmd_chat(args: argparse.Namespace) -> int:
    return asyncio.run(_chat(_settings(args), args.as_person))


async def _demo(settings: Settings) -> int:
    from bot.demo import DemoDriver, demo_clock, demo_timers, run_demo
    from config.settings import DatabaseSettings

    with tempfile.TemporaryDirectory(prefix="helpdesk-demo-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}"
        settings = settings.model_copy(update={"database": DatabaseSettings(url=url)})
        clock = demo_clock()
        app = build_app(settings, clock=clock)
        runner = web.AppRunner(app)
        await runner.setup()
        try:
            core = app[RUNTIME].core
            assert core is not None
            driver = DemoDriver(core.sessions, core.pipeline, demo_timers(core.sessions, clock), clock, sys.stdout)
            await run_demo(driver)
        finally:
            await runner.cleanup()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    return asyncio.run(_demo(_settings(args)))


def _with_store(args: argparse.Namespace, work: Callable[[storage.SessionFactory], Awaitable[int]]) -> int:
    async def main() -> int:
        engine, sessions = await open_database(_settings(args))
        try:
            return await work(sessions)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    async def work(_sessions: storage.SessionFactory) -> int:
        print("database is at the latest schema")
        return 0

    return _with_store(args, work)


def _local(dt: datetime | None, zone: tzinfo) -> str:
    """A stored (UTC) time on the contract's clock, as chat shows it; the caller labels the zone."""
    return dt.astimezone(zone).strftime("%Y-%m-%d %H:%M") if dt else "-"


def _zone(args: argparse.Namespace) -> ZoneInfo:
    return ZoneInfo(_settings(args).service.timezone)


def cmd_tickets_list(args: argparse.Namespace) -> int:
    zone = _zone(args)

    async def work(sessions: storage.SessionFactory) -> int:
        async with sessions() as session:
            tickets = await storage.list_tickets(session, open_only=args.open, limit=args.limit)
        created = f"created ({zone.key})"  # times in the contract's zone, as chat shows them
        print(f"{'#':>6}  {'status':<12} {'kind':<9} {'severity':<9} {'requester':<12} {created} text")
        for t in tickets:
            text = t.text.replace("\n", " ")[:40]
            print(
                f"{t.number:>6}  {t.status:<12} {t.kind:<9} {t.severity or '-':<9} "
                f"{t.requester_id:<12} {_local(t.created_at, zone):<{len(created)}} {text}"
            )
        return 0

    return _with_store(args, work)


def cmd_tickets_show(args: argparse.Namespace) -> int:
    zone = _zone(args)

    async def work(sessions: storage.SessionFactory) -> int:
        async with sessions() as session:
            ticket = await storage.get_ticket(session, int(str(args.number).lstrip("#")))
            if ticket is None:
                print(f"no ticket #{args.number}", file=sys.stderr)
                return 1
            events = await storage.ticket_events(session, ticket)
            affected = await paging_store.affected_count(session, ticket.id)
        print(f"Ticket #{ticket.number}  {ticket.status}  {ticket.kind}/{ticket.severity or '-'}")
        if affected > 1:
            print(f"  affected: {affected} people reported this outage")
        print(f"  requester: {ticket.requester_id}   assignee: {ticket.assignee_id or '-'}   via {ticket.channel}")
        print(f"  created: {_local(ticket.created_at, zone)}   due: {_local(ticket.due_at, zone)}   ({zone.key})")
        if ticket.article:
            print(f"  article: {ticket.article}")
        print(f"  text: {ticket.text}")
        print("  history:")
        for e in events:
            print(f"    {_local(e.at, zone)}  {e.action:<14} by {e.actor_id or 'system'} via {e.source}  {e.detail}")
        return 0

    return _with_store(args, work)


def cmd_people_list(args: argparse.Namespace) -> int:
    async def work(sessions: storage.SessionFactory) -> int:
        async with sessions() as session:
            people = await storage.list_people(session)
        for p in people:
            print(f"{p.id:<14} {p.role:<9} {p.name}  {p.department}")
        return 0

    return _with_store(args, work)


def _auth(args: argparse.Namespace, sessions: storage.SessionFactory) -> Auth:
    return auth_for(_settings(args), sessions, SystemClock())


def _read_password() -> str:
    """Asked twice at a terminal; otherwise the first line of standard input (for scripts)."""
    if sys.stdin.isatty():
        password = getpass.getpass("new password: ")
        if getpass.getpass("again: ") != password:
            raise AuthError("the two passwords differ")
        return password
    return sys.stdin.readline().rstrip("\r\n")


def cmd_people_set_password(args: argparse.Namespace) -> int:
    """Set a person's web chat password; every session they had ends."""
    try:
        password = _read_password()
    except AuthError as exc:
        print(f"helpdesk: {exc}", file=sys.stderr)
        return 1

    async def work(sessions: storage.SessionFactory) -> int:
        try:
            await _auth(args, sessions).set_password(args.person, password)
        except AuthError as exc:
            print(f"helpdesk: {exc}", file=sys.stderr)
            return 1
        print(f"password set for {args.person}; their earlier sessions have ended")
        return 0

    return _with_store(args, work)


def cmd_people_sign_in_link(args: argparse.Namespace) -> int:
    """A one-time link with which the person sets their password and signs in (the URL is the last line)."""
    settings = _settings(args)
    hours = args.hours if args.hours is not None else settings.web.sign_in_link_hours

    async def work(sessions: storage.SessionFactory) -> int:
        try:
            token = await _auth(args, sessions).make_sign_in_link(args.person, timedelta(hours=hours))
        except AuthError as exc:
            print(f"helpdesk: {exc}", file=sys.stderr)
            return 1
        print(f"a one-time sign-in link for {args.person}, valid {hours:g} h (earlier unused links stop working):")
        print(f"{settings.web.base_url}/sign-in#link={token}")
        return 0

    return _with_store(args, work)


def cmd_people_invite(args: argparse.Namespace) -> int:
    """A single-use code that binds a chat account (Telegram) to the person; the code is the last line."""

    async def work(sessions: storage.SessionFactory) -> int:
        try:
            async with sessions() as session, session.begin():
                code = await make_invite(session, args.person, SystemClock().now(), timedelta(hours=args.hours))
        except InviteError as exc:
            print(f"helpdesk: {exc}; try `helpdesk people list`", file=sys.stderr)
            return 1
        print(
            f"an invite for {args.person}, valid {args.hours:g} h, usable once (earlier unused invites stop working)."
        )
        print("They send the bot:  /start <code>   (or open the bot's deep link with start=<code>)")
        link = await cli_telegram.deep_link(_settings(args), code)
        if link:
            print(f"Telegram deep link: {link}")
        print(code)
        return 0

    return _with_store(args, work)


def cmd_tokens_create(args: argparse.Namespace) -> int:
    """A new API token for the REST webhook; printed once, alone on the last line."""
    senders = [s.strip() for s in args.senders.split(",") if s.strip()] if args.senders is not None else None
    if senders == []:
        print("helpdesk: --senders names no one; leave it out for a token that may speak for everyone", file=sys.stderr)
        return 2

    async def work(sessions: storage.SessionFactory) -> int:
        try:
            token = await _auth(args, sessions).create_token(args.name, senders)
        except AuthError as exc:
            print(f"helpdesk: {exc}", file=sys.stderr)
            return 1
        speaks_for = ", ".join(senders) if senders else "every sender"
        print(f"API token {args.name!r} created; it may speak for: {speaks_for}")
        print("use it as `Authorization: Bearer <token>`; it is shown only now:")
        print(token)
        return 0

    return _with_store(args, work)


def cmd_tokens_list(args: argparse.Namespace) -> int:
    zone = _zone(args)

    async def work(sessions: storage.SessionFactory) -> int:
        tokens = await _auth(args, sessions).list_tokens()
        print(f"{'name':<20} {'created (' + zone.key + ')':<24} {'revoked':<17} senders")
        for t in tokens:
            senders = ",".join(t.senders) if t.senders is not None else "(all)"
            print(f"{t.name:<20} {_local(t.created_at, zone):<24} {_local(t.revoked_at, zone):<17} {senders}")
        return 0

    return _with_store(args, work)


def cmd_tokens_revoke(args: argparse.Namespace) -> int:
    async def work(sessions: storage.SessionFactory) -> int:
        if not await _auth(args, sessions).revoke_token(args.name):
            print(f"helpdesk: no API token {args.name!r} in force; see `helpdesk tokens list`", file=sys.stderr)
            return 1
        print(f"API token {args.name!r} revoked")
        return 0

    return _with_store(args, work)


def _required_article_ids(settings: Settings) -> list[str] | None:
    """The ids the contract's topic list names, when the shared topic list is beside the repository."""
    topics = settings.base_dir.parent / "shared" / "kb-topics.md"
    if not topics.exists():
        return None
    ids = re.findall(r"^\|\s*([a-z0-9][a-z0-9-]*)\s*\|", topics.read_text(encoding="utf-8"), flags=re.M)
    return [i for i in ids if i != "id"]


def cmd_kb_check(args: argparse.Namespace) -> int:
    settings = _settings(args)
    folder = Path(args.folder) if args.folder else settings.path(settings.kb_dir)
    nlu = Path(args.nlu) if args.nlu else settings.path(Path("nlu/data"))
    problems = check_knowledge_base(folder, nlu_data=nlu, required_ids=_required_article_ids(settings))
    for problem in problems:
        print(f"{problem}", file=sys.stderr)
    if problems:
        print(f"kb check: {len(problems)} problem(s) in {folder}", file=sys.stderr)
        return 1
    print(f"kb check: {len(load_knowledge_base(folder))} articles in {folder}, all fine")
    return 0


def cmd_kb_reload(args: argparse.Namespace) -> int:
    """Ask the running bot (its pid is in var/helpdesk.pid) to reload the knowledge base."""
    settings = _settings(args)
    problems = check_knowledge_base(settings.path(settings.kb_dir))
    if problems:
        for problem in problems:
            print(f"{problem}", file=sys.stderr)
        print("kb reload: not sent, fix the folder first (the bot keeps its current articles)", file=sys.stderr)
        return 1
    pid_file = settings.path(PID_FILE)
    try:
        pid = int(pid_file.read_text(encoding="utf-8").strip())
        os.kill(pid, signal.SIGHUP)
    except (OSError, ValueError) as exc:
        print(f"kb reload: no running bot found ({pid_file}: {exc})", file=sys.stderr)
        return 1
    print(f"kb reload: asked the bot (pid {pid}) to reload")
    return 0


def cmd_roster(args: argparse.Namespace) -> int:
    """Show who is on duty, or record a swap or a leave, as ``--by`` (default: admin)."""

    from bot.contract import load_contract
    from handlers.paging import duty
    from handlers.paging.roster import describe_duty

    settings = _settings(args)
    contract = load_contract(settings)

    async def work(sessions: storage.SessionFactory) -> int:
        now = datetime.now(UTC)
        async with sessions() as session, session.begin():
            if args.roster_command == "show":
                at = datetime.fromisoformat(args.at).replace(tzinfo=contract.zone) if args.at else now
                roster = await duty.effective_roster(session, contract.roster)
                names = {p.id: p.name for p in await storage.list_people(session)}
                print(describe_duty(roster, at, contract.calendar, names))
                return 0
            by = await storage.get_person(session, args.by)
            if by is None:
                print(f"unknown person {args.by!r}", file=sys.stderr)
                return 2
            if args.roster_command == "swap":
                result = await duty.add_swap(
                    session, by, duty.parse_date(args.date), args.engineer, args.other, contract.roster, "cli", now
                )
            else:
                result = await duty.add_leave(
                    session,
                    by,
                    args.engineer,
                    duty.parse_date(args.start),
                    duty.parse_date(args.end),
                    args.substitute,
                    contract.roster,
                    "cli",
                    now,
                )
        print(result.text, file=sys.stdout if result.done else sys.stderr)
        return 0 if result.done else 1

    return _with_store(args, work)


async def _triage_eval(settings: Settings, path: Path, url: str | None) -> str:
    """The bot's own triage (model + rules) over a TSV; uses a running Rasa, or starts one."""
    import aiohttp

    from nlu.evaluation import evaluate_file
    from nlu.rasa_http import RasaHttpClient
    from nlu.server import RasaServer

    base = url or settings.nlu.url
    async with aiohttp.ClientSession() as http:
        try:
            async with http.get(base + "/status", timeout=aiohttp.ClientTimeout(total=2)) as resp:
                running = resp.status == 200
        except (aiohttp.ClientError, TimeoutError):
            running = False
        if running:
            return await evaluate_file(path, RasaHttpClient(http, base, 30.0))
        print(f"no Rasa answers at {base}; starting one with {settings.nlu.model}", file=sys.stderr)
        async with RasaServer(settings.path(settings.nlu.model)) as server:
            return await evaluate_file(path, RasaHttpClient(http, server.base_url, 30.0))


def cmd_triage_eval(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.exists():
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    print(asyncio.run(_triage_eval(_settings(args), path, args.url)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="helpdesk", description="IT 服务台机器人 / IT helpdesk bot")
    parser.add_argument("--config", help="settings file (default: config/helpdesk.toml)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot: web chat, REST webhook, workers").set_defaults(func=cmd_run)
    demo = sub.add_parser("demo", help="walk through an outage, a repair and a complaint in chat")
    demo.set_defaults(func=cmd_demo)
    chat = sub.add_parser("chat", help="chat with the bot in this terminal")
    chat.add_argument("--as", dest="as_person", required=True, help="person id from the directory")
    chat.set_defaults(func=cmd_chat)
    db = sub.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db_upgrade)
    tickets = sub.add_parser("tickets", help="tickets").add_subparsers(dest="tickets_command", required=True)
    tl = tickets.add_parser("list", help="latest tickets")
    tl.add_argument("--open", action="store_true", help="open tickets only")
    tl.add_argument("--limit", type=int, default=30)
    tl.set_defaults(func=cmd_tickets_list)
    ts = tickets.add_parser("show", help="one ticket with its history")
    ts.add_argument("number")
    ts.set_defaults(func=cmd_tickets_show)
    people = sub.add_parser("people", help="people").add_subparsers(dest="people_command", required=True)
    people.add_parser("list", help="the directory").set_defaults(func=cmd_people_list)
    set_password = people.add_parser("set-password", help="set a web chat password (asked, or read from stdin)")
    set_password.add_argument("person")
    set_password.set_defaults(func=cmd_people_set_password)
    link = people.add_parser("sign-in-link", help="a one-time link to set a password and sign in")
    link.add_argument("person")
    link.add_argument("--hours", type=float, help="how long it works (default: [web] sign_in_link_hours, 72)")
    link.set_defaults(func=cmd_people_sign_in_link)
    invite = people.add_parser("invite", help="a single-use code that binds a chat account (Telegram) to the person")
    invite.add_argument("person")
    invite.add_argument("--hours", type=float, default=72.0, help="how long it works (default 72)")
    invite.set_defaults(func=cmd_people_invite)
    tokens = sub.add_parser("tokens", help="API tokens for the REST webhook").add_subparsers(
        dest="tokens_command", required=True
    )
    create = tokens.add_parser("create", help="a new token; prints it alone on the last line")
    create.add_argument("name")
    create.add_argument("--senders", help="person ids it may speak for, comma-separated (default: everyone)")
    create.set_defaults(func=cmd_tokens_create)
    tokens.add_parser("list", help="the tokens, revoked ones too").set_defaults(func=cmd_tokens_list)
    revoke = tokens.add_parser("revoke", help="stop a token working")
    revoke.add_argument("name")
    revoke.set_defaults(func=cmd_tokens_revoke)
    roster = sub.add_parser("roster", help="duty roster").add_subparsers(dest="roster_command", required=True)
    show = roster.add_parser("show", help="who is on duty now (or --at) and next")
    show.add_argument("--at", help="local time, e.g. 2026-12-05T20:00")
    show.set_defaults(func=cmd_roster)
    swap = roster.add_parser("swap", help="two engineers trade a day's duty")
    swap.add_argument("date")
    swap.add_argument("engineer")
    swap.add_argument("other")
    swap.add_argument("--by", default="admin", help="who records it (default: admin)")
    swap.set_defaults(func=cmd_roster)
    leave = roster.add_parser("leave", help="an engineer's leave with a substitute")
    leave.add_argument("engineer")
    leave.add_argument("start")
    leave.add_argument("end")
    leave.add_argument("substitute")
    leave.add_argument("--by", default="admin", help="who records it (default: admin)")
    leave.set_defaults(func=cmd_roster)
    triage = sub.add_parser("triage", help="triage quality").add_subparsers(dest="triage_command", required=True)
    evaluate = triage.add_parser("eval", help="score the triage on a TSV file (kind, label, [office,] text)")
    evaluate.add_argument("file")
    evaluate.add_argument("--url", help="a running Rasa server (default: the configured one, else start one)")
    evaluate.set_defaults(func=cmd_triage_eval)
    add_triage_corrections(triage)
    kb = sub.add_parser("kb", help="knowledge base").add_subparsers(dest="kb_command", required=True)
    check = kb.add_parser("check", help="validate the articles folder against the NLU data")
    check.add_argument("--folder", help="articles folder (default: kb/)")
    check.add_argument("--nlu", help="NLU training data (default: nlu/data)")
    check.set_defaults(func=cmd_kb_check)
    kb.add_parser("reload", help="make the running bot reload the articles").set_defaults(func=cmd_kb_reload)
    cli_telegram.add_parser(sub)
    calendar = sub.add_parser("calendar", help="working days").add_subparsers(dest="calendar_command", required=True)
    year = calendar.add_parser("check", help="where a year's holidays come from; exits 1 if only estimated")
    year.add_argument("year", type=int)
    year.set_defaults(func=cmd_calendar_check)
    add_report_commands(sub)
    add_asset_parsers(sub)
    add_wecom_commands(sub, _settings)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        result: int = args.func(args)
        return result
    except ConfigError as exc:
        print(f"helpdesk: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
