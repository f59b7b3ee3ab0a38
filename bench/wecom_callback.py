"""Benchmark: how fast the WeCom callback is answered, and how long until the reply reaches WeCom.

A fresh ``helpdesk run`` on a temporary SQLite store, the real Rasa server with the trained model,
the fake WeCom API (tests/support/fake_wecom.py) on loopback; N text callbacks encrypted with the
real WeChatCrypto, sequentially. WeCom gives up on a callback after 5 s; the answer does not wait for
triage. Prints figures only; no target is asserted here.

Run: PYTHONPATH=. .venv/bin/python bench/wecom_callback.py [N]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from nlu.server import RasaServer
from tests.channels.wecom.conftest import people_file, wx
from tests.support.fake_wecom import AES_KEY, AGENT_ID, SECRET, TOKEN, FakeWecom, make_wecom_text
from tests.support.processes import BotProcess, free_port, write_config

MESSAGES = [
    "我电脑开机就蓝屏，今天的报表还没做",
    "帮我装一下 Visio",
    "显示器突然黑了，主机还在响",
    "怎么把打印机设成双面打印",
    "谢谢师傅",
]
SENDERS = ["staff.li", "staff.wang", "staff.zhang"]


def _figures(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"{name}: p50 {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms"


def _send_all(bot: BotProcess, fake: FakeWecom, n: int) -> tuple[list[float], list[float]]:
    answered, replied = [], []
    for i in range(n):
        sender = wx(SENDERS[i % len(SENDERS)])
        before = len(fake.sent_to(sender))
        query, body = fake.callback(make_wecom_text(sender, MESSAGES[i % len(MESSAGES)]))
        request = urllib.request.Request(f"{bot.url}/webhooks/wecom?{query}", data=body.encode(), method="POST")
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=10) as resp:
            assert resp.status == 200
        answered.append((time.perf_counter() - start) * 1000)
        fake.wait_until(lambda s=sender, b=before: len(fake.sent_to(s)) > b)  # type: ignore[misc]
        replied.append((time.perf_counter() - start) * 1000)
    return answered, replied


async def main(n: int) -> None:
    fake = FakeWecom().start()
    with tempfile.TemporaryDirectory(prefix="wecom-bench-") as tmp:
        folder = Path(tmp)
        async with RasaServer(Path("nlu/models/helpdesk-nlu.tar.gz")) as rasa:
            port = free_port()
            config = write_config(folder, f"sqlite+aiosqlite:///{folder / 'bench.db'}", rasa.base_url, port)
            config.write_text(
                f'people_file = "{people_file(folder)}"\n'
                + config.read_text(encoding="utf-8")
                + f'[wecom]\ncorp_id = "{fake.corp_id}"\nagent_id = {AGENT_ID}\nsecret = "{SECRET}"\n'
                f'token = "{TOKEN}"\naes_key = "{AES_KEY}"\napi_base = "{fake.base}"\n'
                "[outbox]\npoll_interval_s = 0.2\n",
                encoding="utf-8",
            )
            bot = BotProcess(config, port, folder / "bot.log")
            bot.start()
            try:
                answered, replied = await asyncio.to_thread(_send_all, bot, fake, n)
            finally:
                bot.stop()
    fake.stop()
    print(f"{n} WeCom text callbacks through helpdesk run + Rasa + the fake WeCom API")
    print(_figures("callback answered (empty 200)", answered))
    print(_figures("first reply at the WeCom API", replied))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 30))
