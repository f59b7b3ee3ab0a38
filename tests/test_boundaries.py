"""The boundaries of STYLE.md that a test can check."""

from __future__ import annotations

import subprocess
import sys

from config.settings import REPO_ROOT

SDKS = ("aiohttp", "telegram", "wechatpy")


def test_handlers_import_no_messaging_sdk_or_http_library() -> None:
    root = REPO_ROOT / "handlers"
    modules = sorted(
        ".".join(("handlers", *p.relative_to(root).with_suffix("").parts))
        for p in root.rglob("*.py")
        if p.stem != "__init__"
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"print(sorted(m for m in {SDKS!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", f"handlers pulled in {result.stdout.strip()}"


def test_only_the_storage_package_builds_sql_queries() -> None:
    offenders = []
    for folder in ("core", "bot", "channels", "handlers", "nlu"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            if ".venv" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if "from sqlalchemy import" in text and ("select(" in text or "update(" in text):
                offenders.append(str(path.relative_to(REPO_ROOT)))
    assert offenders == [], f"queries outside storage/: {offenders}"
