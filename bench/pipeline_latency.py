"""Benchmark: end-to-end latency of the REST channel and the memory of the bot and Rasa processes.

A fresh ``helpdesk run`` on a temporary SQLite store, the real Rasa server with the trained model;
N messages from the rubric's examples, sequentially, each a new message id. Prints figures only;
no target is asserted here (targets live in the closing notes, not in timed tests).

Run: PYTHONPATH=. .venv/bin/python bench/pipeline_latency.py [N]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from nlu.server import RasaServer
from tests.support.processes import BotProcess, free_port, write_config

MESSAGES = [
    "三楼整层都断网了，大家都没法工作",
    "我电脑开机就蓝屏，今天的报表还没做",
    "帮我装一下 Visio",
    "显示器突然黑了，主机还在响",
    "怎么把打印机设成双面打印",
    "谢谢师傅",
]
SENDERS = ["staff.li", "staff.wang", "staff.zhang"]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _post(url: str, body: dict[str, str], token: str | None = None) -> None:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=30) as resp:
        resp.read()


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        async with RasaServer(log_path=folder / "rasa.log") as rasa:
            port = free_port()
            config = write_config(folder, f"sqlite+aiosqlite:///{folder / 'bench.db'}", rasa.base_url, port)
            bot = BotProcess(config, port, folder / "bot.log")
            bot.start()
            try:
                url = bot.url + "/webhooks/rest/webhook"
                token = bot.token  # an API token, as an integration has one (`helpdesk tokens create`)
                for i in range(5):  # warm up
                    _post(url, {"sender": "staff.li", "message": MESSAGES[i % len(MESSAGES)]}, token)
                timings = []
                started = time.perf_counter()
                for i in range(count):
                    body = {"sender": SENDERS[i % len(SENDERS)], "message": MESSAGES[i % len(MESSAGES)]}
                    t0 = time.perf_counter()
                    await asyncio.to_thread(_post, url, body, token)
                    timings.append((time.perf_counter() - t0) * 1000)
                elapsed = time.perf_counter() - started
                timings.sort()
                bot_pid = bot._proc.pid if bot._proc else 0
                rasa_pid = rasa._process.pid if rasa._process else 0
                print(f"messages={count} elapsed_s={elapsed:.1f} throughput_per_s={count / elapsed:.1f}")
                print(
                    f"rest_latency_ms p50={statistics.median(timings):.1f} "
                    f"p90={timings[int(0.9 * (count - 1))]:.1f} p99={timings[int(0.99 * (count - 1))]:.1f} "
                    f"max={timings[-1]:.1f}"
                )
                print(f"rss_mb bot={_rss_mb(bot_pid):.0f} rasa={_rss_mb(rasa_pid):.0f}")

                # Four senders at once: readers and the waiting REST answers contend with the writers.
                async def one(i: int) -> float:
                    body = {"sender": SENDERS[i % len(SENDERS)], "message": MESSAGES[i % len(MESSAGES)]}
                    t0 = time.perf_counter()
                    await asyncio.to_thread(_post, url, body, token)
                    return (time.perf_counter() - t0) * 1000

                started = time.perf_counter()
                concurrent: list[float] = []
                for first in range(0, count, 4):
                    concurrent += await asyncio.gather(*(one(i) for i in range(first, min(first + 4, count))))
                elapsed = time.perf_counter() - started
                concurrent.sort()
                print(
                    f"concurrent_4 throughput_per_s={count / elapsed:.1f} p50={statistics.median(concurrent):.1f} "
                    f"p90={concurrent[int(0.9 * (count - 1))]:.1f} max={concurrent[-1]:.1f}"
                )
                # What the bot adds on top of Rasa: the same messages parsed by Rasa alone.
                parse = []
                for i in range(count):
                    t0 = time.perf_counter()
                    await asyncio.to_thread(
                        _post, rasa.base_url + "/model/parse", {"text": MESSAGES[i % len(MESSAGES)]}
                    )
                    parse.append((time.perf_counter() - t0) * 1000)
                overhead = statistics.median(timings) - statistics.median(parse)
                print(f"rasa_parse_ms p50={statistics.median(parse):.1f} bot_overhead_ms p50={overhead:.1f}")
            finally:
                bot.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
