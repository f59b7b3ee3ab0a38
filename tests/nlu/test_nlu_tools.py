"""The NLU's setup and training scripts: what a newcomer or CI sees when they run them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from nlu.server import NLU_DIR
from nlu.training_data import OFFICES_DATA, offices_yaml


def test_setup_without_python_310_says_what_to_install(tmp_path: Path) -> None:
    project = tmp_path / "nlu"
    (project / "tools").mkdir(parents=True)
    shutil.copy(NLU_DIR / "tools" / "setup_venv.sh", project / "tools")
    shutil.copy(NLU_DIR / "requirements.txt", project)
    # A PATH with neither python3.10 nor pyenv on it.
    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in ("bash", "sha256sum", "cut", "cat", "grep", "sort", "dirname", "mkdir"):
        found = shutil.which(tool)
        assert found is not None
        (bare / tool).symlink_to(found)
    result = subprocess.run(
        ["bash", str(project / "tools" / "setup_venv.sh")],
        env={"PATH": str(bare), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Rasa 3.6 needs Python 3.10" in result.stderr
    assert "pyenv install 3.10" in result.stderr
    assert not (project / ".venv").exists()


def test_setup_and_training_are_skipped_while_nothing_changed(trained_model: Path) -> None:
    setup = subprocess.run(["bash", str(NLU_DIR / "tools" / "setup_venv.sh")], capture_output=True, text=True)
    assert setup.returncode == 0 and "up to date" in setup.stdout
    before = trained_model.stat().st_mtime_ns
    train = subprocess.run(["bash", str(NLU_DIR / "tools" / "train.sh")], capture_output=True, text=True)
    assert train.returncode == 0 and "model up to date" in train.stdout
    assert trained_model.stat().st_mtime_ns == before


def test_the_offices_training_file_holds_every_trained_labelled_row() -> None:
    # Out of date after a labelled set changed: run `.venv/bin/python nlu/tools/offices_data.py`.
    assert OFFICES_DATA.read_text(encoding="utf-8") == offices_yaml()
