"""The leave-one-office-out bench's own arithmetic: what a fold trains on, and how the clarifying
question is counted (the Rasa part is the real thing, run by ``make bench-triage``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from nlu.evaluation import GoldRow
from nlu.training_data import training_rows
from nlu.triage import Triage

TOOL = Path(__file__).resolve().parents[2] / "nlu" / "tools" / "bench_loo.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_loo", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_loo"] = module
    spec.loader.exec_module(module)
    return module


def row(kind: str, labels: str, text: str, office: str = "hotel") -> GoldRow:
    return GoldRow(kind, frozenset(labels.split("|")) - {"-"}, text, 2, office)


def answer(kind: str, severity: str | None = None, article: str | None = None, asks: bool = False) -> Triage:
    return Triage(kind, severity, article, 0.5, asks, None, ())


def test_a_fold_learns_each_row_under_the_intent_its_label_names_and_skips_two_labels() -> None:
    rows = [
        row("incident", "urgent", "整层断网"),
        row("incident", "high|hardware", "开不了机"),
        row("howto", "printer-settings", "怎么双面打印"),
        row("unknown", "-", "明天下雨吗"),
        row("status", "-", "我的单子呢"),
    ]
    assert training_rows(rows) == [
        ("incident_urgent", "整层断网"),
        ("howto_printer-settings", "怎么双面打印"),
        ("out_of_scope", "明天下雨吗"),
        ("status", "我的单子呢"),
    ]


def test_the_clarifying_question_is_counted_with_the_answer_it_would_have_given() -> None:
    bench = _tool()
    gold = [row("incident", "high", "a"), row("howto", "vpn-connect", "b"), row("status", "-", "c")]
    fold = bench.Fold(
        "hotel",
        (answer("unknown", asks=True), answer("unknown", asks=True), answer("complaint")),
        (10.0, 20.0, 30.0),
        (answer("incident", "high"), answer("howto", article="wifi-connect"), None),
    )
    # 3 rows; asked twice, and once the answer it would have given was wrong; answered once, wrongly.
    assert bench.clarifying(gold, [fold]) == (3, 2, 1, 1, 1)
