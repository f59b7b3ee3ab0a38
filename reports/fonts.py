"""The CJK font the PDF and its charts are set in: Noto Sans CJK SC from Debian's ``fonts-noto-cjk``
(installed by ``scripts/system-packages``), else WenQuanYi Micro Hei (``fonts-wqy-microhei``).

Without one, Chinese would print as empty boxes; ``ReportFontMissing`` says which package to
install instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["CjkFont", "ReportFontMissing", "cjk_font"]


class ReportFontMissing(RuntimeError):
    """No CJK font is installed: the PDF cannot show Chinese."""


@dataclass(frozen=True)
class CjkFont:
    family: str  # the name matplotlib knows it by
    regular: Path
    bold: Path
    index: int  # the face inside a .ttc collection


# (family, regular, bold, face index in the collection)
_CANDIDATES = (
    (
        "Noto Sans CJK SC",
        Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
        Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
        2,  # JP, KR, SC, TC, HK: the simplified-Chinese face
    ),
    (
        "WenQuanYi Micro Hei",
        Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
        Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
        0,
    ),
)


@cache
def cjk_font() -> CjkFont:
    for family, regular, bold, index in _CANDIDATES:
        if regular.exists():
            return CjkFont(family, regular, bold if bold.exists() else regular, index)
    raise ReportFontMissing(
        "no CJK font for the PDF reports: install Debian's fonts-noto-cjk (scripts/system-packages run does)"
    )
