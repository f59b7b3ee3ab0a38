"""The people directory file (``config/people.yaml``), validated at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from config.settings import ConfigError
from storage import PersonRecord


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)
    role: Literal["staff", "engineer", "manager", "admin"]
    department: str = ""
    location: str = ""
    # One of the service company's people (not the customer's): its managers never approve for the customer.
    service_company: bool = False
    language: Literal["zh", "en"] | None = None  # None: the contract's language ([service] language)
    # channel → the person's user id there, e.g. {"wecom": "LiNa", "telegram": "123456"}
    identities: dict[str, str] = Field(default_factory=dict)


class _Directory(BaseModel):
    model_config = ConfigDict(extra="forbid")
    people: list[_Entry]


def load_directory(path: Path, default_language: Literal["zh", "en"] = "zh") -> list[PersonRecord]:
    """Read the directory; an unreadable or invalid file raises ``ConfigError`` naming the key.

    A person whose entry names no language reads ``default_language``, the contract's.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read the people directory {path}: {exc}") from exc
    try:
        directory = _Directory.model_validate(data)
    except ValidationError as exc:
        keys = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"invalid people directory {path}: {keys}") from exc
    ids = [e.id for e in directory.people]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigError(f"invalid people directory {path}: duplicate id(s) {', '.join(duplicates)}")
    return [
        PersonRecord(
            id=e.id,
            name=e.name,
            role=e.role,
            department=e.department,
            location=e.location,
            service_company=e.service_company,
            language=e.language or default_language,
            identities=tuple(sorted(e.identities.items())),
        )
        for e in directory.people
    ]
