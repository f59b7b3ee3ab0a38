"""The boundaries of STYLE.md that a test can check."""

from __future__ import annotations

import ast
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
    for folder in ("core", "bot", "channels", "handlers", "nlu", "reports"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            if ".venv" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if "from sqlalchemy import" in text and ("select(" in text or "update(" in text):
                offenders.append(str(path.relative_to(REPO_ROOT)))
    assert offenders == [], f"queries outside storage/: {offenders}"


# The storage functions that write the outbox: only bot.outbox (the dispatcher and its worker) calls them.
OUTBOX_WRITES = frozenset({"enqueue", "claim_outbox", "mark_sent", "mark_retry", "mark_failed", "retry_now"})


def test_handlers_import_nothing_of_bot_and_never_write_the_outbox() -> None:
    """Handlers return replies as data (STYLE.md 2 and 9): the dispatcher writes them."""
    offenders = []
    for path in sorted((REPO_ROOT / "handlers").rglob("*.py")):
        where = str(path.relative_to(REPO_ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                modules = []
            offenders += [f"{where} imports {m}" for m in modules if m == "bot" or m.startswith("bot.")]
            if isinstance(node, ast.Attribute) and node.attr in OUTBOX_WRITES | {"OutboxMessage"}:
                offenders.append(f"{where} uses {node.attr}")
            if isinstance(node, ast.Name) and node.id == "OutboxMessage":
                offenders.append(f"{where} uses OutboxMessage")
    assert offenders == []


def test_only_bot_outbox_writes_the_outbox() -> None:
    offenders = []
    for folder in ("core", "bot", "channels", "handlers"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            if path.is_relative_to(REPO_ROOT / "bot" / "outbox"):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            used = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr in OUTBOX_WRITES}
            if used:
                offenders.append(f"{path.relative_to(REPO_ROOT)}: {sorted(used)}")
    assert offenders == []


def test_dialogs_are_opened_closed_and_continued_only_through_handlers_dialogs() -> None:
    """One entry for dialogs (handlers/dialogs.py); the domain steps open and close them through it."""
    offenders = []
    for folder in ("core", "bot", "channels", "handlers"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            if path == REPO_ROOT / "handlers" / "dialogs.py":
                continue
            text = path.read_text(encoding="utf-8")
            if "storage.dialogs" in text or "from storage import dialogs" in text:
                offenders.append(str(path.relative_to(REPO_ROOT)))
    assert offenders == []
