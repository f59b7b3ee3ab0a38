"""What the bot says, in Chinese first and English too. One place, so wording stays consistent."""

from __future__ import annotations

from typing import Any

SEVERITY_NAMES = {
    "zh": {"urgent": "紧急故障", "high": "一般紧急故障", "normal": "一般故障", "hardware": "硬件故障"},
    "en": {"urgent": "urgent", "high": "high", "normal": "normal", "hardware": "hardware"},
}

# The contract's promised response for each severity.
RESPONSE_PROMISES = {
    "zh": {
        "urgent": "工程师将立即响应（现场或远程）",
        "high": "工程师将在 2 小时内响应",
        "normal": "工程师将在 24 小时内处理",
        "hardware": "已进入硬件维修流程，工程师会先与您确认设备情况",
    },
    "en": {
        "urgent": "an engineer responds at once, on site or remotely",
        "high": "an engineer responds within 2 hours",
        "normal": "an engineer handles it within 24 hours",
        "hardware": "it enters the repair process; an engineer will first confirm the device with you",
    },
}

_CATALOG: dict[str, dict[str, str]] = {
    "ticket_opened": {
        "zh": "已为您创建工单 #{number}（{severity_name}）：{promise}。\n问题：{text}",
        "en": "Ticket #{number} opened ({severity_name}): {promise}.\nProblem: {text}",
    },
    "ticket_opened_untriaged": {
        "zh": "智能分诊暂时不可用，您的消息已登记为工单 #{number}，工程师会人工确认紧急程度并尽快联系您。"
        "如情况紧急，请拨打服务热线 {hotline}。",
        "en": "Automatic triage is unavailable right now. Your message is recorded as ticket #{number}; an "
        "engineer will triage it by hand and contact you soon. If it is urgent, call the hotline {hotline}.",
    },
    "ticket_opened_as_is": {
        "zh": "已按原文为您创建工单 #{number}，工程师会确认紧急程度后联系您。",
        "en": "Ticket #{number} opened with your message as is; an engineer will triage it and contact you.",
    },
    # Triage was unavailable: the engineers' notice, and what everyone hears once the NLU triaged it.
    "needs_triage": {
        "zh": "🔎 待分诊 · 工单 #{number}\n报告人：{requester}\n问题：{text}\n"
        "智能分诊暂不可用，请人工判断紧急程度并联系报告人。",
        "en": "🔎 Needs triage · ticket #{number}\nReported by: {requester}\nProblem: {text}\nAutomatic triage is "
        "unavailable; please judge its severity and contact the reporter.",
    },
    "retriaged": {
        "zh": "您的工单 #{number} 已完成分诊：{severity_name}，{promise}。",
        "en": "Your ticket #{number} has been triaged: {severity_name}; {promise}.",
    },
    "retriaged_joined": {
        "zh": "您的工单 #{number} 与正在处理的故障工单 #{outage} 是同一问题，已并入该工单（目前 {affected} 人受影响），"
        "工程师正在处理。",
        "en": "Your ticket #{number} reports the outage of ticket #{outage}, which engineers are working on; it has "
        "been merged into it ({affected} people affected so far).",
    },
    "triage_done": {
        "zh": "✅ 工单 #{number} 已自动分诊为{severity_name}，按流程处理，无需人工分诊。",
        "en": "✅ Ticket #{number} was triaged automatically as {severity_name} and follows the usual process; no "
        "triage by hand is needed.",
    },
    "triage_done_joined": {
        "zh": "✅ 工单 #{number} 已并入故障工单 #{outage}，无需人工分诊。",
        "en": "✅ Ticket #{number} was merged into outage ticket #{outage}; no triage by hand is needed.",
    },
    "chitchat": {
        "zh": "您好！我是 IT 服务台机器人。您可以直接告诉我：\n"
        "· 电脑、网络、打印机等出了什么问题（我会建工单并通知工程师）\n"
        "· 想知道怎么操作（我会发操作指南）\n"
        "· 查询工单进度、投诉或采购申请",
        "en": "Hello! I am the IT service desk bot. Tell me:\n"
        "· what is broken (I open a ticket and page an engineer)\n"
        "· what you want to learn to do (I send a guide)\n"
        "· about a ticket's status, a complaint or a purchase request",
    },
    "thanks": {"zh": "不客气！还有其他问题随时找我。", "en": "You're welcome! Message me any time."},
    # The web chat's greeting when a person is chosen, with example buttons that send their text.
    "web_greeting": {
        "zh": "👋 {name}，您好！我是 IT 服务台机器人，您可以直接用中文告诉我：\n"
        "· 哪里坏了：我会建工单、按紧急程度通知工程师\n"
        "· 想知道怎么操作：我会发操作指南（全部指南见 /kb）\n"
        "· 工单进展：发送「我的工单」\n"
        "试试下面的例子，或在下方输入您的问题。",
        "en": "👋 Hello, {name}! I am the IT service desk bot. Just tell me:\n"
        "· what is broken: I open a ticket and notify the engineers as urgently as it needs\n"
        "· what you want to learn to do: I send a guide (all guides at /kb)\n"
        "· how your tickets are doing: send /mine\n"
        "Try an example below, or type your question.",
    },
    "web_example_fault": {"zh": "打印机卡纸了", "en": "The printer has a paper jam"},
    "web_example_howto": {"zh": "怎么连WiFi", "en": "How do I connect to the WiFi?"},
    "web_example_tickets": {"zh": "我的工单", "en": "/mine"},
    "pressed_button": {"zh": "（按了一个按钮）", "en": "(pressed a button)"},
    "unknown": {
        "zh": "抱歉，我没能理解您的意思。可以换个说法再描述一下吗？或者直接按原文创建工单，由工程师来看。",
        "en": "Sorry, I did not understand. Could you say it another way? Or open a ticket as is for an engineer.",
    },
    "clarify": {
        "zh": "我不太确定您的意思，请选一下：",
        "en": "I am not sure what you mean. Which is it?",
    },
    "coming_soon": {
        "zh": "已收到。{what}功能即将上线；现在如需帮助，可以按原文创建工单，工程师会处理。",
        "en": "Received. {what} is coming soon; for now you can open a ticket as is and an engineer will help.",
    },
    "button_open_as_is": {"zh": "按原文创建工单", "en": "Open a ticket as is"},
    "button_broken": {"zh": "有东西坏了", "en": "Something is broken"},
    "button_howto": {"zh": "我想知道怎么操作", "en": "How do I…"},
    "button_status": {"zh": "查工单进度", "en": "Ticket status"},
    "button_other": {"zh": "其他", "en": "Other"},
    "already_ticket": {
        "zh": "这条消息已经有工单 #{number} 了。",
        "en": "This message already has ticket #{number}.",
    },
    "stale_button": {
        "zh": "这个按钮已失效，请重新发送您的问题。",
        "en": "This button is no longer valid; please send your question again.",
    },
    "howto_pick": {
        "zh": "您想看的是下面哪一篇操作指南？",
        "en": "Which of these guides do you mean?",
    },
    "howto_none": {
        "zh": "知识库里暂时没有找到合适的操作指南。可以换个说法，或直接按原文创建工单，由工程师来处理。",
        "en": "I found no guide for that. Try other words, or open a ticket as is for an engineer.",
    },
    "button_solved": {"zh": "解决了", "en": "Solved"},
    "button_not_solved": {"zh": "没解决，帮我报修", "en": "Not solved, open a ticket"},
    "solved_thanks": {
        "zh": "太好了，问题已解决！以后有问题随时找我。",
        "en": "Great, glad it is solved! Message me any time.",
    },
    "solved_already": {"zh": "已记录，谢谢反馈。", "en": "Noted already, thank you."},
    "article_list": {
        "zh": "操作指南列表（发送「文章 编号」查看全文，或打开网页 /kb）：",
        "en": "How-to guides (send 'article <id>' for the full text, or open /kb):",
    },
    "article_missing": {
        "zh": "没有找到编号为「{article}」的文章。发送「文章」可查看全部指南列表。",
        "en": "No article {article!r}. Send 'article' for the list of guides.",
    },
    "store_busy": {
        "zh": "系统繁忙，您的消息暂未收到，请稍后重新发送。紧急情况请拨打服务热线。",
        "en": "The system is busy and did not receive your message; please send it again shortly.",
    },
    "reply_delayed": {
        "zh": "已收到您的消息，系统正忙，处理后会在这里回复您。",
        "en": "Received. The system is busy; the answer will come here shortly.",
    },
    "calendar_estimated": {
        "zh": "⚠️ {years} 年的法定节假日与调休尚未录入，按周末和法定节日估算（不含调休上班日），值班安排可能有误；"
        "请在 config/holidays.yaml 中补充国务院办公厅的放假通知。",
        "en": "⚠️ The public holidays and make-up working days of {years} are not recorded yet: they are estimated "
        "from weekends and statutory days (no make-up days), so the duty schedule may be wrong. Add the State "
        "Council's notice to config/holidays.yaml.",
    },
    "handling_failed": {
        "zh": "抱歉，系统处理您的消息时出错。消息已登记为工单 #{number}，工程师会人工处理并尽快联系您。"
        "如情况紧急，请拨打服务热线 {hotline}。",
        "en": "Sorry, the system failed to handle your message. It is recorded as ticket #{number}; an engineer "
        "will handle it by hand and contact you soon. If it is urgent, call the hotline {hotline}.",
    },
    "handling_failed_manager": {
        "zh": "【需人工处理】{name} 的消息处理 {attempts} 次均失败，已登记为工单 #{number}。错误：{error}",
        "en": "[Needs a person] {name}'s message failed {attempts} times and is recorded as ticket #{number}. "
        "Error: {error}",
    },
    "unknown_person": {
        "zh": "您还不在服务名录中，请联系行政部开通，或拨打服务热线 {hotline}。",
        "en": "You are not in the service directory yet; ask the office admin, or call the hotline {hotline}.",
    },
}

_WHAT = {
    "howto": {"zh": "操作指南", "en": "How-to answers"},
    "status": {"zh": "工单查询", "en": "Ticket status"},
    "complaint": {"zh": "投诉登记", "en": "Complaints"},
    "purchase": {"zh": "采购申请", "en": "Purchase requests"},
}


def say(lang: str, key: str, **values: Any) -> str:
    """The text for ``key`` in ``lang`` (Chinese when the language is not known)."""
    entry = _CATALOG[key]
    return entry.get(lang, entry["zh"]).format(**values)


def severity_name(lang: str, severity: str) -> str:
    return SEVERITY_NAMES.get(lang, SEVERITY_NAMES["zh"])[severity]


def promise(lang: str, severity: str) -> str:
    return RESPONSE_PROMISES.get(lang, RESPONSE_PROMISES["zh"])[severity]


def feature_name(lang: str, kind: str) -> str:
    return _WHAT[kind].get(lang, _WHAT[kind]["zh"])
