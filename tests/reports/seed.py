"""A seeded November 2026 for the report tests: tickets with known times, severities and
departments, acknowledgements, escalations, complaints, repairs and knowledge-base events.

The rows are plain data here, so a test computes what it expects from them, independently of the
code under test; ``seed_month`` writes them through the store's own functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import storage
from config.settings import REPO_ROOT
from handlers.contract import Contract
from handlers.paging.roster import load_roster
from storage import service_requests as service_store
from storage.models import Repair

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The report is made on 3 December: every promise of November is due by then.
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)
DEPARTMENTS = {"staff.li": "财务部", "staff.wang": "市场部", "staff.zhang": "设计部"}


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class SeedTicket:
    name: str
    severity: str
    requester: str
    text: str
    created: datetime
    ack: timedelta | None  # after creation
    resolved: timedelta | None
    timeouts: int = 0  # escalations sent because nobody acknowledged
    by_hand: int = 0
    article: str | None = None


H, M = timedelta(hours=1), timedelta(minutes=1)
# 2 November 2026 is a Monday. Mondays (9, 16, 23) are where high tickets are answered late.
TICKETS = (
    SeedTicket("U1", "urgent", "staff.li", "三楼整层断网了", local(11, 2, 10), 20 * M, 90 * M),
    SeedTicket("U2", "urgent", "staff.wang", "邮件系统所有人都登不上", local(11, 4, 21), 45 * M, 5 * H),
    SeedTicket("H1", "high", "staff.li", "电脑蓝屏", local(11, 9, 9, 30), 3 * H, 4 * H, timeouts=2),
    SeedTicket("H2", "high", "staff.zhang", "账号被锁定了", local(11, 16, 10), 150 * M, 3 * H, by_hand=1),
    SeedTicket("H3", "high", "staff.wang", "VPN 连不上", local(11, 23, 14), 1 * H, 90 * M),
    SeedTicket("H4", "high", "staff.li", "打印不了文件", local(11, 10, 10), 30 * M, 1 * H),
    SeedTicket("H5", "high", "staff.zhang", "软件打开就崩溃", local(11, 11, 10), 40 * M, 26 * H),
    SeedTicket("H6", "high", "staff.wang", "会议室投影没信号", local(11, 12, 15), 1 * H, None),
    SeedTicket("N1", "normal", "staff.li", "打印机卡纸了", local(11, 3, 10), 45 * M, 90 * M),
    # Friday 16:00 → acknowledged Monday 10:00, resolved Monday 11:00.
    SeedTicket("N2", "normal", "staff.wang", "打印机不出纸", local(11, 6, 16), 66 * H, 67 * H),
    SeedTicket("N3", "normal", "staff.zhang", "电脑很慢", local(11, 19, 9), None, None),
    SeedTicket("W1", "hardware", "staff.li", "硬盘有异响", local(11, 17, 10), 1 * H, None),
    SeedTicket("W2", "hardware", "staff.zhang", "打印机搓纸轮坏了", local(11, 25, 10), None, None),
)
# On the on-site clock (working days 09:00–12:00 and 13:00–17:30), worked out by hand:
# N1: 10:00 → 10:45 is 0.75 h, → 11:30 is 1.5 h. N2: Fri 16:00–17:30 is 1.5 h, then Mon 09:00–10:00
# is 1 h: acknowledged after 2.5 h; resolved after 3.5 h. N2's promise (one on-site day, 7.5 h) falls
# due Monday 16:00, so it was acknowledged in time; N3's fell due Friday 20 November 09:00: missed.
NORMAL_RESPONSE_ON_SITE_H = (0.75, 2.5)
NORMAL_RESOLUTION_ON_SITE_H = (1.5, 3.5)
NORMAL_IN_TIME = 2

# (name, created, facts checked after, answered after): promises are 8 h and 24 h.
COMPLAINTS = (
    ("C1", local(11, 5, 10), 3 * H, 20 * H),
    ("C2", local(11, 12, 10), 9 * H, 23 * H),
    ("C3", local(11, 20, 10), None, None),
)
# (ticket, serial, device, fault, step, quote in fen); the October repair is the same disk's first.
REPAIRS = (
    ("W1", "PC-0042", "联想 M720", "硬盘坏道", "approved", 45000),
    ("W2", "PR-7", "惠普 M404 打印机", "搓纸轮磨损", "declined", 80000),
)
OCTOBER_REPAIR = ("PC-0042", "联想 M720", "硬盘异响", "signed", 30000, local(10, 14, 10))
# Engineers' triage corrections (issue 16): (ticket, from, to). H6 was corrected twice (it counts
# once); N3 was opened as unknown and classified, which is not a triage error.
CORRECTIONS = (
    ("H1", {"kind": "incident", "severity": "normal"}, {"kind": "incident", "severity": "high"}),
    ("H6", {"kind": "howto", "article": "projector"}, {"kind": "incident", "severity": "normal"}),
    ("H6", {"kind": "incident", "severity": "normal"}, {"kind": "incident", "severity": "high"}),
    ("N3", {"kind": "unknown"}, {"kind": "incident", "severity": "normal"}),
)
# (article, outcome, count)
ARTICLE_EVENTS = (
    ("printer-jam", "served", 3),
    ("printer-jam", "ticket", 2),
    ("printer-jam", "solved", 1),
    ("vpn-connect", "served", 2),
    ("vpn-connect", "solved", 2),
)


def contract() -> Contract:
    return Contract(roster=load_roster(REPO_ROOT / "config" / "roster.yaml"))


async def seed_month(sessions: storage.SessionFactory) -> dict[str, int]:
    """Write the month; returns each seeded ticket's number by its name."""
    numbers: dict[str, int] = {}
    async with sessions() as s, s.begin():
        for t in TICKETS:
            ticket = await storage.open_ticket(
                s,
                requester_id=t.requester,
                kind="incident",
                text=t.text,
                channel="web",
                now=t.created,
                severity=t.severity,
                article=t.article,
            )
            numbers[t.name] = ticket.number or 0
            if t.ack is not None:
                ticket.acknowledged_at, ticket.assignee_id, ticket.status = t.created + t.ack, "eng.chen", "in_progress"
            if t.resolved is not None:
                ticket.resolved_at, ticket.status = t.created + t.resolved, "resolved"
            for i in range(t.timeouts):
                await storage.add_event(
                    s, ticket, at=t.created + (i + 1) * 30 * M, actor_id=None, action="escalated", source="system"
                )
            for _ in range(t.by_hand):
                await storage.add_event(
                    s, ticket, at=t.created + 20 * M, actor_id="mgr.he", action="escalated", source="web"
                )
        old = await storage.open_ticket(
            s,
            requester_id="staff.li",
            kind="incident",
            text="硬盘咔咔响",
            channel="web",
            now=OCTOBER_REPAIR[5],
            severity="hardware",
        )
        serial, device, fault, step, fen, at = OCTOBER_REPAIR
        s.add(
            Repair(
                ticket_id=old.id,
                step=step,
                device=device,
                serial=serial,
                fault=fault,
                quote_fen=fen,
                created_at=at,
                updated_at=at,
            )
        )
        by_name = {t.name: t for t in TICKETS}
        for name, serial, device, fault, step, fen in REPAIRS:
            ticket = await storage.get_ticket(s, numbers[name])
            assert ticket is not None
            at = by_name[name].created
            s.add(
                Repair(
                    ticket_id=ticket.id,
                    step=step,
                    device=device,
                    serial=serial,
                    fault=fault,
                    quote_fen=fen,
                    created_at=at,
                    updated_at=at,
                )
            )
        for _name, created, facts, answer in COMPLAINTS:
            complaint = await service_store.add_complaint(
                s,
                complainant_id="staff.wang",
                text="工程师一直没来",
                channel="web",
                about={},
                ticket_id=None,
                engineer_id=None,
                manager_id="svc.ma",
                now=created,
                facts_due_at=created + 8 * H,
                answer_due_at=created + 24 * H,
            )
            if facts is not None:
                complaint.facts_checked_at, complaint.status = created + facts, "facts_checked"
            if answer is not None:
                complaint.answered_at, complaint.status = created + answer, "answered"
        for i, (name, before, after) in enumerate(CORRECTIONS):
            corrected = await storage.get_ticket(s, numbers[name])
            assert corrected is not None
            await storage.add_event(
                s,
                corrected,
                at=by_name[name].created + (i + 1) * M,
                actor_id="eng.chen",
                action="triage_corrected",
                source="chat",
                detail={"from": before, "to": after, "why": "", "text": corrected.text},
            )
        for article, outcome, count in ARTICLE_EVENTS:
            for i in range(count):
                await storage.record_article_event(s, article_id=article, outcome=outcome, at=local(11, 10 + i, 11))
    return numbers
