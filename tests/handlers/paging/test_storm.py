"""Which reports are the same outage (storm grouping), judged on system, place and text."""

from __future__ import annotations

from handlers.paging.storm import Report, floor_written, same_outage

FLOOR_3_OUTAGE = Report("三楼整层都断网了，大家都没法工作", "财务部", "3F")


def test_the_same_words_from_the_same_floor_are_one_outage() -> None:
    assert same_outage(Report("三楼整层都断网了", "市场部", "3F"), FLOOR_3_OUTAGE)
    assert same_outage(Report("我这边也上不了网", "财务部", "3F"), FLOOR_3_OUTAGE)


def test_another_floor_or_another_system_is_another_outage() -> None:
    assert not same_outage(Report("四楼断网了", "设计部", "4F"), FLOOR_3_OUTAGE)
    assert not same_outage(Report("我电脑开机就蓝屏", "财务部", "3F"), FLOOR_3_OUTAGE)
    assert not same_outage(Report("邮箱登不上了", "财务部", "3F"), FLOOR_3_OUTAGE)


def test_a_shared_system_down_is_one_outage_whatever_the_floor() -> None:
    assert same_outage(Report("邮件发不出去", "设计部", "4F"), Report("邮箱全部登不上了", "财务部", "3F"))
    assert same_outage(Report("ERP 打不开", "市场部", "5F"), Report("erp系统挂了", "财务部", "3F"))


def test_floors_are_read_in_chinese_and_arabic_numerals() -> None:
    assert floor_written("三楼整层") == 3
    assert floor_written("3F 全部断网") == 3
    assert floor_written("十二层没电") == 12
    assert floor_written("二十三楼断网") == 23
    assert floor_written("一二楼都断网了") is None  # two floors, not the twelfth
    assert floor_written("全公司断网") is None
