"""The trained model with the rules, through the real Rasa server.

The shipped model trains on nlu/data and on the labelled offices' rows (nlu/offices.yml, made from
nlu.evaluation.TRAINED_FILES: the dev set, the lead's check, the holdout and unseen sets 1-3), so on
those sets the check is that it still answers what it was taught. The three newest offices' sets
(tests/nlu/data/triage_unseen_4/5/6.tsv: a biotech lab, a school's administration, a freight
forwarder) were written from the rubric alone by writers who never saw the training data, and the
shipped model never trains on them: the check there is generalisation. Targets from the triage
issue: kind >= 0.95, severity >= 0.90, article >= 0.90.
"""

from __future__ import annotations

import math
from pathlib import Path

import aiohttp
import pytest

from nlu.evaluation import HELD_OUT_FILES, TRAINED_FILES, evaluate_file, read_tsv, score
from nlu.rasa_http import RasaHttpClient
from nlu.server import RasaServer
from nlu.triage import triage

from .test_evaluation import DEV_SET


async def _figures(rasa_server: RasaServer, path: Path) -> tuple[str, dict[str, float]]:
    async with aiohttp.ClientSession() as session:
        client = RasaHttpClient(session, rasa_server.base_url, 30.0)
        text = await evaluate_file(path, client)
    last = text.splitlines()[-1]
    figures = {name: float(value) for name, value in (item.split("=") for item in last.split())}
    # nan: the set has no row of that kind (the lead's check has no how-to), so nothing to score
    return text, {name: value for name, value in figures.items() if not math.isnan(value)}


@pytest.mark.parametrize("path", HELD_OUT_FILES, ids=[p.stem for p in HELD_OUT_FILES])
async def test_offices_never_trained_on_meet_the_triage_targets(rasa_server: RasaServer, path: Path) -> None:
    text, figures = await _figures(rasa_server, path)
    assert figures["kind_accuracy"] >= 0.95, text
    assert figures["severity_accuracy"] >= 0.90, text
    assert figures["article_accuracy"] >= 0.90, text


@pytest.mark.parametrize("path", TRAINED_FILES, ids=[p.stem for p in TRAINED_FILES])
async def test_the_model_still_answers_the_offices_it_was_taught(rasa_server: RasaServer, path: Path) -> None:
    text, figures = await _figures(rasa_server, path)
    assert {"kind_accuracy", "severity_accuracy"} <= figures.keys(), text
    # Below 1: rows accepting two severities teach neither, the rules and the clarifying question
    # overrule the model, and a logistic regression does not fit every example.
    assert figures["kind_accuracy"] >= 0.97, text
    assert figures["severity_accuracy"] >= 0.95, text
    assert figures.get("article_accuracy", 1.0) >= 0.95, text


async def test_time_and_rank_words_do_not_change_severity(rasa_server: RasaServer) -> None:
    plain_and_dressed = [
        ("电脑有点慢，帮忙看看", "老板的电脑有点慢，帮忙看看，急！！"),
        ("帮我装一下Visio", "周末晚上帮我装一下Visio，领导要"),
        ("显示器不亮了，主机还在响", "总经理的显示器不亮了，主机还在响，ASAP"),
    ]
    async with aiohttp.ClientSession() as session:
        client = RasaHttpClient(session, rasa_server.base_url, 30.0)
        for plain, dressed in plain_and_dressed:
            a, b = await triage(client, plain), await triage(client, dressed)
            assert (a.kind, a.severity) == (b.kind, b.severity), (plain, dressed)


async def test_every_article_id_comes_back_from_the_model(rasa_server: RasaServer) -> None:
    rows = [r for r in read_tsv(DEV_SET) if r.kind == "howto"]
    async with aiohttp.ClientSession() as session:
        client = RasaHttpClient(session, rasa_server.base_url, 30.0)
        predicted = [await triage(client, r.text) for r in rows]
    assert score(rows, predicted).article_accuracy >= 0.90
    assert len({r.article for r in predicted if r.article}) == 31
