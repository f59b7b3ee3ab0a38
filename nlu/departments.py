"""The ``department`` lookup table of the NLU data, generated from the people directory.

A department in a status question ("列出财务部所有未关闭的工单") is a Rasa entity like the others:
the lookup table and its synonyms (财务 → 财务部) are written to ``nlu/data/status_departments.yml``
from ``config/people.yaml`` by

    .venv/bin/python -m nlu.departments [config/people.yaml]          write the file
    .venv/bin/python -m nlu.departments --check [config/people.yaml]  exit 1 when it is out of date

and ``make model`` retrains when the file changed. Why a generated file rather than matching the
stored directory at query time: the Rasa server stays what serves entities (one place that reads a
question, tested against the real model), and the regenerated file is reviewed in a diff like any
other data change. The stored directory stays the truth: the status handler accepts a department
only when someone in the store belongs to it, and finds a department the model was not trained on
(the directory changed since) by its stored name, so a renamed department is never answered with 0.

Only the customer's departments are listed: those of staff, managers and admins who are not the
service company's (the engineers' own departments do not open tickets about themselves).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

NLU_DIR = Path(__file__).resolve().parent
DIRECTORY = NLU_DIR.parent / "config" / "people.yaml"
OUTPUT = NLU_DIR / "data" / "status_departments.yml"

_SUFFIXES = ("部门", "部", "处", "科", "室", "组", "中心")
_CUSTOMER_ROLES = ("staff", "manager", "admin")


def customer_departments(people: Iterable[Mapping[str, Any]]) -> list[str]:
    """The departments of the customer's people, in the directory's order, each once."""
    seen: list[str] = []
    for person in people:
        department = str(person.get("department") or "").strip()
        if not department or person.get("service_company") or person.get("role") not in _CUSTOMER_ROLES:
            continue
        if department not in seen:
            seen.append(department)
    return seen


def spellings(department: str) -> list[str]:
    """How people write a department: 财务部, 财务部门, 财务 (the name without its suffix, when
    two characters or more remain)."""
    forms = [department]
    for suffix in _SUFFIXES:
        if department.endswith(suffix) and len(department) - len(suffix) >= 2:
            short = department[: -len(suffix)]
            forms += [short + "部门", short] if suffix == "部" else [short]
            break
    return list(dict.fromkeys(forms))


def render(departments: list[str]) -> str:
    """The NLU data file: one lookup table (longest spelling first, so 财务部门 is one match) and
    one synonym block per department mapping every spelling to the directory's name."""
    forms = sorted({form for d in departments for form in spellings(d)}, key=lambda f: (-len(f), f))
    lines = [
        'version: "3.1"',
        "# Generated from config/people.yaml by `python -m nlu.departments`: do not edit by hand.",
        "nlu:",
        "- lookup: department",
        "  examples: |",
        *[f"    - {form}" for form in forms],
    ]
    for department in departments:
        lines += [f"- synonym: {department}", "  examples: |", *[f"    - {f}" for f in spellings(department)]]
    return "\n".join(lines) + "\n"


def generate(directory: Path = DIRECTORY) -> str:
    data = yaml.safe_load(directory.read_text(encoding="utf-8")) or {}
    return render(customer_departments(data.get("people") or []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=DIRECTORY)
    parser.add_argument("--check", action="store_true", help="exit 1 when the data file is out of date")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    wanted = generate(args.directory)
    current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    if args.check:
        if current != wanted:
            print(f"{args.out} is out of date: run python -m nlu.departments", file=sys.stderr)
            return 1
        return 0
    if current != wanted:
        args.out.write_text(wanted, encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
