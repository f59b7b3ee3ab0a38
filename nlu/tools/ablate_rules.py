"""Is each rubric rule worth keeping at first sight? The leave-one-office-out figure without it.

Reads the folds ``bench_loo.py`` kept (each fold's Rasa parses, from a model that never saw that
office) and computes the project's answers again with the current triage code: as it is, with no
rules, without the neutral-text parse, and with each rule left out in turn. Nothing is retrained, so
this takes seconds once ``make bench-triage`` has run.

    .venv/bin/python nlu/tools/ablate_rules.py [--work var/bench-loo]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import nlu.rules as rules_module
import nlu.triage as triage_module
from nlu.evaluation import GoldRow, Report, score

_spec = importlib.util.spec_from_file_location("bench_loo", Path(__file__).with_name("bench_loo.py"))
assert _spec is not None and _spec.loader is not None
bench_loo = importlib.util.module_from_spec(_spec)
sys.modules["bench_loo"] = bench_loo
_spec.loader.exec_module(bench_loo)


def _folds(work: Path) -> list[tuple[list[GoldRow], dict[str, Any]]]:
    rows = bench_loo.all_rows()
    out = []
    for office in dict.fromkeys(r.office for r in rows):
        path = work / f"{office}.json"
        if path.exists():
            out.append(([r for r in rows if r.office == office], json.loads(path.read_text(encoding="utf-8"))))
    return out


async def _pooled(folds: list[tuple[list[GoldRow], dict[str, Any]]]) -> tuple[Report, int]:
    gold, predictions, missing = [], [], 0
    for held, data in folds:
        client = bench_loo._Cached(data["parses"])
        for row in held:
            try:
                predictions.append(await triage_module.triage(client, row.text))
            except KeyError:  # a text this fold's model never parsed: left out, and counted
                missing += 1
                continue
            gold.append(row)
    return score(gold, predictions), missing


@contextmanager
def _without(name: str) -> Iterator[None]:
    kept = tuple(rule for rule in rules_module.RULES if rule[0] != name)
    with mock.patch.object(rules_module, "RULES", kept):
        yield


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=bench_loo.ROOT / "var" / "bench-loo")
    args = parser.parse_args()
    folds = _folds(args.work)
    print(f"{len(folds)} folds, {sum(len(h) for h, _ in folds)} rows")
    print(f"{'variant':<40} {'kind':>6} {'severity':>9} {'article':>8} {'missing':>8}")
    variants: list[tuple[str, Any]] = [
        ("as shipped", nullcontext()),
        ("no rules", mock.patch.object(rules_module, "RULES", ())),
        ("no neutral-text parse", mock.patch.object(triage_module, "severity_text", lambda text: "")),
    ]
    variants += [(f"without {name}", _without(name)) for name, _ in rules_module.RULES]
    for label, context in variants:
        with context:
            report, missing = asyncio.run(_pooled(folds))
        print(
            f"{label:<40} {report.kind_accuracy:6.3f} {report.severity_accuracy:9.3f} "
            f"{report.article_accuracy:8.3f} {missing:8d}"
        )


if __name__ == "__main__":
    main()
