"""The helpdesk command line: kb check on the shipped and on broken folders, tickets and people."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from config.settings import REPO_ROOT

HELPDESK = str(Path(sys.executable).parent / "helpdesk")


def run(*args: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    prefix = ["--config", str(config)] if config else []
    return subprocess.run([HELPDESK, *prefix, *args], capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)


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
