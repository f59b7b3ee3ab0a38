"""The triage rubric's rules for "where two seem to fit", applied on top of the model.

A statistical model learns the usual case; the rubric (shared/triage-rubric.md) also
fixes a few cases by contract, and those must hold whatever the training data says.
Each rule is written once here, as a small function from the text and the model's
proposal to a corrected proposal, and named so that the ticket can record which rule
changed the model's answer (``Triage.rule``).

The rules see only the text and a :class:`Proposal`; they never call Rasa; the words
they look for are in :mod:`nlu.rubric_words`. Order matters and is fixed in
:data:`RULES`. The kind is settled first: a fault with "how do I fix it", or reported
without any question, is an incident; a fault with no word about the service is not a
complaint, and displeasure that asks nothing is not a how-to, nor is asking how to do
something oneself an incident; a service task asked of the engineers is an incident; a
"purchase" that buys nothing is a task, and a normal incident that asks to buy is a
purchase; a "status" that asks about no ticket but reports a fault is an incident. Then
the severity: physical signs on "will not start" make it hardware, a plain "will not
start" high; urgent needs many people, a shared system or a security incident; slow is
normal; pop-ups are high; what works anyway, and a service task for however many people,
is normal; physical damage is hardware; one person who cannot work is high; scope with
"cannot work", a security incident and smoke, power or cooling failing in the server
room make it urgent. Urgent beats hardware because the urgent rules run last. Every
labelled example in nlu/data and the dev set is checked against every
rule (tests/nlu/test_triage_rules.py), so a rule that contradicts the data fails.

Time of day, weekends and the writer's rank never change severity. That cannot be
checked on one parse, so it works differently: :func:`neutral_text` removes those
words, and triage parses the neutral text again; that parse can take inflation out of
a severity, never add to it (nlu/triage.py). Cantonese is read as Mandarin first
(:func:`plain_mandarin`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import opencc

from nlu.rubric_words import (
    BUY_REQUEST,
    BUYING,
    CANNOT_WORK,
    DAMAGE,
    DISSATISFIED,
    FAULT,
    FIX_QUESTION,
    HOW_QUESTION,
    HOW_TO,
    MALWARE,
    NEGATED_SIGN,
    NO_START,
    OTHERS_FINE,
    PHYSICAL_SIGNS,
    QUESTION,
    SCOPE,
    SECURITY,
    SELF_SERVICE,
    SERVER_ROOM_EMERGENCY,
    SERVICE_ASK,
    SERVICE_NEED,
    SERVICE_WORK,
    SEVERAL,
    SHARED_SERVICE,
    SHARED_SYSTEM,
    SINGLE_PERSON,
    SLOW,
    STATUS_ASK,
    STOPPED,
    TIME_AND_RANK,
    WORKS_ANYWAY,
    grievance,
)


@dataclass(frozen=True)
class Proposal:
    """What triage is about to answer: a kind, and a severity for an incident.

    ``fallback_severity`` is the model's best incident severity even when the model
    chose another kind, so a rule that turns a how-to into an incident has one.
    """

    kind: str
    severity: str | None
    fallback_severity: str


# Cantonese as typed in Guangdong offices, to the Mandarin that the model was trained
# on and the rules are written in ("登唔到" is "登不到", "冇反应" is "没反应"). Longer
# forms first, so that "唔该" (thanks) does not become "不该".
CANTONESE = (
    ("唔该", "谢谢"),
    ("唔使", "不用"),
    ("乜嘢", "什么"),
    ("点样", "怎么"),
    ("点解", "为什么"),
    ("边个", "谁"),
    ("边度", "哪里"),
    ("而家", "现在"),
    ("搞掂", "搞定"),
    ("几时", "什么时候"),
    ("琴日", "昨天"),
    ("听日", "明天"),
    ("唔", "不"),
    ("冇", "没"),
    ("咗", "了"),
    ("嘅", "的"),
    ("睇", "看"),
    ("咩", "什么"),
    ("佢", "他"),
    ("喺", "在"),
    ("啲", "些"),
    ("嘢", "东西"),
    ("俾", "给"),
    ("畀", "给"),
    ("哋", "们"),
    ("嚟", "来"),
    ("攞", "拿"),
    ("揾", "找"),  # 搵 as simplified
    ("咁", "这么"),
)
"""Cantonese words and their Mandarin, in simplified characters (traditional ones are simplified
first). Only words Mandarin does not use: 边 alone (旁边) or 整 (整理) would change Mandarin."""

_BEFORE_SIMPLIFYING = (("係咪", "是不是"), ("係", "是"), ("嗰", "那"))
"""Cantonese characters OpenCC would simplify into other words: 係 into 系 (as in 系统), 嗰 into
the rare 𠮶. They are read as Mandarin before the text is simplified."""

_SIMPLIFIED = opencc.OpenCC("t2s")


def plain_mandarin(text: str) -> str:
    """The text in simplified characters, with Cantonese words replaced by their Mandarin
    (unchanged if it has neither)."""
    for cantonese, mandarin in _BEFORE_SIMPLIFYING:
        text = text.replace(cantonese, mandarin)
    text = _SIMPLIFIED.convert(text)
    for cantonese, mandarin in CANTONESE:
        text = text.replace(cantonese, mandarin)
    return text


def neutral_text(text: str) -> str:
    """The text without time, rank and urgency words, for a severity that ignores them."""
    return re.sub(r"\s+", " ", TIME_AND_RANK.sub(" ", text)).strip(" ，,。.？?")


def severity_text(text: str) -> str:
    """What the severity is read from: the neutral text, without "how do I fix it" too,
    so "电脑蓝屏了怎么办" is judged as the fault "电脑蓝屏了" that it reports."""
    return neutral_text(FIX_QUESTION.sub(" ", text))


FIX_QUESTION_KINDS = frozenset({"howto", "complaint", "chitchat", "unknown"})


def _fault_with_fix_question(text: str, p: Proposal) -> Proposal | None:
    """A message that reports a fault and asks how to fix it is an incident, whatever
    else it sounds like (a status question about a fault asks about its ticket)."""
    if p.kind in FIX_QUESTION_KINDS and FAULT.search(text) and FIX_QUESTION.search(text):
        return replace(p, kind="incident", severity=p.fallback_severity)
    return None


def _fault_without_question(text: str, p: Proposal) -> Proposal | None:
    """A fault reported without any question ("合伙人手机收不到公司邮件了，今晚要弄好")
    is an incident: a how-to asks how to do something."""
    if p.kind == "howto" and FAULT.search(text) and not (HOW_QUESTION.search(text) or QUESTION.search(text)):
        return replace(p, kind="incident", severity=p.fallback_severity)
    return None


def _fault_is_not_a_complaint(text: str, p: Proposal) -> Proposal | None:
    """A fault, or many people who cannot work, with no word about the service (the
    engineers, a delay, a repair) is reported, not complained about."""
    if p.kind != "complaint" or grievance(text):
        return None
    if FAULT.search(text) or (SCOPE.search(text) and CANNOT_WORK.search(text)):
        return replace(p, kind="incident", severity=p.fallback_severity)
    return None


def _self_service_question(text: str, p: Proposal) -> Proposal | None:
    """Asking how to do something oneself ("有没有办法自己找回之前的版本"), with no fault and
    no "how do I fix it", is a how-to whatever severity the model guessed."""
    if p.kind != "incident" or p.severity == "urgent" or not (HOW_TO.search(text) and SELF_SERVICE.search(text)):
        return None
    if any(words.search(text) for words in (FAULT, CANNOT_WORK, FIX_QUESTION, SECURITY, SERVICE_ASK)):
        return None
    return replace(p, kind="howto", severity=None)


def _dissatisfaction_is_a_complaint(text: str, p: Proposal) -> Proposal | None:
    """Displeasure with a repair, a price or a delay, asking nothing, is a complaint
    ("修个打印机报价那么贵，修了两次还是卡纸"), not a how-to."""
    if p.kind == "howto" and DISSATISFIED.search(text) and not (HOW_TO.search(text) or QUESTION.search(text)):
        return replace(p, kind="complaint", severity=None)
    return None


def _malware_is_high(text: str, p: Proposal) -> Proposal | None:
    """Pop-up ads or a virus on a machine is "high" (spreading ones are urgent below)."""
    if p.kind == "incident" and p.severity == "normal" and MALWARE.search(text):
        return replace(p, severity="high")
    return None


def _how_question_without_fault(text: str, p: Proposal) -> Proposal | None:
    """Asking how to do something, with no fault and nothing asked of the engineers
    ("想把底稿定期备份到NAS上，有啥简单的办法"), is a how-to."""
    if p.kind != "incident" or p.severity != "normal" or not HOW_TO.search(text):
        return None
    if FAULT.search(text) or CANNOT_WORK.search(text) or SERVICE_ASK.search(text):
        return None
    if SLOW.search(text) and FIX_QUESTION.search(text):
        return None  # "越来越卡，该怎么弄好": a slow PC to be fixed is a (normal) fault
    return replace(p, kind="howto", severity=None)


def _service_task_asked(text: str, p: Proposal) -> Proposal | None:
    """A service task asked of the engineers (install, set up, prepare an account) is an
    incident; asking how to do it oneself stays a how-to."""
    if p.kind == "howto" and SERVICE_ASK.search(text) and not HOW_QUESTION.search(text):
        return replace(p, kind="incident", severity=p.fallback_severity)
    return None


def _purchase_needs_buying(text: str, p: Proposal) -> Proposal | None:
    """A "purchase" that names no buying, quote or recommendation but a fault or a
    service task (install, set up, swap in a spare monitor) is an incident."""
    if p.kind != "purchase" or BUYING.search(text):
        return None
    if any(words.search(text) for words in (SERVICE_WORK, FAULT, CANNOT_WORK, DAMAGE, SECURITY)):
        return replace(p, kind="incident", severity=p.fallback_severity)
    return None


def _status_asks_about_tickets(text: str, p: Proposal) -> Proposal | None:
    """A status query asks about tickets, their progress or the figures; a fault, damage
    or a task reported without a word about any of those ("the scanner glass at counter
    2 is cracked", "move the PC to room 305 next Tuesday please") is an incident."""
    if p.kind != "status" or STATUS_ASK.search(text):
        return None
    if any(words.search(text) for words in (FAULT, DAMAGE, SECURITY, SERVICE_ASK)):
        return replace(p, kind="incident", severity=p.fallback_severity)
    return None


def _buying_is_a_purchase(text: str, p: Proposal) -> Proposal | None:
    """A "normal" incident that asks for something to be bought or replaced with a new
    one ("用了八年卡得不行，能申请换台新的吗") is a purchase request: nothing is down."""
    if p.kind != "incident" or p.severity != "normal" or not BUY_REQUEST.search(text):
        return None
    not_buying = (FAULT, CANNOT_WORK, HOW_QUESTION, SERVICE_WORK, SERVICE_NEED)
    if any(words.search(text) for words in not_buying):
        return None
    return replace(p, kind="purchase", severity=None)


def _no_start(text: str, p: Proposal) -> Proposal | None:
    """ "Will not start": physical signs make it hardware, otherwise high."""
    if p.kind != "incident" or not NO_START.search(text):
        return None
    if PHYSICAL_SIGNS.search(NEGATED_SIGN.sub(" ", text)):
        return replace(p, severity="hardware") if p.severity in ("high", "normal") else None
    return replace(p, severity="high") if p.severity in ("hardware", "normal") else None


def _urgent_needs_many_or_shared(text: str, p: Proposal) -> Proposal | None:
    """Urgent means many people or a critical shared system stopped, or a security
    incident: a message that names none of these ("远程桌面连不上，活都干不了") is high."""
    if p.kind != "incident" or p.severity != "urgent":
        return None
    if any(words.search(text) for words in (SCOPE, SEVERAL, SHARED_SYSTEM, SHARED_SERVICE, SECURITY)):
        return None
    return replace(p, severity="high")


def _slow_is_not_down(text: str, p: Proposal) -> Proposal | None:
    """Slow is degraded, not stopped (the rubric's "normal"), for one person or for
    everyone: urgent and high need "cannot work", a fault or a security incident, and
    hardware needs a physical sign."""
    if p.kind != "incident" or p.severity == "normal" or not SLOW.search(text):
        return None
    if CANNOT_WORK.search(text) or SECURITY.search(text):
        return None
    if p.severity == "high" and (FAULT.search(text) or NO_START.search(text) or STOPPED.search(text)):
        return None
    if p.severity == "hardware" and (DAMAGE.search(text) or PHYSICAL_SIGNS.search(text) or NO_START.search(text)):
        return None
    return replace(p, severity="normal")


def _works_anyway_is_normal(text: str, p: Proposal) -> Proposal | None:
    """Said to work anyway ("annoying but PCs work fine", "不影响使用") is degraded, not
    stopped: normal, however many people see it, unless it is a security incident."""
    if p.kind != "incident" or p.severity not in ("urgent", "high") or not WORKS_ANYWAY.search(text):
        return None
    if SECURITY.search(text) or NO_START.search(text) or CANNOT_WORK.search(text):
        return None
    return replace(p, severity="normal")


def _service_task_is_normal(text: str, p: Proposal) -> Proposal | None:
    """A service task (a shared folder for the whole team, accounts for the new hires)
    is normal even for many people: urgent and high need something that has stopped."""
    if p.kind != "incident" or p.severity not in ("urgent", "high"):
        return None
    if not (SERVICE_ASK.search(text) or SERVICE_NEED.search(text)):
        return None
    blocking = (FAULT, CANNOT_WORK, SECURITY, NO_START, STOPPED, MALWARE, SHARED_SYSTEM)
    if any(words.search(text) for words in blocking):
        return None
    return replace(p, severity="normal")


def _physical_damage(text: str, p: Proposal) -> Proposal | None:
    """A part of one person's equipment visibly or audibly failed (cracked, swollen,
    wet, dropped, burning, a loud fan, a clicking disk): the repair process."""
    if p.kind != "incident" or p.severity not in ("normal", "high"):
        return None
    if not DAMAGE.search(NEGATED_SIGN.sub(" ", text)):
        return None
    return replace(p, severity="hardware")


def _cannot_work_is_high(text: str, p: Proposal) -> Proposal | None:
    """Someone who cannot log in, connect or open what they work with is blocked, not
    degraded: "normal" becomes "high" (unless it is a service task or merely slow)."""
    if p.kind != "incident" or p.severity != "normal" or not CANNOT_WORK.search(text):
        return None
    if SERVICE_ASK.search(text) or SLOW.search(text) or HOW_TO.search(text):
        return None
    return replace(p, severity="high")


def _scope_cannot_work(text: str, p: Proposal) -> Proposal | None:
    """Scope words with "cannot work" make it urgent; urgent beats hardware."""
    if p.kind != "incident" or p.severity == "urgent":
        return None
    if SCOPE.search(text) and CANNOT_WORK.search(text) and not OTHERS_FINE.search(text):
        return replace(p, severity="urgent")
    if p.severity == "hardware" and SHARED_SYSTEM.search(text) and CANNOT_WORK.search(text):
        return replace(p, severity="urgent")
    return None


def _security_incident(text: str, p: Proposal) -> Proposal | None:
    """Ransomware, intrusion or data being lost now is urgent, even on one machine."""
    if p.kind == "incident" and p.severity != "urgent" and SECURITY.search(text):
        return replace(p, severity="urgent")
    return None


def _server_room_emergency(text: str, p: Proposal) -> Proposal | None:
    """Smoke, fire, water, power or cooling failing in the server room is urgent: every
    system in it is at risk, though smoke alone reads as a hardware fault."""
    if p.kind == "incident" and p.severity != "urgent" and SERVER_ROOM_EMERGENCY.search(text):
        return replace(p, severity="urgent")
    return None


def _single_person_not_urgent(text: str, p: Proposal) -> Proposal | None:
    """One person's machine without scope, shared system or security words is high:
    urgent needs many people or a critical shared system."""
    if p.kind != "incident" or p.severity != "urgent" or not SINGLE_PERSON.search(text):
        return None
    if SCOPE.search(text) or SHARED_SYSTEM.search(text) or SECURITY.search(text):
        return None
    return replace(p, severity="high")


Rule = Callable[[str, Proposal], "Proposal | None"]

RULES: tuple[tuple[str, Rule], ...] = (
    ("fault_with_fix_question", _fault_with_fix_question),
    ("fault_without_question", _fault_without_question),
    ("fault_is_not_a_complaint", _fault_is_not_a_complaint),
    ("how_question_without_fault", _how_question_without_fault),
    ("self_service_question", _self_service_question),
    ("dissatisfaction_is_a_complaint", _dissatisfaction_is_a_complaint),
    ("service_task_asked", _service_task_asked),
    ("purchase_needs_buying", _purchase_needs_buying),
    ("status_asks_about_tickets", _status_asks_about_tickets),
    ("buying_is_a_purchase", _buying_is_a_purchase),
    ("no_start_physical_signs", _no_start),
    ("single_person_not_urgent", _single_person_not_urgent),
    ("urgent_needs_many_or_shared", _urgent_needs_many_or_shared),
    ("slow_is_not_down", _slow_is_not_down),
    ("malware_is_high", _malware_is_high),
    ("works_anyway_is_normal", _works_anyway_is_normal),
    ("service_task_is_normal", _service_task_is_normal),
    ("physical_damage", _physical_damage),
    ("cannot_work_is_high", _cannot_work_is_high),
    ("scope_cannot_work", _scope_cannot_work),
    ("security_incident", _security_incident),
    ("server_room_emergency", _server_room_emergency),
)
"""The rules in the order they apply; each name is what ``Triage.rule`` records."""


def apply_rules(text: str, proposal: Proposal) -> tuple[Proposal, str | None]:
    """Apply every rule in order; return the result and the name of the last rule that
    changed it (None when the model's answer stands)."""
    fired: str | None = None
    for name, rule in RULES:
        changed = rule(text, proposal)
        if changed is not None and changed != proposal:
            proposal, fired = changed, name
    return proposal, fired
