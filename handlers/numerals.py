"""Numbers as people write them in chat: 3楼 and 三楼, 十二层, 两台, 一万五 (yuan).

cn2an reads the Chinese numerals, colloquial forms included (两, 一万五 for 15000, 三千五 for
3500). One rule is ours: a run of bare digits with no 十, 百, 千 or 万 (一二楼, 两三台) names two
numbers, floors one and two or two or three machines, so it is not one number here, where cn2an
would read it digit by digit as 12 or 23.
"""

from __future__ import annotations

import re

import cn2an

NUMERAL = "[零〇一二两三四五六七八九十百千万]"
"""A character of a Chinese numeral, for the patterns that find numbers in a message."""

_DIGIT_RUN = re.compile("[零〇一二两三四五六七八九]{2,}")


def chinese_number(text: str) -> int | None:
    """The whole number ``text`` writes in Arabic digits or Chinese numerals; ``None`` when it
    writes none, or two (a run of bare digits: see the module docstring)."""
    text = text.strip()
    if text.isdecimal():
        return int(text)
    if not text or _DIGIT_RUN.fullmatch(text):
        return None
    try:
        value = cn2an.cn2an(text, "normal")
    except (ValueError, KeyError):  # cn2an's answers to what is not a numeral
        return None
    return int(value) if isinstance(value, int) else None
