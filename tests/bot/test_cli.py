"""The helpdesk command line: kb check on the shipped and on broken folders, tickets and people."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from config.settings import REPO_ROOT

HELPDESK = str(Path(sys.executable).parent / "helpdesk")


def run(*args: str, config: Path | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    prefix = ["--config", str(config)] if config else []
    return subprocess.run(
        [HELPDESK, *prefix, *args], input=stdin, capture_output=True, text=True, timeout=120, cwd=REPO_ROOT
    )


def test_kb_check_passes_on_the_shipped_articles_and_training_data() -> None:
    result = run("kb", "check")
    assert result.returncode == 0, result.stderr
    assert "31 articles" in result.stdout


def test_kb_check_names_the_file_of_each_problem_in_a_broken_copy(tmp_path: Path) -> None:
    broken = tmp_path / "kb"
    shutil.copytree(REPO_ROOT / "kb", broken)
    (broken / "defrag.md").unlink()  # an id of the topic list without an article
    shutil.copy(broken / "vpn-connect.md", broken / "vpn-copy.md")  # a duplicate id
    bad = broken / "printer-jam.md"
    bad.write_text(bad.read_text(encoding="utf-8").replace("title_zh:", "titel_zh:", 1), encoding="utf-8")
    result = run("kb", "check", "--folder", str(broken))
    assert result.returncode == 1
    assert "vpn-copy.md" in result.stderr
    assert "printer-jam.md" in result.stderr and "title_zh" in result.stderr
    assert "defrag" in result.stderr  # training examples name an article that is gone


def test_tickets_and_people_commands_read_the_store(tmp_path: Path) -> None:
    config = tmp_path / "helpdesk.toml"
    config.write_text(
        f'base_dir = "{REPO_ROOT}"\n[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "h.db"}"\n', encoding="utf-8"
    )
    assert run("db", "upgrade", config=config).returncode == 0
    people = run("people", "list", config=config)
    assert "staff.li" in people.stdout and "eng.chen" in people.stdout
    listing = run("tickets", "list", config=config)
    assert listing.returncode == 0 and "status" in listing.stdout
    missing = run("tickets", "show", "9999", config=config)
    assert missing.returncode == 1 and "no ticket #9999" in missing.stderr


def _store_config(tmp_path: Path) -> Path:
    config = tmp_path / "helpdesk.toml"
    config.write_text(
        f'base_dir = "{REPO_ROOT}"\n[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "h.db"}"\n'
        '[web]\npublic_url = "https://helpdesk.example.cn"\n',
        encoding="utf-8",
    )
    return config


def test_tokens_are_created_listed_and_revoked_and_only_their_hash_is_stored(tmp_path: Path) -> None:
    import sqlite3

    config = _store_config(tmp_path)
    created = run("tokens", "create", "wecom-bridge", "--senders", "staff.li,staff.wang", config=config)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("hd_") and len(token) > 40 and " " not in token
    everyone = run("tokens", "create", "ops-script", config=config).stdout.strip().splitlines()[-1]
    assert everyone != token
    assert run("tokens", "create", "wecom-bridge", config=config).returncode == 1  # the name is taken
    typo = run("tokens", "create", "typo", "--senders", "staff.lii", config=config)
    assert typo.returncode == 1 and "staff.lii" in typo.stderr
    with sqlite3.connect(tmp_path / "h.db") as db:
        stored = " ".join(str(v) for row in db.execute("SELECT * FROM api_tokens") for v in row)
    assert token not in stored and everyone not in stored

    assert run("tokens", "revoke", "wecom-bridge", config=config).returncode == 0
    listing = run("tokens", "list", config=config).stdout
    [bridge] = [line for line in listing.splitlines() if line.startswith("wecom-bridge")]
    [ops] = [line for line in listing.splitlines() if line.startswith("ops-script")]
    assert bridge.split()[3:] != ["-", "staff.li,staff.wang"] and bridge.split()[-1] == "staff.li,staff.wang"
    assert ops.split()[3:] == ["-", "(all)"]  # in force, for everyone
    assert token not in listing
    assert run("tokens", "revoke", "wecom-bridge", config=config).returncode == 1  # not in force any more


def test_a_password_is_set_from_stdin_and_a_sign_in_link_is_printed_with_the_public_address(tmp_path: Path) -> None:
    import sqlite3

    config = _store_config(tmp_path)
    assert run("people", "set-password", "staff.li", config=config, stdin="short\n").returncode == 1
    done = run("people", "set-password", "staff.li", config=config, stdin="correct horse battery\n")
    assert done.returncode == 0, done.stderr
    assert run("people", "set-password", "nobody", config=config, stdin="correct horse battery\n").returncode == 1
    with sqlite3.connect(tmp_path / "h.db") as db:
        [(stored,)] = db.execute("SELECT password_hash FROM credentials WHERE person_id = 'staff.li'").fetchall()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    link = run("people", "sign-in-link", "staff.wang", "--hours", "24", config=config)
    assert link.returncode == 0, link.stderr
    url = link.stdout.strip().splitlines()[-1]
    assert url.startswith("https://helpdesk.example.cn/sign-in#link=")
    with sqlite3.connect(tmp_path / "h.db") as db:
        [(token_hash,)] = db.execute("SELECT token_hash FROM sign_in_links").fetchall()
    assert url.split("#link=")[1] not in token_hash


def test_chat_in_the_terminal_answers_and_numbers_the_buttons(tmp_path: Path) -> None:
    from tests.support.processes import free_port

    config = tmp_path / "helpdesk.toml"
    config.write_text(
        f'base_dir = "{REPO_ROOT}"\n[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "h.db"}"\n'
        f'[nlu]\nurl = "http://127.0.0.1:{free_port()}"\nstart_server = false\ntimeout_s = 2.0\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        [HELPDESK, "--config", str(config), "chat", "--as", "staff.li"],
        input="打印机卡纸了\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "李娜" in result.stdout  # greeted by name
    assert "#1001" in result.stdout and "暂时不可用" in result.stdout  # Rasa is down: still a ticket


def test_triage_eval_scores_a_tsv_and_ends_with_the_summary_line(rasa_url: str, tmp_path: Path) -> None:
    tsv = tmp_path / "small.tsv"
    tsv.write_text(
        "kind\tlabel\ttext\n"
        "incident\turgent\t三楼整层都断网了，大家都没法工作\n"
        "incident\thardware\t显示器突然黑了，主机还在响\n"
        "howto\tprinter-settings\t怎么把打印机设成双面打印\n"
        "chitchat\t-\t谢谢师傅\n",
        encoding="utf-8",
    )
    result = run("triage", "eval", str(tsv), "--url", rasa_url)
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("kind_accuracy=") and "severity_accuracy=" in last and "article_accuracy=" in last
    assert "severity confusion" in result.stdout


def test_an_invite_is_printed_once_and_only_its_hash_is_stored(tmp_path: Path) -> None:
    import hashlib
    import sqlite3

    config = _store_config(tmp_path)
    made = run("people", "invite", "staff.li", "--hours", "48", config=config)
    assert made.returncode == 0, made.stderr
    code = made.stdout.strip().splitlines()[-1]
    assert "/start" in made.stdout and len(code) >= 16
    with sqlite3.connect(tmp_path / "h.db") as db:
        [(person, code_hash)] = db.execute("SELECT person_id, code_hash FROM invites").fetchall()
    assert person == "staff.li" and code_hash == hashlib.sha256(code.encode()).hexdigest()
    assert run("people", "invite", "nobody", config=config).returncode == 1
