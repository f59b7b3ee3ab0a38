"""Fixtures for the NLU tests: the real trained model and a real Rasa server.

The model is built by ``nlu/tools/train.sh`` (a no-op while data and config are
unchanged), so the first run of the suite pays the training time once.
"""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from nlu.server import NLU_DIR, RasaServer, default_model_path


@pytest.fixture(scope="session")
def trained_model() -> Path:
    rasa = NLU_DIR / ".venv" / "bin" / "rasa"
    assert rasa.exists(), "nlu/.venv is missing: run `bash nlu/tools/setup_venv.sh`"
    subprocess.run(["bash", str(NLU_DIR / "tools" / "train.sh")], check=True)
    return default_model_path()


@pytest.fixture(scope="session")
async def rasa_server(trained_model: Path) -> AsyncIterator[RasaServer]:
    async with RasaServer(trained_model) as server:
        yield server
