"""scripts/system-packages: what a newcomer sees without root, and what it asks of apt as root.

dpkg-query, id and apt-get are replaced by small scripts on PATH that record their arguments, so
the test installs nothing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from config.settings import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "system-packages"


def _fake_system(tmp_path: Path, uid: int, installed: set[str]) -> tuple[Path, Path]:
    """A PATH with fake dpkg-query/id/apt-get (the real bash and coreutils beside them) and the apt log."""
    bin_dir, apt_log = tmp_path / "bin", tmp_path / "apt.log"
    bin_dir.mkdir()
    for tool in ("bash", "cat"):
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).symlink_to(found)
    listed = " ".join(sorted(installed))
    fakes = {
        # Like dpkg-query -W -f='${Status}' PACKAGE: "install ok installed" or an error for unknown ones.
        "dpkg-query": f'for p in {listed}; do [ "$p" = "${{@: -1}}" ] && {{ printf "install ok installed"; exit 0; }}; '
        'done; echo "dpkg-query: no packages found matching ${@: -1}" >&2; exit 1',
        "id": f"echo {uid}",
        "apt-get": f'echo "$*" >> {apt_log}',
    }
    for name, body in fakes.items():
        path = bin_dir / name
        path.write_text(f"#!/bin/bash\n{body}\n", encoding="utf-8")
        path.chmod(0o755)
    return bin_dir, apt_log


def _run(bin_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *args], env={"PATH": str(bin_dir)}, capture_output=True, text=True, timeout=30
    )


def test_without_root_a_missing_package_stops_with_the_exact_sudo_command(tmp_path: Path) -> None:
    bin_dir, apt_log = _fake_system(tmp_path, uid=1000, installed={"python3", "python3-venv", "chromium"})
    result = _run(bin_dir, "test")
    assert result.returncode == 1
    assert "sudo apt-get install -y fonts-noto-cjk postgresql fonts-noto-color-emoji poppler-utils" in result.stderr
    assert not apt_log.exists()


def test_as_root_only_the_missing_packages_are_installed_after_one_update(tmp_path: Path) -> None:
    bin_dir, apt_log = _fake_system(tmp_path, uid=0, installed={"python3", "python3-venv", "chromium"})
    result = _run(bin_dir, "test")
    assert result.returncode == 0, result.stderr
    calls = apt_log.read_text(encoding="utf-8").splitlines()
    assert len(calls) == 2 and calls[0].endswith("update")
    assert calls[1].endswith("install -y fonts-noto-cjk postgresql fonts-noto-color-emoji poppler-utils")


def test_run_needs_the_python_venv_packages_and_the_reports_cjk_font(tmp_path: Path) -> None:
    bin_dir, _ = _fake_system(tmp_path, uid=1000, installed={"python3", "python3-venv"})
    without_font = _run(bin_dir, "run")
    assert without_font.returncode == 1 and "sudo apt-get install -y fonts-noto-cjk\n" in without_font.stderr
    (tmp_path / "with-font").mkdir()
    bin_dir, _ = _fake_system(tmp_path / "with-font", uid=1000, installed={"python3", "python3-venv", "fonts-noto-cjk"})
    assert _run(bin_dir, "run").returncode == 0
    missing = _run(bin_dir, "test")
    assert missing.returncode == 1 and "postgresql chromium" in missing.stderr


def test_nothing_is_asked_of_apt_when_everything_is_installed(tmp_path: Path) -> None:
    every = {"python3", "python3-venv", "postgresql", "chromium", "fonts-noto-color-emoji", "fonts-noto-cjk"}
    every.add("poppler-utils")
    bin_dir, apt_log = _fake_system(tmp_path, uid=0, installed=every)
    result = _run(bin_dir)
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""
    assert not apt_log.exists()
