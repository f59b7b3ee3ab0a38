"""The rubric's rules and the parse-to-triage mapping, on hand-made parses (pure code).

These check the contract's decisions themselves; the model's own quality is checked
against the real Rasa server in test_model_quality.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nlu.client import IntentScore, ParseResult
from nlu.evaluation import read_tsv
from nlu.rules import Proposal, apply_rules, neutral_text, plain_mandarin, severity_text
from nlu.triage import KIND_FLOOR, KIND_MARGIN, split_intent, triage, triage_from_parse


def parse(text: str, *scores: tuple[str, float]) -> ParseResult:
    ranking = tuple(IntentScore(name, conf) for name, conf in scores)
    return ParseResult(text=text, intent=ranking[0], ranking=ranking)


@pytest.mark.parametrize(
    "text",
    ["三楼整层都断网了，大家都没法工作", "财务部整个部门都登不上ERP", "whole office is down, nobody can work"],
)
def test_scope_words_with_cannot_work_make_an_incident_urgent(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_high", 0.7), ("incident_urgent", 0.2)))
    assert (result.kind, result.severity, result.rule) == ("incident", "urgent", "scope_cannot_work")


def test_scope_words_without_cannot_work_leave_the_severity() -> None:
    result = triage_from_parse(parse("大家的电脑都有点慢", ("incident_normal", 0.8)))
    assert (result.severity, result.rule) == ("normal", None)


@pytest.mark.parametrize(
    "text",
    [
        "笔记本摔了一下，开不了机了",
        "电脑开不了机，有股焦味",
        "主机按电源键一点反应都没有",
        "咖啡洒到键盘上，现在开不了机",
    ],
)
def test_will_not_start_with_physical_signs_is_hardware(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_high", 0.9), ("incident_hardware", 0.05)))
    assert (result.severity, result.rule) == ("hardware", "no_start_physical_signs")


def test_will_not_start_without_physical_signs_is_high() -> None:
    result = triage_from_parse(
        parse("电脑开不了机了，一直在自动修复", ("incident_hardware", 0.6), ("incident_high", 0.3))
    )
    assert (result.severity, result.rule) == ("high", "no_start_physical_signs")


def test_urgent_beats_hardware_for_a_shared_system() -> None:
    result = triage_from_parse(
        parse("核心交换机坏了，四楼全断网", ("incident_hardware", 0.6), ("incident_urgent", 0.3))
    )
    assert (result.severity, result.rule) == ("urgent", "scope_cannot_work")


def test_urgent_beats_hardware_even_with_physical_signs() -> None:
    result = triage_from_parse(
        parse("机房服务器冒烟了，大家都连不上系统", ("incident_urgent", 0.5), ("incident_hardware", 0.4))
    )
    assert (result.severity, result.rule) == ("urgent", None)


@pytest.mark.parametrize("text", ["电脑蓝屏了怎么办", "outlook打不开怎么解决", "VPN连不上了，怎么弄"])
def test_a_fault_with_how_do_i_fix_it_is_an_incident(text: str) -> None:
    result = triage_from_parse(parse(text, ("howto_vpn-connect", 0.6), ("incident_high", 0.3)))
    assert (result.kind, result.severity, result.article) == ("incident", "high", None)
    assert result.rule == "fault_with_fix_question"


def test_a_self_service_question_about_a_paper_jam_stays_a_howto() -> None:
    result = triage_from_parse(parse("打印机卡纸了怎么办", ("howto_printer-jam", 0.8), ("incident_hardware", 0.1)))
    assert (result.kind, result.article, result.rule) == ("howto", "printer-jam", None)


@pytest.mark.parametrize(
    "text",
    ["下周有新同事入职，帮忙提前开个邮箱账号", "麻烦给我装一下Visio", "could you set up the printer for the new guy"],
)
def test_a_service_task_asked_of_the_engineers_is_an_incident(text: str) -> None:
    result = triage_from_parse(
        parse(text, ("howto_new-staff-account", 0.6), ("incident_normal", 0.3), ("incident_high", 0.1))
    )
    assert (result.kind, result.severity, result.rule) == ("incident", "normal", "service_task_asked")


@pytest.mark.parametrize(
    "text", ["帮忙问下新同事的邮箱怎么开通", "麻烦发一下VPN的教程", "can you show me how to add a printer"]
)
def test_asking_how_to_do_a_service_task_oneself_stays_a_howto(text: str) -> None:
    result = triage_from_parse(parse(text, ("howto_new-staff-account", 0.6), ("incident_normal", 0.3)))
    assert (result.kind, result.rule) == ("howto", None)


@pytest.mark.parametrize("text", ["整个部门的电脑今天都特别慢", "the whole office wifi is really slow today"])
def test_slow_for_everyone_is_degraded_not_urgent(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_urgent", 0.7), ("incident_normal", 0.3)))
    assert (result.severity, result.rule) == ("normal", "slow_is_not_down")


def test_slow_until_it_stops_work_stays_urgent() -> None:
    result = triage_from_parse(parse("全公司网络慢得什么都打不开了", ("incident_urgent", 0.7)))
    assert (result.severity, result.rule) == ("urgent", None)


@pytest.mark.parametrize("text", ["电脑开不了机，里面嘀嘀嘀一直响", "开机硬盘嗒嗒地响，然后就进不去系统"])
def test_will_not_start_with_a_noise_is_hardware(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_high", 0.9), ("incident_hardware", 0.1)))
    assert (result.severity, result.rule) == ("hardware", "no_start_physical_signs")


@pytest.mark.parametrize(
    "text", ["杀毒软件一直报毒，已经传染到市场部五六台电脑了", "the virus is spreading to other PCs"]
)
def test_a_virus_spreading_to_several_machines_is_urgent(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_high", 0.9), ("incident_urgent", 0.1)))
    assert (result.severity, result.rule) == ("urgent", "security_incident")


def test_a_virus_on_one_machine_stays_high() -> None:
    result = triage_from_parse(parse("我电脑报毒了，一直弹窗", ("incident_high", 0.9)))
    assert (result.severity, result.rule) == ("high", None)


@pytest.mark.parametrize(
    "text",
    [
        "仓库那台闲置的大显示器能帮我换上吗",
        "帮我把新买的打印机连到电脑上",
        "Can someone come set up the new scanner for our team?",
    ],
)
def test_a_purchase_that_buys_nothing_but_asks_for_work_is_an_incident(text: str) -> None:
    result = triage_from_parse(parse(text, ("purchase", 0.7), ("incident_normal", 0.2), ("incident_high", 0.1)))
    assert (result.kind, result.severity, result.rule) == ("incident", "normal", "purchase_needs_buying")


@pytest.mark.parametrize("text", ["帮我买个2T的移动硬盘", "想换台新电脑，装设计软件用", "please order a dock for me"])
def test_a_purchase_that_names_buying_stays_a_purchase(text: str) -> None:
    result = triage_from_parse(parse(text, ("purchase", 0.7), ("incident_normal", 0.3)))
    assert (result.kind, result.rule) == ("purchase", None)


def test_a_physical_sign_said_to_be_absent_does_not_make_it_hardware() -> None:
    text = "电脑开不了机，一直卡在请稍候，也没有什么异响"
    result = triage_from_parse(parse(text, ("incident_hardware", 0.6), ("incident_high", 0.4)))
    assert (result.severity, result.rule) == ("high", "no_start_physical_signs")


@pytest.mark.parametrize(
    "text",
    ["我这台电脑用了七八年了，能不能申请换台新的", "想买个2T的移动硬盘放资料", "仓库要一台标签打印机，帮忙代购一下"],
)
def test_a_normal_incident_that_asks_to_buy_is_a_purchase(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_normal", 0.7), ("purchase", 0.3)))
    assert (result.kind, result.severity, result.rule) == ("purchase", None, "buying_is_a_purchase")


@pytest.mark.parametrize(
    "text", ["申请开通ERP的采购模块权限", "帮忙备份一下资料，要换新电脑了", "打印机坏了，能买个新硒鼓吗"]
)
def test_a_service_task_or_fault_that_mentions_buying_stays_an_incident(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_normal", 0.7), ("purchase", 0.3)))
    assert (result.kind, result.rule) == ("incident", None)


def test_a_fault_with_a_fix_question_is_an_incident_even_when_it_sounds_like_a_complaint() -> None:
    text = "WPS一点保存就崩溃，怎么办啊"
    result = triage_from_parse(parse(text, ("complaint", 0.6), ("incident_high", 0.3), ("incident_normal", 0.1)))
    assert (result.kind, result.severity, result.rule) == ("incident", "high", "fault_with_fix_question")


def test_several_infected_machines_are_a_security_incident() -> None:
    text = "杀毒软件一直报病毒，已经好几台电脑中招了"
    result = triage_from_parse(parse(text, ("incident_high", 0.9), ("incident_urgent", 0.1)))
    assert (result.severity, result.rule) == ("urgent", "security_incident")


@pytest.mark.parametrize(
    "text", ["my PC takes about 5 minutes to boot every morning", "电脑开机要好几分钟，打开Excel也慢"]
)
def test_slow_for_one_person_is_normal_not_high(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_high", 0.7), ("incident_normal", 0.3)))
    assert (result.severity, result.rule) == ("normal", "slow_is_not_down")


def test_slow_and_frozen_stays_high() -> None:
    result = triage_from_parse(parse("电脑很慢，Excel一打开就卡死", ("incident_high", 0.7)))
    assert (result.severity, result.rule) == ("high", None)


@pytest.mark.parametrize(
    "text",
    [
        "The fan in my PC is super loud, sounds like a jet engine",
        "笔记本电池鼓包了，触摸板都顶起来了",
        "手机摔了一下屏幕裂了，企业微信还能用",
        "昨晚窗没关，电脑被雨淋了",
    ],
)
def test_physical_damage_to_one_device_is_hardware(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_normal", 0.6), ("incident_high", 0.4)))
    assert (result.severity, result.rule) == ("hardware", "physical_damage")


def test_a_fan_said_to_sound_normal_is_no_damage() -> None:
    text = "电脑风扇声音正常，就是有点发热，帮忙清一下灰"
    assert triage_from_parse(parse(text, ("incident_normal", 0.9))).rule is None


@pytest.mark.parametrize("text", ["在家办公，远程桌面连不上公司电脑了，活都干不了", "我的打印机用不了，急死了"])
def test_urgent_needs_many_people_or_a_shared_system(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_urgent", 0.7), ("incident_high", 0.3)))
    assert (result.severity, result.rule) == ("high", "urgent_needs_many_or_shared")


@pytest.mark.parametrize(
    "text",
    ["金蝶挂了", "NAS访问不了了", "好几台电脑同时蓝屏了", "文件后缀都变成.locked了", "2楼全断了 有线无线都上不去"],
)
def test_many_machines_a_shared_system_or_ransomware_keep_urgent(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_urgent", 0.7), ("incident_high", 0.3)))
    assert result.severity == "urgent"


@pytest.mark.parametrize(
    "text",
    ["My laptop is stuck on the Windows logo after the update", "电脑一直卡在开机logo那里进不去"],
)
def test_stuck_at_the_boot_logo_is_will_not_start(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_hardware", 0.6), ("incident_high", 0.4)))
    assert (result.severity, result.rule) == ("high", "no_start_physical_signs")


def test_whole_team_that_cannot_get_into_a_system_is_urgent() -> None:
    text = "Whole finance team can't get into the ERP, it just spins"
    result = triage_from_parse(parse(text, ("incident_high", 0.7), ("incident_urgent", 0.3)))
    assert (result.severity, result.rule) == ("urgent", "scope_cannot_work")


@pytest.mark.parametrize("text", ["合伙人手机上收不到公司邮件了 今晚就要弄好", "打开共享盘提示拒绝访问 昨天还好好的"])
def test_a_fault_reported_without_a_question_is_an_incident(text: str) -> None:
    result = triage_from_parse(parse(text, ("howto_email-mobile-setup", 0.6), ("incident_high", 0.4)))
    assert (result.kind, result.severity, result.rule) == ("incident", "high", "fault_without_question")


def test_a_fault_asked_about_stays_a_howto() -> None:
    result = triage_from_parse(parse("周末电脑坏了找谁", ("howto_after-hours-help", 0.8), ("incident_high", 0.2)))
    assert (result.kind, result.rule) == ("howto", None)


def test_a_fault_without_a_word_about_the_service_is_not_a_complaint() -> None:
    text = "电脑右下角一直弹广告 还多了个什么清理大师"
    result = triage_from_parse(parse(text, ("complaint", 0.5), ("incident_normal", 0.3), ("incident_high", 0.2)))
    assert (result.kind, result.severity) == ("incident", "high")


def test_everyone_kicked_off_the_vpn_is_an_outage_not_a_complaint() -> None:
    text = "everyone on the audit team got kicked off the VPN and none of us can reconnect"
    result = triage_from_parse(parse(text, ("complaint", 0.6), ("incident_high", 0.4)))
    assert (result.kind, result.severity, result.rule) == ("incident", "urgent", "scope_cannot_work")


@pytest.mark.parametrize(
    "text", ["刚修回来的笔记本用了两天又蓝屏了，这维修质量也太差了", "工程师说好下午来，结果电脑还是打不开"]
)
def test_a_fault_with_displeasure_at_the_service_stays_a_complaint(text: str) -> None:
    result = triage_from_parse(parse(text, ("complaint", 0.65), ("incident_high", 0.35)))
    assert (result.kind, result.rule) == ("complaint", None)


def test_displeasure_asking_nothing_is_a_complaint_not_a_howto() -> None:
    text = "修个打印机报价那么贵 修了两次还是卡纸"
    result = triage_from_parse(parse(text, ("howto_printer-jam", 0.7), ("complaint", 0.3)))
    assert (result.kind, result.rule) == ("complaint", "dissatisfaction_is_a_complaint")


def test_asking_how_to_do_something_without_a_fault_is_a_howto() -> None:
    text = "我想把底稿定期备份到NAS上 有啥简单的办法"
    result = triage_from_parse(parse(text, ("incident_normal", 0.6), ("howto_backup-files", 0.4)))
    assert (result.kind, result.article, result.rule) == ("howto", "backup-files", "how_question_without_fault")


def test_cantonese_is_read_as_mandarin_and_thanks_stays_thanks() -> None:
    assert plain_mandarin("总经理电脑登唔到企业微信同邮箱") == "总经理电脑登不到企业微信同邮箱"
    assert plain_mandarin("按开机键完全冇反应，一粒灯都唔着") == "按开机键完全没反应，一粒灯都不着"
    assert plain_mandarin("唔该晒") == "谢谢晒"
    assert plain_mandarin("电脑蓝屏了") == "电脑蓝屏了"


def test_traditional_characters_are_simplified_and_their_cantonese_read_as_mandarin() -> None:
    assert plain_mandarin("點樣改開機密碼呀") == "怎么改开机密码呀"
    assert plain_mandarin("我哋部機壞咗，嗰個師傅幾時嚟") == "我们部机坏了，那个师傅什么时候来"
    # 係 is "is", never the 系 of 系统 that a plain simplification would make of it
    assert plain_mandarin("係咪系統壞咗") == "是不是系统坏了"
    assert plain_mandarin("琴日報嘅單，而家邊度睇") == "昨天报的单，现在哪里看"


def test_mandarin_and_english_are_left_as_they_are() -> None:
    for text in ("旁边的电脑整理一下桌面", "Outlook keeps asking for my password", "打印机 HP M404 卡纸了"):
        assert plain_mandarin(text) == text


async def test_triage_parses_cantonese_as_mandarin() -> None:
    seen: list[str] = []

    class Recording:
        async def parse(self, text: str) -> ParseResult:
            seen.append(text)
            return parse(text, ("incident_high", 0.9))

    result = await triage(Recording(), "部电脑开唔到机")
    assert seen[0] == "部电脑开不到机"
    assert result.kind == "incident"


def test_a_hijacked_mailbox_sending_scam_mail_is_urgent() -> None:
    text = "财务同事中了钓鱼邮件，邮箱现在不停向客户发诈骗邮件"
    result = triage_from_parse(parse(text, ("incident_high", 0.8), ("incident_urgent", 0.2)))
    assert (result.severity, result.rule) == ("urgent", "security_incident")


def test_a_slow_system_without_a_physical_sign_is_not_hardware() -> None:
    text = "TMS is a bit sluggish for all of us this morning, pages take ages"
    result = triage_from_parse(parse(text, ("incident_hardware", 0.6), ("incident_normal", 0.4)))
    assert (result.severity, result.rule) == ("normal", "slow_is_not_down")


def test_request_after_a_comma_is_a_service_task() -> None:
    text = "下周一有3个新同事入职，麻烦提前开好电脑和邮箱账号"
    result = triage_from_parse(parse(text, ("howto_new-staff-account", 0.7), ("incident_normal", 0.3)))
    assert (result.kind, result.rule) == ("incident", "service_task_asked")


def test_a_projector_that_will_not_project_is_a_high_incident_not_a_purchase() -> None:
    result = triage_from_parse(parse("会议室投影投不上了", ("purchase", 0.7), ("incident_normal", 0.3)))
    assert (result.kind, result.severity, result.rule) == ("incident", "high", "cannot_work_is_high")


@pytest.mark.parametrize("text", ["总经理电脑登不到企业微信同邮箱", "my VPN can't connect since this morning"])
def test_one_person_who_cannot_work_is_high_not_normal(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_normal", 0.7), ("incident_high", 0.3)))
    assert (result.severity, result.rule) == ("high", "cannot_work_is_high")


def test_a_service_task_or_slowness_that_mentions_cannot_stays_normal() -> None:
    for text in ("打印机连不上，麻烦帮我装一下驱动", "网页打不开得慢慢等，很慢"):
        assert triage_from_parse(parse(text, ("incident_normal", 0.9))).severity == "normal"


def test_a_scope_word_about_the_others_being_fine_is_not_scope() -> None:
    text = "我这个位置没网，旁边同事全部正常"
    result = triage_from_parse(parse(text, ("incident_high", 0.9)))
    assert (result.severity, result.rule) == ("high", None)


def test_time_and_rank_words_are_removed_for_the_severity() -> None:
    assert neutral_text("老板的电脑有点慢，急！！") == "电脑有点慢"
    assert neutral_text("周末晚上帮我装个Visio ASAP") == "帮我装个Visio"
    assert neutral_text("Laptop boots slowly. Not urgent") == "Laptop boots slowly"
    assert neutral_text("不急，有空帮我清一下灰") == "有空帮我清一下灰"
    assert neutral_text("Outlook search misses old mail, no rush") == "Outlook search misses old mail"


def test_severity_comes_from_the_parse_without_time_and_rank_words() -> None:
    text = "领导要的，急！电脑有点慢"
    result = triage_from_parse(
        parse(text, ("incident_high", 0.7), ("incident_normal", 0.3)),
        severity_parse=parse(neutral_text(text), ("incident_normal", 0.8), ("incident_high", 0.2)),
    )
    assert (result.kind, result.severity, result.rule) == ("incident", "normal", "severity_from_plain_text")


def test_the_plain_text_can_take_inflation_out_but_never_raise_the_severity() -> None:
    text = "周末显示器有条竖线"
    result = triage_from_parse(
        parse(text, ("incident_normal", 0.7), ("incident_high", 0.3)),
        severity_parse=parse(neutral_text(text), ("incident_high", 0.6), ("incident_normal", 0.4)),
    )
    assert (result.severity, result.rule) == ("normal", None)


def test_rules_are_named_and_leave_other_kinds_alone() -> None:
    unchanged = Proposal("status", None, "normal")
    assert apply_rules("整层都断网了的那个单子修好了吗", unchanged) == (unchanged, None)


def test_low_kind_confidence_asks_instead_of_guessing() -> None:
    result = triage_from_parse(parse("那个东西", ("status", KIND_FLOOR - 0.1), ("complaint", 0.2)))
    assert (result.kind, result.needs_clarification) == ("unknown", True)


def test_two_kinds_close_together_ask_and_name_both() -> None:
    close = triage_from_parse(parse("换回来的电脑资料全没了", ("complaint", 0.5), ("incident_normal", 0.4)))
    assert (close.kind, close.needs_clarification, close.kinds) == ("unknown", True, ("complaint", "incident"))
    apart = triage_from_parse(
        parse("换回来的电脑资料全没了", ("complaint", 0.5 + KIND_MARGIN), ("incident_normal", 0.3))
    )
    assert (apart.kind, apart.needs_clarification) == ("complaint", False)


def test_a_kind_the_rubric_decides_is_not_asked_about_however_close_the_model_was() -> None:
    result = triage_from_parse(parse("电脑蓝屏了怎么办", ("howto_restore-files", 0.5), ("incident_high", 0.45)))
    assert (result.kind, result.needs_clarification) == ("incident", False)


def test_rasa_fallback_asks_instead_of_guessing() -> None:
    p = ParseResult("嗯", IntentScore("nlu_fallback", 0.3), (IntentScore("chitchat", 0.9),))
    assert triage_from_parse(p).needs_clarification


def test_a_sure_howto_split_between_articles_is_not_unknown() -> None:
    result = triage_from_parse(
        parse("打印机怎么弄", ("howto_printer-add", 0.3), ("howto_printer-settings", 0.25), ("howto_printer-jam", 0.2))
    )
    assert (result.kind, result.article, result.needs_clarification) == ("howto", "printer-add", False)
    assert result.candidates == ("printer-add", "printer-settings", "printer-jam")
    assert result.confidence == pytest.approx(0.3)


@pytest.mark.parametrize("text", ["明天会下雨吗", "电脑"])
def test_out_of_scope_is_unknown_and_asks(text: str) -> None:
    result = triage_from_parse(parse(text, ("out_of_scope", 0.9), ("chitchat", 0.05)))
    assert (result.kind, result.severity, result.article, result.needs_clarification) == ("unknown", None, None, True)


def test_a_fault_with_a_fix_question_is_an_incident_even_when_the_model_is_unsure() -> None:
    text = "电脑蓝屏了怎么办"
    result = triage_from_parse(
        parse(text, ("howto_disk-cleanup", 0.2), ("howto_screenshot", 0.1), ("incident_high", 0.1)),
        severity_parse=parse(severity_text(text), ("incident_high", 0.9)),
    )
    assert (result.kind, result.severity, result.needs_clarification) == ("incident", "high", False)


def test_severity_text_drops_the_fix_question_and_urgency() -> None:
    assert severity_text("电脑蓝屏了怎么办？急！") == "电脑蓝屏了"


def test_a_fault_with_a_fix_question_takes_the_severity_of_the_fault() -> None:
    text = "电脑蓝屏了怎么办"
    result = triage_from_parse(
        parse(text, ("howto_virus-scan", 0.5), ("incident_hardware", 0.1), ("incident_high", 0.05)),
        severity_parse=parse(severity_text(text), ("incident_high", 0.9), ("incident_hardware", 0.05)),
    )
    assert (result.kind, result.severity, result.rule) == ("incident", "high", "fault_with_fix_question")
    assert result.confidence == pytest.approx(0.95)


def test_kind_hint_decides_the_kind_and_the_model_the_severity() -> None:
    p = parse("那个东西不行了", ("status", 0.3), ("incident_hardware", 0.2), ("howto_printer-add", 0.1))
    incident = triage_from_parse(p, kind_hint="incident")
    assert (incident.kind, incident.severity, incident.needs_clarification) == ("incident", "hardware", False)
    hinted = triage_from_parse(p, kind_hint="howto")
    assert (hinted.kind, hinted.article, hinted.needs_clarification) == ("howto", "printer-add", False)


def test_kind_hint_incident_with_no_incident_score_defaults_to_normal() -> None:
    result = triage_from_parse(parse("那个", ("status", 0.9)), kind_hint="incident")
    assert (result.kind, result.severity) == ("incident", "normal")


@pytest.mark.parametrize(
    "text",
    [
        "我电脑中了勒索病毒，文件都被加密了",
        "服务器好像被黑客入侵了",
        "ransomware on my laptop",
        "有台电脑的病毒在往别的电脑传染",
        "a virus is spreading from one PC to the others",
    ],
)
def test_a_security_incident_is_urgent_even_on_one_machine(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_high", 0.8), ("incident_urgent", 0.1)))
    assert (result.severity, result.rule) == ("urgent", "security_incident")


def test_one_persons_machine_is_not_urgent() -> None:
    result = triage_from_parse(parse("就我这台电脑没网，别人都正常", ("incident_urgent", 0.6), ("incident_high", 0.3)))
    assert (result.severity, result.rule) == ("high", "single_person_not_urgent")


def test_one_person_reporting_a_shared_outage_stays_urgent() -> None:
    result = triage_from_parse(parse("我电脑连不上，大家都连不上服务器了", ("incident_urgent", 0.9)))
    assert (result.severity, result.rule) == ("urgent", None)


@pytest.mark.parametrize(
    "text",
    [
        "主机开不了机 没冒烟也没焦味 电源灯亮着",
        "开不了机，莫得响声，灯也是亮的",
        "desktop won't boot, no noise or smell, fans spin",
    ],
)
def test_signs_said_to_be_absent_in_any_wording_leave_will_not_start_high(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_hardware", 0.6), ("incident_high", 0.3)))
    assert (result.severity, result.rule) == ("high", "no_start_physical_signs")


def test_a_breaker_that_trips_when_plugged_in_is_hardware() -> None:
    result = triage_from_parse(
        parse("打印机一插电就跳闸，开不了机", ("incident_high", 0.8), ("incident_hardware", 0.1))
    )
    assert (result.severity, result.rule) == ("hardware", "no_start_physical_signs")


def test_a_clicking_noise_before_a_blue_screen_is_hardware() -> None:
    result = triage_from_parse(
        parse("开机就咔哒咔哒地响，然后蓝屏", ("incident_high", 0.8), ("incident_hardware", 0.1))
    )
    assert (result.severity, result.rule) == ("hardware", "physical_damage")


@pytest.mark.parametrize("text", ["教务系统全校都登不上了", "全院的HIS都进不去，挂号停了", "全行柜面系统用不了"])
def test_a_whole_school_hospital_or_bank_is_scope(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_high", 0.8), ("incident_urgent", 0.1)))
    assert (result.severity, result.rule) == ("urgent", "scope_cannot_work")


def test_nobody_in_the_company_able_to_connect_is_urgent() -> None:
    text = "Nobody in the office can get on the VPN, all the sales team are stuck"
    result = triage_from_parse(parse(text, ("incident_high", 0.8), ("incident_urgent", 0.1)))
    assert (result.severity, result.rule) == ("urgent", "scope_cannot_work")


@pytest.mark.parametrize(
    "text",
    [
        "库里的数据正在一条条没掉",
        "服务器在丢文件，刷新一次少一批",
        "好多台机器都中了同一个蠕虫",
        "弹窗一台传一台，停不下来",
    ],
)
def test_data_disappearing_now_or_a_worm_going_machine_to_machine_is_urgent(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_high", 0.8), ("incident_urgent", 0.1)))
    assert (result.severity, result.rule) == ("urgent", "security_incident")


@pytest.mark.parametrize("text", ["my laptop blue screens every hour since the update", "我这台电脑的账号被锁了"])
def test_a_blue_screen_or_a_locked_account_for_one_person_is_high(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_normal", 0.8), ("incident_high", 0.1)))
    assert (result.severity, result.rule) == ("high", "cannot_work_is_high")


@pytest.mark.parametrize("text", ["新人周一来 先把邮箱和飞书开好", "下周有实习生，提前给他建个OA账号"])
def test_an_account_prepared_ahead_of_time_is_a_service_task(text: str) -> None:
    result = triage_from_parse(parse(text, ("howto_new-staff-account", 0.7), ("incident_normal", 0.2)))
    assert (result.kind, result.severity, result.rule) == ("incident", "normal", "service_task_asked")


@pytest.mark.parametrize(
    "text", ["the glass on the scanner at desk 4 is cracked", "move the label printer to the warehouse office please"]
)
def test_a_status_guess_that_asks_about_no_ticket_but_reports_work_is_an_incident(text: str) -> None:
    result = triage_from_parse(parse(text, ("status", 0.6), ("incident_normal", 0.3)))
    # the cracked glass then goes on to the repair process (physical_damage)
    assert (result.kind, result.severity) == ("incident", "hardware" if "cracked" in text else "normal")


@pytest.mark.parametrize("text", ["上周报修的那台打印机，单子处理得怎么样了", "屏幕裂了送修的那个单，结了没"])
def test_a_status_question_about_a_repair_ticket_stays_status(text: str) -> None:
    result = triage_from_parse(parse(text, ("status", 0.8), ("incident_hardware", 0.1)))
    assert (result.kind, result.rule) == ("status", None)


@pytest.mark.parametrize("text", ["报表模板想加一列审核人", "need the front desk PC upgraded to office 2021"])
def test_a_purchase_guess_that_asks_to_change_or_upgrade_is_an_incident(text: str) -> None:
    result = triage_from_parse(parse(text, ("purchase", 0.6), ("incident_normal", 0.3)))
    assert (result.kind, result.rule) == ("incident", "purchase_needs_buying")


@pytest.mark.parametrize("text", ["坐席的软电话一直注册失败，接不了电话", "耳机一边没声音了，线也破了"])
def test_a_fault_from_the_call_centre_is_not_a_complaint(text: str) -> None:
    result = triage_from_parse(parse(text, ("complaint", 0.7), ("incident_high", 0.2)))
    # the frayed cable then goes on to the repair process (physical_damage)
    assert (result.kind, result.severity) == ("incident", "hardware" if "破" in text else "high")


def test_not_being_told_is_no_fault() -> None:
    result = triage_from_parse(parse("修完了也不通知一声，白等一上午", ("complaint", 0.8), ("incident_high", 0.1)))
    assert (result.kind, result.rule) == ("complaint", None)


def test_asking_for_a_good_method_without_a_fault_is_a_howto() -> None:
    text = "想把电脑里的文件定期备份到移动硬盘，有什么好方法"
    result = triage_from_parse(parse(text, ("incident_normal", 0.6), ("howto_backup-files", 0.3)))
    assert (result.kind, result.article, result.rule) == ("howto", "backup-files", "how_question_without_fault")


def test_every_sign_in_a_negated_list_is_negated_but_a_later_one_is_not() -> None:
    absent = triage_from_parse(
        parse("起不来，没有摔没有进水也没怪味", ("incident_hardware", 0.6), ("incident_high", 0.3))
    )
    present = triage_from_parse(parse("开不了机，没有声音，冒烟了", ("incident_high", 0.6), ("incident_hardware", 0.3)))
    assert (absent.severity, present.severity) == ("high", "hardware")


@pytest.mark.parametrize(
    "text",
    ["鼠标右键点一下变成双击", "the paper cutter on the label printer is broken", "HDD keeps going click click"],
)
def test_a_broken_part_or_a_clicking_drive_is_hardware(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_normal", 0.8), ("incident_hardware", 0.1)))
    assert (result.severity, result.rule) == ("hardware", "physical_damage")


def test_no_permission_to_a_share_that_worked_yesterday_is_high() -> None:
    result = triage_from_parse(parse("打开S盘提示没有权限，昨天还好好的", ("incident_normal", 0.8)))
    assert (result.severity, result.rule) == ("high", "cannot_work_is_high")


def test_the_same_trojan_on_many_pcs_is_urgent() -> None:
    text = "the console shows the same trojan on 12 PCs and counting"
    result = triage_from_parse(parse(text, ("incident_high", 0.8), ("incident_urgent", 0.1)))
    assert (result.severity, result.rule) == ("urgent", "security_incident")


@pytest.mark.parametrize(
    "text", ["大家都一直弹更新提示，烦，但不影响使用", "annoying banner on every PC but they still work fine"]
)
def test_something_said_to_work_anyway_is_normal(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_high", 0.8), ("incident_normal", 0.1)))
    assert (result.severity, result.rule) == ("normal", "works_anyway_is_normal")


def test_others_who_can_still_use_it_do_not_make_it_work_anyway() -> None:
    result = triage_from_parse(parse("加密狗读不到，只有我这台，同事他们也能用", ("incident_high", 0.8)))
    assert (result.severity, result.rule) == ("high", None)


@pytest.mark.parametrize(
    "text", ["the whole team needs a shared folder for the new bridge project", "全部门需要新建个共享文件夹，急"]
)
def test_a_service_task_for_many_people_is_normal(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_urgent", 0.7), ("incident_normal", 0.2)))
    assert (result.severity, result.rule) == ("normal", "service_task_is_normal")


def test_a_service_ask_about_something_that_stopped_stays_urgent() -> None:
    result = triage_from_parse(parse("帮忙看看，全公司都上不了网", ("incident_urgent", 0.9)))
    assert (result.severity, result.rule) == ("urgent", None)


@pytest.mark.parametrize("text", ["机房里面冒烟了，一股焦味", "server room air con stopped and it's getting too hot"])
def test_smoke_or_failed_cooling_in_the_server_room_is_urgent(text: str) -> None:
    result = triage_from_parse(parse(text, ("incident_hardware", 0.8), ("incident_urgent", 0.1)))
    assert (result.severity, result.rule) == ("urgent", "server_room_emergency")


def test_a_sign_negated_with_sha_is_no_sign() -> None:
    text = "开机一直转圈进不去系统，灯是亮的，没啥异响"
    result = triage_from_parse(parse(text, ("incident_hardware", 0.6), ("incident_high", 0.3)))
    assert (result.severity, result.rule) == ("high", "no_start_physical_signs")


def test_someone_sending_mail_from_my_mailbox_is_urgent() -> None:
    text = "有人用我的邮箱在往外发邮件，我根本没发过"
    result = triage_from_parse(parse(text, ("incident_high", 0.8), ("incident_urgent", 0.1)))
    assert (result.severity, result.rule) == ("urgent", "security_incident")


def test_a_shared_copier_that_stops_all_printing_is_urgent() -> None:
    text = "大复印机坏了有焦味，全部门的标书都印不出来"
    result = triage_from_parse(parse(text, ("incident_hardware", 0.8), ("incident_urgent", 0.1)))
    assert (result.severity, result.rule) == ("urgent", "scope_cannot_work")


def test_two_or_three_people_are_a_few_not_many() -> None:
    result = triage_from_parse(parse("我们两个人都登不上CAD许可", ("incident_urgent", 0.7), ("incident_high", 0.2)))
    assert (result.severity, result.rule) == ("high", "urgent_needs_many_or_shared")


def test_asking_how_to_do_it_oneself_is_a_howto_whatever_the_severity() -> None:
    text = "表格被覆盖保存了，有没有办法自己找回之前的版本"
    result = triage_from_parse(
        parse(text, ("howto_restore-files", 0.4), ("incident_high", 0.3), ("incident_normal", 0.2))
    )
    assert (result.kind, result.article, result.rule) == ("howto", "restore-files", "self_service_question")


def test_a_fault_with_how_do_i_fix_it_myself_stays_an_incident() -> None:
    text = "电脑蓝屏了，我自己怎么修"
    result = triage_from_parse(parse(text, ("incident_high", 0.6), ("howto_windows-update", 0.3)))
    assert (result.kind, result.severity) == ("incident", "high")


def _labelled_examples() -> list[tuple[str, str, str | None]]:
    import yaml

    root = Path(__file__).resolve().parents[2]
    rows: list[tuple[str, str, str | None]] = []
    for path in sorted((root / "nlu" / "data").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if "intent" not in block:  # lookup tables, regexes, synonyms
                continue
            kind, severity, _ = split_intent(block["intent"])
            rows += [
                (re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line.strip()[2:]), kind, severity)
                for line in block["examples"].splitlines()
                if line.strip()
            ]
    for row in read_tsv(root / "tests" / "data" / "triage_dev.tsv"):
        if len(row.labels) <= 1 or row.kind == "howto":
            rows.append((row.text, row.kind, next(iter(row.labels)) if row.kind == "incident" else None))
    return rows


def test_no_rule_contradicts_a_labelled_example() -> None:
    rows = _labelled_examples()
    assert len(rows) > 700
    contradicted = [
        (text, kind, severity, rule)
        for text, kind, severity in rows
        for _, rule in [apply_rules(plain_mandarin(text), Proposal(kind, severity, severity or "normal"))]
        if rule is not None
    ]
    assert contradicted == []
