"""``helpdesk wecom sync-people`` and ``create-group`` as an operator runs them, against the fake
WeCom API: the directory's members become people in their departments, and running it again
changes nothing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import storage
from config.settings import REPO_ROOT
from tests.support.fake_wecom import AES_KEY, AGENT_ID, SECRET, TOKEN, Department, FakeWecom
from tests.support.processes import free_port, write_config


@pytest.fixture
def fake() -> Iterator[FakeWecom]:
    server = FakeWecom(
        departments=[Department(1, "示例公司"), Department(2, "财务部", 1), Department(3, "市场部", 1)],
        users=[
            {"userid": "LiNa", "name": "李娜", "department": [2], "main_department": 2, "status": 1},
            {"userid": "WangFang", "name": "王芳", "department": [3, 2], "main_department": 3, "status": 1},
            {"userid": "NewHire", "name": "新同事", "department": [1], "main_department": 1, "status": 4},
            {"userid": "Gone", "name": "已离职", "department": [3], "main_department": 3, "status": 5},
            # 陈工 is in people.yaml as an engineer with this WeCom id: the file decides who he is.
            {"userid": "ChenGong", "name": "陈某", "department": [1], "main_department": 1, "status": 1},
        ],
    ).start()
    yield server
    server.stop()


def _config(tmp_path: Path, fake: FakeWecom, url: str) -> Path:
    people = (REPO_ROOT / "config" / "people.yaml").read_text(encoding="utf-8")
    people = people.replace("    name: 陈工\n", "    name: 陈工\n    identities: {wecom: ChenGong}\n")
    (tmp_path / "people.yaml").write_text(people, encoding="utf-8")
    config = write_config(tmp_path, url, "http://127.0.0.1:9", free_port())
    with config.open("a", encoding="utf-8") as f:
        f.write(
            f'[wecom]\ncorp_id = "{fake.corp_id}"\nagent_id = {AGENT_ID}\nsecret = "{SECRET}"\n'
            f'token = "{TOKEN}"\naes_key = "{AES_KEY}"\napi_base = "{fake.base}"\n'
        )
    text = config.read_text(encoding="utf-8")
    config.write_text(f'people_file = "{tmp_path / "people.yaml"}"\n' + text, encoding="utf-8")
    return config


def _helpdesk(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    helpdesk = Path(sys.executable).parent / "helpdesk"
    return subprocess.run(
        [str(helpdesk), "--config", str(config), *args], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120
    )


async def _people(url: str) -> dict[str, tuple[str, str, str, bool]]:
    engine = storage.make_engine(url)
    try:
        async with storage.make_session_factory(engine)() as session:
            found = {}
            for user in ("LiNa", "WangFang", "NewHire", "Gone", "ChenGong"):
                person = await storage.person_for_identity(session, "wecom", user)
                if person is not None:
                    found[user] = (person.id, person.name, person.department, person.active)
            return found
    finally:
        await engine.dispose()


async def _enrol(url: str, user: str) -> None:
    engine = storage.make_engine(url)
    try:
        async with storage.make_session_factory(engine)() as session, session.begin():
            await storage.enrol(session, "wecom", user, name=user)
    finally:
        await engine.dispose()


async def test_sync_people_imports_the_directory_and_is_safe_to_run_again(
    fake: FakeWecom, tmp_path: Path, sqlite_url: str
) -> None:
    config = _config(tmp_path, fake, sqlite_url)
    # 李娜 wrote before any sync: enrolled as staff of an unknown department under her UserId.
    assert _helpdesk(config, "db", "upgrade").returncode == 0
    await _enrol(sqlite_url, "LiNa")
    first = _helpdesk(config, "wecom", "sync-people")
    assert first.returncode == 0, first.stderr
    assert "2 added, 1 updated, 1 kept" in first.stdout
    people = await _people(sqlite_url)
    assert people["LiNa"] == ("LiNa", "李娜", "财务部", True)
    assert people["WangFang"] == ("WangFang", "王芳", "市场部", True)  # the main department
    assert people["NewHire"][2] == "示例公司"
    assert "Gone" not in people
    assert people["ChenGong"] == ("eng.chen", "陈工", "驻场服务", True)  # as people.yaml says
    again = _helpdesk(config, "wecom", "sync-people")
    assert again.returncode == 0 and "0 added, 0 updated, 1 kept" in again.stdout
    assert await _people(sqlite_url) == people
    # A restart syncs people.yaml again: the WeCom colleagues stay.
    assert _helpdesk(config, "db", "upgrade").returncode == 0
    assert await _people(sqlite_url) == people


async def test_create_group_prints_the_chat_id_to_configure(fake: FakeWecom, tmp_path: Path, sqlite_url: str) -> None:
    done = _helpdesk(
        _config(tmp_path, fake, sqlite_url),
        "wecom",
        "create-group",
        "IT 值班",
        "--owner",
        "ChenGong",
        "--members",
        "ChenGong,LiuGong",
    )
    assert done.returncode == 0, done.stderr
    chat_id = done.stdout.strip().splitlines()[-1]
    assert fake.appchats[chat_id]["userlist"] == ["ChenGong", "LiuGong"]


def test_a_refused_secret_is_reported(fake: FakeWecom, tmp_path: Path, sqlite_url: str) -> None:
    fake.secret = "rotated"
    done = _helpdesk(_config(tmp_path, fake, sqlite_url), "wecom", "sync-people")
    assert done.returncode == 1 and "40001" in done.stderr
