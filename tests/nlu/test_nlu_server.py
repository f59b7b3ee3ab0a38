"""RasaServer runs the real Rasa child process: start, answer, stop, fail clearly."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp
import pytest

from nlu.server import RasaServer, RasaStartError, find_model


async def _intent(server: RasaServer, text: str) -> str:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{server.base_url}/model/parse", json={"text": text}) as resp:
            assert resp.status == 200
            body = await resp.json()
    name: str = body["intent"]["name"]
    return name


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("三楼整层都断网了，大家都没法工作", "incident_urgent"),
        ("我电脑开机就蓝屏，今天的报表还没做", "incident_high"),
        ("帮我装一下 Visio", "incident_normal"),
        ("显示器突然黑了，主机还在响", "incident_hardware"),
        ("怎么把打印机设成双面打印", "howto_printer-settings"),
        ("我上周报的那个打印机的单子修好了吗", "status"),
        ("工程师说好下午来结果一直没人来，太耽误事了", "complaint"),
        ("想配一台做设计用的电脑，帮忙推荐一下报个价", "purchase"),
        ("谢谢师傅", "chitchat"),
    ],
)
async def test_started_server_parses_the_rubric_examples(rasa_server: RasaServer, text: str, intent: str) -> None:
    assert rasa_server.running
    assert await _intent(rasa_server, text) == intent


async def test_parse_many_answers_each_text_as_model_parse_does(rasa_server: RasaServer) -> None:
    texts = ["打印机坏了，老板急着要，马上来！", "打印机坏了", "how do I turn on double-sided printing"]
    async with aiohttp.ClientSession() as session:
        alone = []
        for text in texts:
            async with session.post(f"{rasa_server.base_url}/model/parse", json={"text": text}) as resp:
                alone.append(await resp.json())
        async with session.post(f"{rasa_server.base_url}/webhooks/parse_many/", json={"texts": texts}) as resp:
            assert resp.status == 200
            together = (await resp.json())["parses"]
    assert [p["text"] for p in together] == texts
    for one, batched in zip(alone, together, strict=True):
        assert batched["intent"]["name"] == one["intent"]["name"]
        assert batched["intent"]["confidence"] == pytest.approx(one["intent"]["confidence"], abs=1e-9)
        assert [r["name"] for r in batched["intent_ranking"]] == [r["name"] for r in one["intent_ranking"]]
        assert batched["entities"] == one["entities"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "the body is not JSON"),
        (b'{"text": "one"}', 'expected {"texts"'),
        (b'{"texts": []}', 'expected {"texts"'),
        (b'{"texts": ["", "x"]}', 'expected {"texts"'),
        (b'{"texts": [1]}', 'expected {"texts"'),
        (b'{"texts": ["a", "b", "c", "d", "e"]}', 'expected {"texts"'),
    ],
)
async def test_parse_many_refuses_a_malformed_body_with_a_reason(
    rasa_server: RasaServer, body: bytes, reason: str
) -> None:
    async with aiohttp.ClientSession() as session:
        url = f"{rasa_server.base_url}/webhooks/parse_many/"
        async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as resp:
            assert resp.status == 400
            assert (await resp.json())["error"].startswith(reason)


def _outside_address() -> str | None:
    """This machine's address on its network (not loopback), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("203.0.113.1", 9))  # no packet is sent: this only picks the outgoing interface
        except OSError:
            return None
        address: str = probe.getsockname()[0]
    return None if address.startswith("127.") else address


async def test_parse_many_cannot_be_reached_from_outside_the_machine(rasa_server: RasaServer) -> None:
    # The route takes no identity: only the bot on the same machine may reach it (Rasa binds 127.0.0.1).
    address = _outside_address()
    if address is None:
        pytest.skip("this machine has no network address besides loopback")
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.post(f"http://{address}:{rasa_server.port}/webhooks/parse_many/", json={"texts": ["网断了"]})
        async with session.post(f"{rasa_server.base_url}/webhooks/parse_many/", json={"texts": ["网断了"]}) as resp:
            assert resp.status == 200


async def test_stop_ends_the_rasa_process(trained_model: Path) -> None:
    server = RasaServer(trained_model)
    await server.start()
    process = server._process
    assert process is not None and process.poll() is None
    await server.stop()
    assert process.poll() is not None
    assert not server.running


async def test_a_model_rasa_cannot_load_fails_start_with_rasa_log_tail(tmp_path: Path) -> None:
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not a model")
    server = RasaServer(broken, startup_timeout_s=150)
    with pytest.raises(RasaStartError) as info:
        await server.start()
    message = str(info.value)
    assert "could not load the model" in message
    assert "No valid model found" in message  # Rasa's own words, from its log
    assert str(server.log_path) in message
    assert not server.running


def test_missing_model_names_the_training_command(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nlu/tools/train\.sh"):
        find_model(tmp_path)
