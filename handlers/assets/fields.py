"""Reading a device's fields as people write them: a spreadsheet row, or ``类型=台式机 使用人=李娜``
in chat. One reader for the import and for a first visit's inspection, so both accept the same
words and refuse the same mistakes.

A value that cannot be read raises ``FieldError`` naming the column and a reason code; the caller
turns the code into words (``asset_field_<code>`` in the catalog) with the line or message it came from.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

import storage

# The registry's columns in the order of an export, with the header the export writes first and
# the other names an imported sheet may use (compared case-insensitively, spaces and _ ignored).
COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("label", ("编号贴标", "编号", "标签", "资产编号", "label", "assettag", "tag")),
    ("type", ("类型", "设备类型", "type")),
    ("brand", ("品牌", "brand")),
    ("model", ("型号", "model")),
    ("configuration", ("配置", "configuration", "config")),
    ("owner", ("使用人", "责任人", "用户", "owner", "user")),
    ("location", ("位置", "存放位置", "地点", "location")),
    ("purchase_date", ("购买日期", "采购日期", "purchasedate")),
    ("warranty_end", ("保修到期", "保修截止", "warrantyend", "warranty")),
    ("notes", ("备注", "notes", "note")),
    ("active", ("在用", "active")),
)
HEADERS: Mapping[str, str] = {key: names[0] for key, names in COLUMNS}

# The device types and the words that name them.
TYPES: Mapping[str, tuple[str, ...]] = {
    "pc": ("pc", "desktop", "台式机", "台式电脑", "台式", "电脑", "主机"),
    "laptop": ("laptop", "notebook", "nb", "笔记本", "笔记本电脑"),
    "printer": ("printer", "pr", "打印机", "复印机"),
    "monitor": ("monitor", "显示器"),
    "server": ("server", "服务器"),
    "network": ("network", "switch", "router", "交换机", "路由器", "网络设备"),
    "other": ("other", "其他", "其它"),
}
_TYPE_WORDS = {word: key for key, words in TYPES.items() for word in words}
_LENGTHS = {"brand": 64, "model": 128, "location": 128, "configuration": 2000, "notes": 2000}
_YES = {"是", "在用", "yes", "y", "true", "1", "✓"}
_NO = {"否", "停用", "报废", "no", "n", "false", "0"}


class FieldError(ValueError):
    """A value that cannot be stored: ``column`` is the field key, ``code`` the reason."""

    def __init__(self, column: str, code: str, value: str = "") -> None:
        super().__init__(f"{column}: {code} {value!r}")
        self.column, self.code, self.value = column, code, value


def _squash(name: str) -> str:
    return re.sub(r"[\s_]+", "", name).lower()


_HEADER_KEYS = {_squash(name): key for key, names in COLUMNS for name in names}


def column_key(header: str) -> str | None:
    """The field a sheet's header names, or None for a column the registry does not keep."""
    return _HEADER_KEYS.get(_squash(header))


def check_label(value: Any, pattern: re.Pattern[str]) -> str:
    label = storage.normalise_label(_text(value))
    if not label:
        raise FieldError("label", "missing")
    if len(label) > 32 or pattern.fullmatch(label) is None:
        raise FieldError("label", "bad_label", label)
    return label


def type_of_label(label: str, label_types: Mapping[str, str]) -> str | None:
    """The type a label's prefix stands for (PC-0157 → pc), if the settings name one."""
    prefix = re.match(r"[A-Za-z]+", label)
    return label_types.get(prefix.group(0).upper()) if prefix else None


async def read_fields(session: AsyncSession, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The storable fields of ``raw`` (field key → cell value or text). Raises ``FieldError``.

    An empty cell clears the field (the sheet is the registry); a column absent leaves it as is."""
    fields: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "label":
            continue
        if key == "type":
            text = _text(value)
            found = _TYPE_WORDS.get(text.lower()) if text else ""
            if found is None:
                raise FieldError(key, "bad_type", text)
            fields["type"] = found
        elif key == "owner":
            fields["owner_id"] = await _owner(session, _text(value))
        elif key in ("purchase_date", "warranty_end"):
            fields[key] = _date(key, value)
        elif key == "active":
            fields[key] = _bool(value)
        else:
            text = _text(value)
            if len(text) > _LENGTHS[key]:
                raise FieldError(key, "too_long", text[:20] + "…")
            fields[key] = text
    return fields


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


async def _owner(session: AsyncSession, text: str) -> str | None:
    """A person of the directory by id (staff.li) or by name (李娜); empty: nobody."""
    if not text:
        return None
    person = await storage.get_person(session, text)
    if person is not None:
        return person.id
    named = [p.id for p in await storage.list_people(session) if p.name == text]
    if len(named) == 1:
        return named[0]
    raise FieldError("owner", "unknown_owner", text)


def _date(column: str, value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    found = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if found is None:
        raise FieldError(column, "bad_date", text)
    try:
        return dt.date(*(int(part) for part in found.groups()))
    except ValueError:
        raise FieldError(column, "bad_date", text) from None


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if not text or text in _YES:
        return True
    if text in _NO:
        return False
    raise FieldError("active", "bad_active", text)


@dataclass(frozen=True)
class FieldAssignments:
    """``key=value`` pairs typed in chat or on the command line, keyed by field."""

    fields: dict[str, str]
    unknown: tuple[str, ...]  # names that are no column


_ASSIGNMENT = re.compile(r"([^\s=＝]+)\s*[=＝]\s*")


def parse_assignments(text: str) -> FieldAssignments:
    """``类型=台式机 使用人=李娜 配置=i5 8G`` → fields; a value runs to the next ``name=``."""
    fields: dict[str, str] = {}
    unknown: list[str] = []
    matches = list(_ASSIGNMENT.finditer(text))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        key = column_key(match.group(1))
        if key is None or key == "label":
            unknown.append(match.group(1))
            continue
        fields[key] = text[match.end() : end].strip()
    return FieldAssignments(fields, tuple(unknown))
