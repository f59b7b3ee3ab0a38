"""Evaluate the full triage (model + rules) on a TSV file; start Rasa if no URL is given.

Usage (bot venv, from the repository root):
    .venv/bin/python nlu/tools/triage_eval.py tests/data/triage_dev.tsv [--url http://127.0.0.1:5005]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import aiohttp

from nlu.evaluation import evaluate_file
from nlu.rasa_http import RasaHttpClient
from nlu.server import RasaServer, find_model


async def _run(path: Path, url: str | None) -> str:
    async with aiohttp.ClientSession() as session:
        if url:
            return await evaluate_file(path, RasaHttpClient(session, url, 30.0))
        async with RasaServer(find_model()) as server:
            return await evaluate_file(path, RasaHttpClient(session, server.base_url, 30.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--url", help="a running Rasa server; by default one is started")
    args = parser.parse_args()
    print(asyncio.run(_run(args.file, args.url)))


if __name__ == "__main__":
    main()
