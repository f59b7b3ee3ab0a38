"""What the bot says about complaints, repairs and purchase requests, Chinese first and English too."""

from __future__ import annotations

from typing import Any

_CATALOG: dict[str, dict[str, str]] = {
    # complaints
    "complaint_recorded": {
        "zh": "已记录您的投诉，编号 {code}。我们承诺：{facts_hours} 小时内核实情况，{answer_hours} 小时内给您答复。"
        "服务经理{manager}已收到通知。{about}",
        "en": "Your complaint is recorded as {code}. We promise to check the facts within {facts_hours} hours and "
        "to answer you within {answer_hours} hours. The service manager{manager} has been told.{about}",
    },
    "complaint_about": {"zh": "\n涉及：{what}", "en": "\nAbout: {what}"},
    "about_ticket": {"zh": "工单 #{number}", "en": "ticket #{number}"},
    "about_engineer": {"zh": "工程师 {name}", "en": "engineer {name}"},
    "about_delay": {"zh": "响应/处理延误", "en": "a delay"},
    "complaint_notice": {
        "zh": "【新投诉 {code}】投诉人：{name}（{department}）\n内容：{text}{about}\n"
        "请在 {facts_due} 前核实情况，{answer_due} 前答复投诉人。",
        "en": "[New complaint {code}] from {name} ({department})\n{text}{about}\n"
        "Check the facts by {facts_due}; answer the complainant by {answer_due}.",
    },
    "complaint_reminder": {
        "zh": "【提醒】投诉 {code} 距{clock}期限（{due}）还剩 {left}。投诉内容：{text}",
        "en": "[Reminder] complaint {code}: {left} left until the {clock} deadline ({due}). Complaint: {text}",
    },
    "complaint_escalated": {
        "zh": "【投诉升级】投诉 {code} 已超过{clock}期限（{due}），服务经理{manager}尚未完成，现升级至技术总监。\n"
        "投诉人：{name}（{department}）\n内容：{text}",
        "en": "[Complaint escalated] complaint {code} is past its {clock} deadline ({due}) and the service "
        "manager{manager} has not done it; escalated to the technical director.\nFrom {name} ({department}): {text}",
    },
    "complaint_escalated_manager": {
        "zh": "投诉 {code} 已超过{clock}期限，已升级至技术总监{director}。请尽快处理。",
        "en": "Complaint {code} is past its {clock} deadline and has been escalated to the technical "
        "director{director}. Please act now.",
    },
    "clock_facts": {"zh": "核实", "en": "facts-check"},
    "clock_answer": {"zh": "答复", "en": "answer"},
    "ask_facts": {
        "zh": "请用一两句话写下投诉 {code} 的核实情况（发送「取消」放弃）：",
        "en": "Write in a sentence or two what you found about complaint {code} (send 'cancel' to stop):",
    },
    "facts_recorded": {
        "zh": "已记录投诉 {code} 的核实情况。现在请写给投诉人{name}的答复，我会原文转给对方（发送「取消」稍后再写）：",
        "en": "The facts of complaint {code} are recorded. Now write your answer to {name}; it goes to them "
        "as written (send 'cancel' to write it later):",
    },
    "ask_answer": {
        "zh": "请写给投诉人{name}的答复（投诉 {code}），我会原文转给对方（发送「取消」放弃）：",
        "en": "Write your answer to {name} (complaint {code}); it goes to them as written (send 'cancel' to stop):",
    },
    "complaint_followed_up": {
        "zh": "已将您的回复补充到投诉 {code}，并转给服务经理，{hours} 小时内会再次答复您。",
        "en": "Your reply is added to complaint {code} and passed to the service manager; you will have an answer "
        "within {hours} hours.",
    },
    "complaint_follow_up_notice": {
        "zh": "【投诉 {code} 有新回复】{name}：{text}\n请在 {answer_due} 前再次答复。",
        "en": "[Complaint {code}: a new reply] {name}: {text}\nPlease answer again by {answer_due}.",
    },
    "answer_to_complainant": {
        "zh": "关于您的投诉 {code}，{manager}答复如下：\n{answer}\n如仍有意见，可直接回复或拨打服务热线。",
        "en": "About your complaint {code}, {manager} answers:\n{answer}\nIf you are still unhappy, reply here "
        "or call the hotline.",
    },
    "answer_sent": {
        "zh": "答复已发送给{name}，投诉 {code} 已结案。",
        "en": "Your answer went to {name}; complaint {code} is closed.",
    },
    "facts_first": {
        "zh": "投诉 {code} 还没有记录核实情况，请先核实。",
        "en": "Complaint {code} has no facts recorded yet; check them first.",
    },
    "facts_already": {
        "zh": "投诉 {code} 已记录核实情况：{facts}",
        "en": "Complaint {code} already has its facts: {facts}",
    },
    "complaint_closed": {
        "zh": "投诉 {code} 已于 {when} 答复，无需再处理。",
        "en": "Complaint {code} was answered at {when}; nothing left to do.",
    },
    "not_complaint_handler": {
        "zh": "只有服务经理或技术总监可以处理投诉。",
        "en": "Only the service manager or the technical director can handle complaints.",
    },
    "button_facts_checked": {"zh": "记录核实情况", "en": "Record the facts"},
    "button_answer": {"zh": "写答复", "en": "Write the answer"},
    # dialogs
    "dialog_waits": {
        "zh": "💬 另外，我还在等您回复{waiting}：直接回复即可继续，发送「取消」或 /cancel 结束。",
        "en": "💬 Also, I am still waiting for {waiting}: just reply to go on, or send 'cancel' or /cancel to stop.",
    },
    "waiting_purchase_details": {
        "zh": "采购申请的补充信息（数量、预算、时间）",
        "en": "your purchase request's details",
    },
    "waiting_complaint_facts": {"zh": "投诉的核实情况", "en": "the complaint's facts"},
    "waiting_complaint_answer": {"zh": "给投诉人的答复", "en": "your answer to the complainant"},
    "fault_or_answer": {
        "zh": "这条消息像是故障报告。请问它是新的故障，还是您要回复的{waiting}？",
        "en": "This reads like a fault report. Is it a new fault, or {waiting}?",
    },
    "button_new_fault": {"zh": "新故障，建工单", "en": "A new fault: open a ticket"},
    "button_dialog_answer": {"zh": "是我的回复", "en": "It is my reply"},
    "nothing_to_cancel": {
        "zh": "当前没有进行中的对话，无需取消。有问题请直接描述。",
        "en": "There is nothing to cancel. Tell me what you need.",
    },
    "dialog_cancelled": {
        "zh": "好的，已取消。需要时再点按钮继续。",
        "en": "Cancelled. Press the button again when you are ready.",
    },
    # repairs
    "repair_started": {
        "zh": "工单 #{number} 已进入硬件维修流程，步骤如下，每一步都会通知您：\n"
        "① 工程师与您确认设备情况 → ② 取件（开具设备维修单）→ ③ 维修站检测并报价 → ④ 您确认或拒绝报价 → "
        "⑤ 维修 → ⑥ 送回安装，您签收（设备签收单）",
        "en": "Ticket #{number} has entered the repair process; you will be told at every step:\n"
        "1 an engineer confirms the device with you → 2 pickup (repair slip) → 3 diagnosis and quote at the "
        "repair station → 4 you approve or decline the quote → 5 repair → 6 returned, installed, signed for",
    },
    "repair_confirmed": {
        "zh": "工单 #{number}：工程师{engineer}已与您确认设备情况，接下来安排取件。",
        "en": "Ticket #{number}: engineer {engineer} has confirmed the device with you; pickup comes next.",
    },
    "repair_picked_up": {
        "zh": "工单 #{number}：设备已取走送修。\n【设备维修单】\n设备：{device}\n资产编号/序列号：{serial}\n"
        "故障：{fault}\n随机附件：{accessories}\n取件工程师：{engineer}",
        "en": "Ticket #{number}: the device has been picked up for repair.\n[Repair slip]\nDevice: {device}\n"
        "Asset tag / serial: {serial}\nFault: {fault}\nAccessories: {accessories}\nEngineer: {engineer}",
    },
    "repair_quoted": {
        "zh": "工单 #{number}：维修站检测完成，报价如下：\n{lines}\n合计：{total}\n请确认是否维修：",
        "en": "Ticket #{number}: the repair station has diagnosed the device. Quote:\n{lines}\nTotal: {total}\n"
        "Do you approve the repair?",
    },
    "repair_approved": {
        "zh": "工单 #{number}：{name}已同意报价（{total}），开始维修。",
        "en": "Ticket #{number}: {name} approved the quote ({total}); the repair starts.",
    },
    "repair_declined": {
        "zh": "工单 #{number}：{name}拒绝了报价（{total}），不再维修，设备将原样送回。",
        "en": "Ticket #{number}: {name} declined the quote ({total}); no repair, the device comes back as it is.",
    },
    "repair_repaired": {
        "zh": "工单 #{number}：设备已修好，工程师将送回安装。",
        "en": "Ticket #{number}: the device is repaired; an engineer will bring it back and install it.",
    },
    "repair_returned": {
        "zh": "工单 #{number}：设备已送回并安装（{outcome}）。\n【设备签收单】\n设备：{device}\n"
        "资产编号/序列号：{serial}\n随机附件：{accessories}\n请核对无误后签收：",
        "en": "Ticket #{number}: the device is back and installed ({outcome}).\n[Equipment receipt]\n"
        "Device: {device}\nAsset tag / serial: {serial}\nAccessories: {accessories}\nPlease check it and sign:",
    },
    "outcome_repaired": {"zh": "已维修", "en": "repaired"},
    "outcome_unrepaired": {"zh": "未维修，原样归还", "en": "not repaired, returned as it was"},
    "repair_signed": {
        "zh": "工单 #{number}：{name}已签收设备，维修流程结束。",
        "en": "Ticket #{number}: {name} signed for the device; the repair process is complete.",
    },
    "repair_done_engineer": {
        "zh": "工单 #{number} 维修步骤已更新：{step}。",
        "en": "Ticket #{number} repair step recorded: {step}.",
    },
    "repair_refused": {
        "zh": "工单 #{number} 现在处于「{current}」，不能执行「{wanted}」。下一步应为：{expected}。",
        "en": "Ticket #{number} is at '{current}'; '{wanted}' cannot be done now. Next: {expected}.",
    },
    "repair_none": {
        "zh": "工单 #{number} 不在硬件维修流程中。",
        "en": "Ticket #{number} is not in the repair process.",
    },
    "no_ticket": {"zh": "没有找到工单 #{number}。", "en": "There is no ticket #{number}."},
    "repair_usage": {
        "zh": "维修命令格式：\n维修 1042 确认\n维修 1042 取件 设备; 资产编号或序列号; 故障; 附件\n"
        "报价 1042 更换硬盘 450; 人工 100\n维修 1042 修好\n维修 1042 送回",
        "en": "Repair commands:\nrepair 1042 confirm\nrepair 1042 pickup device; asset tag or serial; fault; "
        "accessories\nquote 1042 new disk 450; labour 100\nrepair 1042 repaired\nrepair 1042 returned",
    },
    "quote_unreadable": {
        "zh": "没看懂报价。格式：报价 1042 更换硬盘 450; 人工 100（每项「名称 金额」，用分号隔开）",
        "en": "I could not read the quote. Format: quote 1042 new disk 450; labour 100 (items 'name amount', "
        "separated by semicolons)",
    },
    "pickup_incomplete": {
        "zh": "设备维修单需要设备、资产编号或序列号、故障。格式：维修 1042 取件 设备; 序列号; 故障; 附件",
        "en": "The repair slip needs the device, asset tag or serial, and the fault. Format: repair 1042 pickup "
        "device; serial; fault; accessories",
    },
    "only_engineers": {"zh": "只有工程师可以执行这一步。", "en": "Only an engineer can do this step."},
    "only_requester": {
        "zh": "只有报修人本人可以确认这一步。",
        "en": "Only the person who reported it can do this step.",
    },
    "button_confirm_contact": {"zh": "已与客户确认", "en": "Confirmed with the customer"},
    "button_repaired": {"zh": "维修完成", "en": "Repaired"},
    "button_return": {"zh": "已送回安装", "en": "Returned and installed"},
    "button_approve_quote": {"zh": "同意报价，维修", "en": "Approve and repair"},
    "button_decline_quote": {"zh": "不修了，原样送回", "en": "Decline, return it"},
    "button_sign": {"zh": "确认签收", "en": "Sign for it"},
    "hint_pickup": {
        "zh": "下一步取件：维修 {number} 取件 设备; 资产编号或序列号; 故障; 附件",
        "en": "Next, pickup: repair {number} pickup device; serial; fault; accessories",
    },
    "hint_quote": {
        "zh": "下一步报价：报价 {number} 项目 金额; 项目 金额",
        "en": "Next, the quote: quote {number} item amount; item amount",
    },
    # purchases
    "purchase_recorded": {
        "zh": "已登记您的采购申请 {code}，已转给工程师，他们会给出推荐型号和报价，由您确认。\n{summary}",
        "en": "Your purchase request {code} is recorded and passed to the engineers; they will send a "
        "recommendation and a quote for you to approve.\n{summary}",
    },
    "purchase_ask_details": {
        "zh": "为便于推荐和报价，请补充：{missing}（例如：2台，预算1万，12月1日前）。不清楚可回复「跳过」。",
        "en": "To recommend and quote, please add: {missing} (e.g. 2 units, budget 10000, by 1 Dec). "
        "Reply 'skip' if you do not know.",
    },
    "field_quantity": {"zh": "数量", "en": "quantity"},
    "field_budget": {"zh": "预算", "en": "budget"},
    "field_needed_by": {"zh": "需要日期", "en": "needed by"},
    "purchase_summary": {
        "zh": "需求：{items}\n数量：{quantity}\n预算：{budget}\n需要日期：{needed_by}",
        "en": "Items: {items}\nQuantity: {quantity}\nBudget: {budget}\nNeeded by: {needed_by}",
    },
    "not_given": {"zh": "未说明", "en": "not given"},
    "purchase_notice": {
        "zh": "【采购申请 {code}】申请人：{name}（{department}）\n{summary}{notes}\n"
        "请回复推荐和报价：采购 {code} 推荐 <型号> 报价 <金额>",
        "en": "[Purchase request {code}] from {name} ({department})\n{summary}{notes}\n"
        "Reply with a recommendation and quote: purchase {code} recommend <model> quote <amount>",
    },
    "purchase_notes": {"zh": "\n补充：{notes}", "en": "\nNotes: {notes}"},
    "purchase_updated": {
        "zh": "已补充采购申请 {code}：\n{summary}{notes}",
        "en": "Purchase request {code} updated:\n{summary}{notes}",
    },
    "purchase_update_notice": {
        "zh": "【采购申请 {code} 补充信息】\n{summary}{notes}",
        "en": "[Purchase request {code} updated]\n{summary}{notes}",
    },
    "purchase_skip": {
        "zh": "好的，工程师会按现有信息推荐，需要时再联系您。",
        "en": "Fine; the engineers will work from what you gave and ask if they need more.",
    },
    "purchase_quoted": {
        "zh": "您的采购申请 {code} 有了推荐和报价：\n推荐：{recommendation}\n报价：{quote}（工程师{engineer}）\n"
        "请确认是否采购：",
        "en": "Your purchase request {code} has a recommendation and a quote:\nRecommended: {recommendation}\n"
        "Quote: {quote} (engineer {engineer})\nDo you approve the purchase?",
    },
    "purchase_quote_sent": {
        "zh": "推荐和报价已发给{name}（采购申请 {code}），等待确认。",
        "en": "The recommendation and quote went to {name} (purchase request {code}), awaiting a decision.",
    },
    "purchase_quote_unreadable": {
        "zh": "格式：采购 P12 推荐 ThinkPad T14 报价 8999",
        "en": "Format: purchase P12 recommend ThinkPad T14 quote 8999",
    },
    "purchase_none": {"zh": "没有找到采购申请 {code}。", "en": "There is no purchase request {code}."},
    "purchase_decided_already": {
        "zh": "采购申请 {code} 已{decision}，不能再更改。",
        "en": "Purchase request {code} is already {decision}.",
    },
    "purchase_not_quoted": {
        "zh": "采购申请 {code} 还没有报价。",
        "en": "Purchase request {code} has no quote yet.",
    },
    "decision_approved": {"zh": "批准", "en": "approved"},
    "decision_declined": {"zh": "拒绝", "en": "declined"},
    "purchase_decided": {
        "zh": "已{decision}采购申请 {code}（{recommendation}，{quote}）。",
        "en": "Purchase request {code} {decision} ({recommendation}, {quote}).",
    },
    "purchase_decided_notice": {
        "zh": "采购申请 {code} 已被{name}{decision}：{recommendation}，{quote}。",
        "en": "Purchase request {code} was {decision} by {name}: {recommendation}, {quote}.",
    },
    "purchase_not_approver": {
        "zh": "只有申请人或其审批经理可以确认采购申请。",
        "en": "Only the requester or their approving manager can decide a purchase request.",
    },
    "button_approve_purchase": {"zh": "批准采购", "en": "Approve"},
    "button_decline_purchase": {"zh": "不采购", "en": "Decline"},
}

