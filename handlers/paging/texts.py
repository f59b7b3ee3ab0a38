"""What paging, the ticket lifecycle and engineer commands say, Chinese first and English too.

Kept apart from ``handlers.texts`` (the intake's wording) so the two can change independently;
the vocabulary is the same: ticket (工单), page, severity names, service record (服务记录单).
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

STATUS_NAMES = {
    "zh": {
        "new": "新建",
        "acknowledged": "已接单",
        "in_progress": "处理中",
        "resolved": "已解决",
        "closed": "已关闭",
        "reopened": "已重新打开",
    },
    "en": {
        "new": "new",
        "acknowledged": "acknowledged",
        "in_progress": "in progress",
        "resolved": "resolved",
        "closed": "closed",
        "reopened": "reopened",
    },
}

MOVE_NAMES = {
    "zh": {
        "acknowledge": "接单",
        "take": "接手处理",
        "release": "释放",
        "resolve": "解决",
        "close": "关闭",
        "reopen": "重新打开",
        "escalate": "升级",
        "note": "添加备注",
        "reassign": "转派",
    },
    "en": {
        "acknowledge": "be acknowledged",
        "take": "be taken",
        "release": "be released",
        "resolve": "be resolved",
        "close": "be closed",
        "reopen": "be reopened",
        "escalate": "be escalated",
        "note": "take a note",
        "reassign": "be reassigned",
    },
}

_CATALOG: dict[str, dict[str, str]] = {
    "page": {
        "zh": "🚨 {severity_name} · 工单 #{number}\n报告人：{requester}\n问题：{text}\n受影响：{affected} 人\n"
        "{why}请尽快接单。",
        "en": "🚨 {severity_name} · ticket #{number}\nReported by: {requester}\nProblem: {text}\nAffected: {affected}\n"
        "{why}Please acknowledge.",
    },
    "why_timeout": {
        "zh": "⚠️ 升级：上一级 {minutes} 分钟内无人接单。\n",
        "en": "⚠️ Escalated: nobody acknowledged within {minutes} min.\n",
    },
    "why_by_hand": {"zh": "⚠️ 已由 {by} 手动升级。\n", "en": "⚠️ Escalated by {by}.\n"},
    "notice_urgent": {
        "zh": "📣 紧急故障 · 工单 #{number}\n报告人：{requester}\n问题：{text}\n已呼叫：{paged}",
        "en": "📣 Urgent · ticket #{number}\nReported by: {requester}\nProblem: {text}\nPaged: {paged}",
    },
    "notice_queue": {
        "zh": "📋 新工单 #{number}（{severity_name}，{due} 前响应）\n报告人：{requester}\n问题：{text}",
        "en": "📋 New ticket #{number} ({severity_name}, respond by {due})\nReported by: {requester}\nProblem: {text}",
    },
    "notice_hardware": {
        "zh": "🔧 硬件故障 · 工单 #{number}\n报告人：{requester}\n问题：{text}\n已进入维修流程。",
        "en": "🔧 Hardware fault · ticket #{number}\nReported by: {requester}\nProblem: {text}\nIt enters the repair "
        "process.",
    },
    "page_acknowledged": {
        "zh": "✅ 已由 {engineer} {time} 接单 · 工单 #{number}：{text}",
        "en": "✅ Acknowledged by {engineer} at {time} · ticket #{number}: {text}",
    },
    "page_resolved": {
        "zh": "✔️ 已由 {engineer} {time} 解决 · 工单 #{number}：{text}",
        "en": "✔️ Resolved by {engineer} at {time} · ticket #{number}: {text}",
    },
    "manual_paging": {
        "zh": "⚠️ 工单 #{number}（{severity_name}）未能自动呼叫，请人工安排工程师。\n原因：{reason}\n"
        "报告人：{requester}\n问题：{text}",
        "en": "⚠️ Ticket #{number} ({severity_name}) could not be paged automatically; please arrange an engineer.\n"
        "Reason: {reason}\nReported by: {requester}\nProblem: {text}",
    },
    "opened_manual": {
        "zh": "自动呼叫暂不可用，已请服务经理人工安排工程师；如情况紧急请拨打服务热线 {hotline}。",
        "en": "Automatic paging is unavailable; the service manager is arranging an engineer. "
        "If it is urgent, call the hotline {hotline}.",
    },
    "opened_paged": {"zh": "已通知值班工程师：{names}。", "en": "The engineers on duty have been paged: {names}."},
    "opened_held": {
        "zh": "现在是非驻场时间，工单已排队，驻场工程师将于 {at} 开始处理。",
        "en": "It is outside on-site hours; the ticket is queued and the on-site engineers start on it at {at}.",
    },
    "storm_joined": {
        "zh": "已知故障，工程师正在处理，工单 #{number}（目前已有 {affected} 人报告）。无需重复报修，修复后会通知您。",
        "en": "Known outage: engineers are working on it, ticket #{number} ({affected} people have reported it). "
        "No need to report it again; you will be told when it is fixed.",
    },
    "requester_acknowledged": {
        "zh": "工程师 {engineer} 已接手工单 #{number}，{when}。",
        "en": "Engineer {engineer} has taken ticket #{number}; {when}.",
    },
    "when_at_once": {"zh": "马上与您联系（现场或远程）", "en": "they will contact you right away, on site or remotely"},
    "when_by": {"zh": "将在 {due} 前与您联系", "en": "they will contact you by {due}"},
    "when_soon": {"zh": "会尽快与您联系", "en": "they will contact you soon"},
    "affected_resolved": {
        "zh": "工单 #{number} 的故障已由 {engineer} 处理完毕：{note}",
        "en": "The outage of ticket #{number} was fixed by {engineer}: {note}",
    },
    "already_acknowledged": {
        "zh": "工单 #{number} 已由 {engineer} 于 {time} 接单，无需重复操作。",
        "en": "Ticket #{number} was already acknowledged by {engineer} at {time}; nothing to do.",
    },
    "already_yours": {
        "zh": "您已于 {time} 接下工单 #{number}，无需重复操作。",
        "en": "You already acknowledged ticket #{number} at {time}; nothing to do.",
    },
    "acknowledged_ok": {
        "zh": "已接单：工单 #{number}。升级已停止，已告知报告人 {requester}。",
        "en": "Acknowledged ticket #{number}. Escalation stopped; {requester} has been told.",
    },
    "engineers_only": {
        "zh": "只有工程师可以{what}。您的操作未生效；如需报修请直接描述问题。",
        "en": "Only engineers may {what}. Nothing was changed; to report a problem, just describe it.",
    },
    "managers_only": {"zh": "只有经理可以转派工单。", "en": "Only managers may reassign tickets."},
    "no_ticket": {"zh": "找不到工单 #{number}。", "en": "There is no ticket #{number}."},
    "invalid_move": {
        "zh": "工单 #{number} 当前状态为「{status}」，不能{move}。",
        "en": "Ticket #{number} is {status}; it cannot {move}.",
    },
    "taken_ok": {
        "zh": "工单 #{number} 已由您接手处理（处理中）。",
        "en": "You have taken ticket #{number} (in progress).",
    },
    "assigned_to_other": {
        "zh": "工单 #{number} 由 {engineer} 负责；如需转派请联系经理。",
        "en": "Ticket #{number} is {engineer}'s; ask a manager to reassign it.",
    },
    "released_ok": {
        "zh": "已释放工单 #{number}，已通知值班工程师重新接单。",
        "en": "Released ticket #{number}; the engineers on duty have been asked to take it.",
    },
    "released_notice": {
        "zh": "📋 工单 #{number} 已被 {engineer} 释放，需要有人接手：{text}",
        "en": "📋 Ticket #{number} was released by {engineer} and needs someone: {text}",
    },
    "escalated_ok": {
        "zh": "已升级工单 #{number}：已呼叫 {names}。",
        "en": "Escalated ticket #{number}: paged {names}.",
    },
    "escalate_last": {
        "zh": "工单 #{number} 已呼叫到最后一级，无法再升级。",
        "en": "Ticket #{number} has reached the last step; there is nobody further to page.",
    },
    "escalate_not_paging": {
        "zh": "工单 #{number} 没有进行中的呼叫（可能已有人接单），无需升级。",
        "en": "Ticket #{number} has no page under way (someone may have it already); nothing to escalate.",
    },
    "resolve_needs_note": {
        "zh": "请发送「解决 {number} 处理说明」，写明故障原因和处理方法，作为服务记录单。",
        "en": "Send “/resolve {number} <note>” with what was wrong and what was done; it becomes the service record.",
    },
    "resolved_ok": {
        "zh": "工单 #{number} 已解决，服务记录单已发给 {requester} 确认。",
        "en": "Ticket #{number} is resolved; the service record went to {requester} to confirm.",
    },
    "service_record": {
        "zh": "📄 服务记录单 · 工单 #{number}\n问题：{text}\n处理工程师：{engineer}\n处理说明：{note}\n"
        "完成时间：{time}\n请确认问题已解决；{days} 天内未确认将自动关闭。",
        "en": "📄 Service record · ticket #{number}\nProblem: {text}\nEngineer: {engineer}\nWhat was done: {note}\n"
        "Finished: {time}\nPlease confirm it is fixed; unconfirmed, it closes by itself after {days} days.",
    },
    "record_confirmed_page": {
        "zh": "📄 服务记录单 · 工单 #{number}：已于 {time} 确认 ✅\n处理说明：{note}",
        "en": "📄 Service record · ticket #{number}: confirmed at {time} ✅\nWhat was done: {note}",
    },
    "record_reopened_page": {
        "zh": "📄 服务记录单 · 工单 #{number}：{time} 反馈还有问题，已重新打开。",
        "en": "📄 Service record · ticket #{number}: reported still a problem at {time}; reopened.",
    },
    "record_confirmed": {
        "zh": "感谢确认，工单 #{number} 已关闭。",
        "en": "Thank you for confirming; ticket #{number} is closed.",
    },
    "record_reopened": {
        "zh": "已重新打开工单 #{number}，工程师 {engineer} 会再联系您。",
        "en": "Ticket #{number} is reopened; engineer {engineer} will contact you again.",
    },
    "reopened_notice": {
        "zh": "🔁 工单 #{number} 被 {requester} 重新打开（还有问题）：{text}",
        "en": "🔁 Ticket #{number} was reopened by {requester} (still a problem): {text}",
    },
    "record_auto_closed": {
        "zh": "工单 #{number} 的服务记录单 {days} 天未确认，已自动关闭。如仍有问题请重新报修。",
        "en": "The service record of ticket #{number} was not confirmed within {days} days and is closed. "
        "If the problem is back, please report it again.",
    },
    "requester_only": {
        "zh": "只有报修人可以确认服务记录单。",
        "en": "Only the person who reported it may confirm the service record.",
    },
    "record_not_pending": {
        "zh": "工单 #{number} 没有待确认的服务记录单（当前状态：{status}）。",
        "en": "Ticket #{number} has no service record waiting for confirmation (it is {status}).",
    },
    "note_ok": {"zh": "已为工单 #{number} 添加备注。", "en": "Note added to ticket #{number}."},
    "reassigned_ok": {"zh": "工单 #{number} 已转派给 {engineer}。", "en": "Ticket #{number} reassigned to {engineer}."},
    "reassigned_notice": {
        "zh": "📋 {manager} 将工单 #{number} 转派给您：{text}",
        "en": "📋 {manager} assigned ticket #{number} to you: {text}",
    },
    "unknown_engineer": {"zh": "找不到工程师「{who}」。", "en": "There is no engineer “{who}”."},
    "mine_engineer": {"zh": "您负责的未完成工单（{count}）：", "en": "Your open tickets ({count}):"},
    "mine_requester": {"zh": "您的工单（{count}）：", "en": "Your tickets ({count}):"},
    "mine_none": {"zh": "您目前没有未完成的工单。", "en": "You have no open tickets."},
    "mine_line": {
        "zh": "#{number} {severity} · {status} · {text}{affected}",
        "en": "#{number} {severity} · {status} · {text}{affected}",
    },
    "affected_suffix": {"zh": "（影响 {count} 人）", "en": " ({count} affected)"},
    "no_roster": {"zh": "值班表尚未配置。", "en": "No duty roster is configured."},
    "usage": {"zh": "格式：{usage}", "en": "Usage: {usage}"},
    "button_acknowledge": {"zh": "接单", "en": "Acknowledge"},
    "button_take": {"zh": "我来处理", "en": "Take it"},
    "button_escalate": {"zh": "升级", "en": "Escalate"},
    "button_resolve": {"zh": "已解决", "en": "Resolve"},
    "button_confirm": {"zh": "确认", "en": "Confirm"},
    "button_reopen": {"zh": "还有问题", "en": "Still a problem"},
}


def say(lang: str, key: str, **values: Any) -> str:
    """The text for ``key`` in ``lang`` (Chinese when the language is not known)."""
    entry = _CATALOG[key]
    return entry.get(lang, entry["zh"]).format(**values)


def status_name(lang: str, status: str) -> str:
    return STATUS_NAMES.get(lang, STATUS_NAMES["zh"]).get(status, status)


def move_name(lang: str, move: str) -> str:
    return MOVE_NAMES.get(lang, MOVE_NAMES["zh"]).get(move, move)


def clock_time(at: datetime, zone: tzinfo, now: datetime | None = None) -> str:
    """``10:32`` for a time on the same local day as ``now``, ``11月24日 10:32`` otherwise."""
    local = at.astimezone(zone)
    if now is not None and now.astimezone(zone).date() == local.date():
        return f"{local:%H:%M}"
    return f"{local.month}月{local.day}日 {local:%H:%M}"
