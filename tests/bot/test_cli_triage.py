"""``helpdesk triage corrections``: engineers' corrections listed, reviewed, and the accepted ones
exported as training data that Rasa itself reads."""

from __future__ import annotations

import asyncio
import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

import storage
from bot.directory import load_directory
from bot.pipeline import Pipeline
from config.settings import REPO_ROOT
from core.clock import FakeClock
from handlers.contract import Contract
from handlers.paging.roster import load_roster
from nlu.server import NLU_DIR
from tests.bot.test_cli import run
from tests.support.builders import ScriptedNlu, make_inbound

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
ONE_PC = "我电脑连不上网了，急！\n整个报表都做不了"
BLUE = "我电脑开机就蓝屏"
SLOW = "电脑有点慢"
NLU = ScriptedNlu({ONE_PC: ("incident_urgent", 0.9), BLUE: ("incident_high", 0.9), SLOW: ("incident_high", 0.8)})


async def _chat(url: str) -> list[int]:
    """Three tickets and their corrections in chat: the ticket numbers, in order."""
    engine = storage.make_engine(url)
    await storage.upgrade(engine)
    sessions = storage.make_session_factory(engine)
    async with sessions() as s, s.begin():
        await storage.sync_people(s, load_directory(REPO_ROOT / "config" / "people.yaml"))
    clock = FakeClock(NOW)
    contract = Contract(load_roster(REPO_ROOT / "config" / "roster.yaml"))
    pipeline = Pipeline(sessions, NLU, clock, hotline="400", contract=contract)
    for text in (ONE_PC, BLUE, SLOW):
        await pipeline.handle(make_inbound(text, sender="staff.li"))
    async with sessions() as s:
        numbers = sorted(t.number or 0 for t in await storage.list_tickets(s))
    clock.advance(timedelta(minutes=3))
    await pipeline.handle(make_inbound(f"改级 {numbers[0]} 一般紧急 只是一台电脑", sender="eng.chen"))
    await pipeline.handle(make_inbound(f"/kind {numbers[1]} howto", sender="svc.ma"))
    clock.advance(timedelta(days=2))
    await pipeline.handle(make_inbound(f"改级 {numbers[2]} 一般紧急 卡得没法用", sender="eng.liu"))
    await engine.dispose()
    return numbers


def _config(tmp_path: Path) -> tuple[Path, str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'h.db'}"
    config = tmp_path / "helpdesk.toml"
    config.write_text(f'base_dir = "{REPO_ROOT}"\n[database]\nurl = "{url}"\n', encoding="utf-8")
    return config, url


def _ids(listing: str) -> list[int]:
    return [int(line.split()[0]) for line in listing.splitlines() if line.strip()[:1].isdigit() and "#" in line]


def test_corrections_are_listed_reviewed_and_the_accepted_ones_exported_as_nlu_data(tmp_path: Path) -> None:
    config, url = _config(tmp_path)
    numbers = asyncio.run(_chat(url))
    listing = run("triage", "corrections", config=config)
    assert listing.returncode == 0, listing.stderr
    assert f"#{numbers[0]}" in listing.stdout and "incident/urgent → incident/high" in listing.stdout
    assert "eng.chen" in listing.stdout and "只是一台电脑" in listing.stdout
    assert "我电脑连不上网了，急！ 整个报表都做不了" in listing.stdout  # the message, on one line
    assert "3 correction(s); 3 to review" in listing.stdout
    ids = _ids(listing.stdout)
    assert len(ids) == 3
    since = run("triage", "corrections", "--since", "2026-11-24", config=config)
    assert _ids(since.stdout) == [ids[2]]

    assert run("triage", "corrections", "review", "99999", config=config).returncode == 1
    accepted = run("triage", "corrections", "review", str(ids[0]), str(ids[1]), config=config)
    assert accepted.returncode == 0, accepted.stderr
    assert run("triage", "corrections", "review", "--reject", str(ids[2]), config=config).returncode == 0
    export = tmp_path / "corrections.yml"
    exported = run("triage", "corrections", "--export", str(export), config=config)
    assert exported.returncode == 0
    assert "[accepted]" in exported.stdout and "[rejected]" in exported.stdout
    assert "exported 1 example(s)" in exported.stdout
    assert f"#{numbers[1]}" in exported.stderr  # a how-to without its article: no intent names it

    data = yaml.safe_load(export.read_text(encoding="utf-8"))
    assert data["version"] == "3.1"
    assert data["nlu"] == [{"intent": "incident_high", "examples": "- 我电脑连不上网了，急！ 整个报表都做不了\n"}]
    # Rasa's own reader (in its venv) takes the file as training data.
    script = (
        "import json, sys; from rasa.shared.nlu.training_data.loading import load_data;"
        "d = load_data(sys.argv[1]); print(json.dumps([[m.get('intent'), m.get('text')] for m in d.intent_examples]))"
    )
    read = subprocess.run(
        [str(NLU_DIR / ".venv" / "bin" / "python"), "-c", script, str(export)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert read.returncode == 0, read.stderr
    examples = json.loads(read.stdout.strip().splitlines()[-1])
    assert examples == [["incident_high", "我电脑连不上网了，急！ 整个报表都做不了"]]