REPAIR_STEP_NAMES = {
    "zh": {
        "awaiting_confirmation": "待与客户确认",
        "confirmed": "已与客户确认",
        "picked_up": "已取件",
        "quoted": "已报价，待客户确认",
        "approved": "客户已同意报价",
        "declined": "客户已拒绝报价",
        "repaired": "已修好",
        "returned": "已送回安装，待签收",
        "signed": "已签收",
        "confirm": "与客户确认",
        "pickup": "取件",
        "quote": "报价",
        "approve": "同意报价",
        "decline": "拒绝报价",
        "repair": "维修完成",
        "return": "送回安装",
        "sign": "签收",
    },
    "en": {
        "awaiting_confirmation": "awaiting confirmation with the customer",
        "confirmed": "confirmed with the customer",
        "picked_up": "picked up",
        "quoted": "quoted, awaiting the customer",
        "approved": "quote approved",
        "declined": "quote declined",
        "repaired": "repaired",
        "returned": "returned, awaiting signature",
        "signed": "signed for",
        "confirm": "confirm with the customer",
        "pickup": "pickup",
        "quote": "quote",
        "approve": "approve the quote",
        "decline": "decline the quote",
        "repair": "repaired",
        "return": "return and install",
        "sign": "sign for it",
    },
}


def say(lang: str, key: str, **values: Any) -> str:
    """The text for ``key`` in ``lang`` (Chinese when the language is not known)."""
    entry = _CATALOG[key]
    return entry.get(lang, entry["zh"]).format(**values)


def step_name(lang: str, step: str) -> str:
    names = REPAIR_STEP_NAMES.get(lang, REPAIR_STEP_NAMES["zh"])
    return names.get(step, step)


def yuan(fen: int | None, lang: str = "zh") -> str:
    """An amount for people: ¥8,999 or ¥12.50."""
    if fen is None:
        return say(lang, "not_given")
    return f"¥{fen // 100:,}" if fen % 100 == 0 else f"¥{fen / 100:,.2f}"
