"""Score triage against a hand-labelled file: what `helpdesk triage eval FILE` prints.

The file is tab-separated with a header ``kind<TAB>label<TAB>office<TAB>text`` (or without
``office``, for a file of one's own); ``office`` names the office, or the writer's batch where the
office is not known, a row comes from (``make bench-triage`` leaves one out at a time); ``label`` is the
severity of an incident, the article id of a how-to, ``-`` otherwise, and ``a|b`` means
either answer is right. Scoring is pure (gold rows and predicted triages in, numbers and
text out) so the same code scores the project, the peers and a test's fixtures.

Severity accuracy counts every incident row, whether its kind came out right or not (a
missed incident has no severity and so is wrong); article accuracy counts every how-to
row the same way.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nlu.client import NluClient
from nlu.triage import KINDS, SEVERITIES, Triage, triage

_ROOT = Path(__file__).resolve().parents[1]
TRAINED_FILES = (
    _ROOT / "tests" / "data" / "triage_dev.tsv",
    _ROOT / "tests" / "data" / "triage_check_lead.tsv",
    _ROOT / "tests" / "nlu" / "data" / "triage_holdout.tsv",
    _ROOT / "tests" / "nlu" / "data" / "triage_unseen.tsv",
    _ROOT / "tests" / "nlu" / "data" / "triage_unseen_2.tsv",
    _ROOT / "tests" / "nlu" / "data" / "triage_unseen_3.tsv",
)
"""The labelled files the shipped model also trains on (nlu/offices.yml); the leave-one-office-out
bench still trains each fold without the office it scores."""

HELD_OUT_FILES = (
    _ROOT / "tests" / "nlu" / "data" / "triage_unseen_4.tsv",
    _ROOT / "tests" / "nlu" / "data" / "triage_unseen_5.tsv",
    _ROOT / "tests" / "nlu" / "data" / "triage_unseen_6.tsv",
)
"""The newest offices' sets: never trained on by the shipped model, so CI checks it on them."""

LABELLED_FILES = TRAINED_FILES + HELD_OUT_FILES
"""Every labelled file with offices (the leave-one-office-out bench and lab read them all)."""

HEADER = ("kind", "label", "office", "text")
PLAIN_HEADER = ("kind", "label", "text")  # a file without offices
NONE = "-"


class EvalFileError(ValueError):
    """The evaluation file is not in the documented format; the message names the line."""


@dataclass(frozen=True)
class GoldRow:
    """One labelled message; ``labels`` holds every accepted severity or article id."""

    kind: str
    labels: frozenset[str]
    text: str
    line: int
    office: str = ""


def read_tsv(path: Path) -> list[GoldRow]:
    """Read and check an evaluation file; raise :class:`EvalFileError` naming the line."""
    rows: list[GoldRow] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    header = tuple(c.strip() for c in lines[0].split("\t")) if lines else ()
    if header not in (HEADER, PLAIN_HEADER):
        raise EvalFileError(f"{path}:1: the header must be 'kind<TAB>label<TAB>office<TAB>text' (office optional)")
    for number, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        parts = raw.split("\t")
        if len(parts) != len(header):
            raise EvalFileError(f"{path}:{number}: expected {len(header)} tab-separated fields, got {len(parts)}")
        fields = dict(zip(header, (p.strip() for p in parts), strict=True))
        kind, label, text, office = fields["kind"], fields["label"], fields["text"], fields.get("office", "")
        if header == HEADER and not office:
            raise EvalFileError(f"{path}:{number}: empty office")
        if kind not in KINDS:
            raise EvalFileError(f"{path}:{number}: unknown kind {kind!r}")
        labels = frozenset(x.strip() for x in label.split("|")) - {NONE, ""}
        if kind == "incident" and (not labels or not labels <= set(SEVERITIES)):
            raise EvalFileError(f"{path}:{number}: an incident needs a severity label, got {label!r}")
        if kind == "howto" and not labels:
            raise EvalFileError(f"{path}:{number}: a howto needs an article id label")
        if kind not in ("incident", "howto") and labels:
            raise EvalFileError(f"{path}:{number}: label must be '-' for kind {kind}")
        if not text:
            raise EvalFileError(f"{path}:{number}: empty text")
        rows.append(GoldRow(kind, labels, text, number, office))
    return rows


@dataclass(frozen=True)
class KindScore:
    kind: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Report:
    """Every figure of one evaluation run."""

    rows: int
    kind_accuracy: float
    severity_accuracy: float
    article_accuracy: float
    per_kind: tuple[KindScore, ...]
    severity_confusion: dict[str, dict[str, int]]
    """gold severity -> predicted severity (or the predicted kind when not an incident) -> count"""
    errors: tuple[tuple[GoldRow, Triage], ...]


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def _accuracy(num: int, den: int) -> float:
    """NaN (printed "nan") when the file has no rows of that kind: 0.000 would read as
    "all wrong" for a file of incidents only."""
    return num / den if den else float("nan")


def _severity_cell(pred: Triage) -> str:
    return (pred.severity or "?") if pred.kind == "incident" else f"({pred.kind})"


def score(gold: Sequence[GoldRow], predicted: Sequence[Triage]) -> Report:
    """Compare predictions with the gold rows (same order, same length)."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold rows but {len(predicted)} predictions")
    pairs = list(zip(gold, predicted, strict=True))
    kind_ok = sum(g.kind == p.kind for g, p in pairs)
    incidents = [(g, p) for g, p in pairs if g.kind == "incident"]
    severity_ok = sum(p.kind == "incident" and p.severity in g.labels for g, p in incidents)
    howtos = [(g, p) for g, p in pairs if g.kind == "howto"]
    article_ok = sum(p.kind == "howto" and p.article in g.labels for g, p in howtos)

    per_kind = []
    for kind in KINDS:
        tp = sum(g.kind == kind and p.kind == kind for g, p in pairs)
        predicted_n = sum(p.kind == kind for _, p in pairs)
        support = sum(g.kind == kind for g, _ in pairs)
        precision, recall = _ratio(tp, predicted_n), _ratio(tp, support)
        f1 = _ratio(2 * tp, predicted_n + support)
        per_kind.append(KindScore(kind, precision, recall, f1, support))

    confusion: dict[str, dict[str, int]] = {s: {} for s in SEVERITIES}
    for g, p in incidents:
        gold_sev = sorted(g.labels)[0] if len(g.labels) == 1 else "|".join(sorted(g.labels))
        cell = confusion.setdefault(gold_sev, {})
        col = _severity_cell(p)
        cell[col] = cell.get(col, 0) + 1

    errors = tuple(
        (g, p)
        for g, p in pairs
        if g.kind != p.kind
        or (g.kind == "incident" and p.severity not in g.labels)
        or (g.kind == "howto" and p.article not in g.labels)
    )
    return Report(
        rows=len(pairs),
        kind_accuracy=_accuracy(kind_ok, len(pairs)),
        severity_accuracy=_accuracy(severity_ok, len(incidents)),
        article_accuracy=_accuracy(article_ok, len(howtos)),
        per_kind=tuple(per_kind),
        severity_confusion=confusion,
        errors=errors,
    )


def summary_line(report: Report) -> str:
    """The last line of every report, the one scripts and CI read."""
    return (
        f"kind_accuracy={report.kind_accuracy:.3f} severity_accuracy={report.severity_accuracy:.3f} "
        f"article_accuracy={report.article_accuracy:.3f}"
    )


def format_report(report: Report, *, title: str = "triage", show_errors: int = 20) -> str:
    """Per-kind P/R/F1, the severity confusion matrix, the errors, then the summary line."""
    out = [f"== {title}: {report.rows} messages", "", f"{'kind':<10} {'P':>6} {'R':>6} {'F1':>6} {'n':>5}"]
    for k in report.per_kind:
        out.append(f"{k.kind:<10} {k.precision:6.3f} {k.recall:6.3f} {k.f1:6.3f} {k.support:5d}")
    columns = [*SEVERITIES, "?"]
    for row in report.severity_confusion.values():
        columns += [c for c in row if c not in columns]
    out += ["", "severity confusion (rows: gold, columns: predicted)"]
    out.append(f"{'':<16}" + "".join(f"{c[:12]:>13}" for c in columns))
    for gold_sev, row in report.severity_confusion.items():
        if row or gold_sev in SEVERITIES:
            out.append(f"{gold_sev:<16}" + "".join(f"{row.get(c, 0):>13}" for c in columns))
    if report.errors and show_errors:
        out += ["", f"errors ({len(report.errors)}, first {min(show_errors, len(report.errors))}):"]
        for g, p in report.errors[:show_errors]:
            want = g.kind + (f"/{'|'.join(sorted(g.labels))}" if g.labels else "")
            got = p.kind + (f"/{p.severity or p.article}" if (p.severity or p.article) else "")
            out.append(f"  line {g.line}: want {want}, got {got} ({p.confidence:.2f}): {g.text}")
    out += ["", summary_line(report)]
    return "\n".join(out)


@dataclass(frozen=True)
class Timed:
    """Predictions with the wall time of each one, in milliseconds."""

    predictions: tuple[Triage, ...]
    latencies_ms: tuple[float, ...]


def latency_line(latencies_ms: Iterable[float]) -> str:
    values = sorted(latencies_ms)
    if not values:
        return "latency: no messages"

    def pct(q: float) -> float:
        return values[min(len(values) - 1, int(q * len(values)))]

    mean = sum(values) / len(values)
    return f"latency per message: mean {mean:.1f} ms, p50 {pct(0.5):.1f} ms, p95 {pct(0.95):.1f} ms"


async def predict(client: NluClient, rows: Sequence[GoldRow]) -> Timed:
    """Triage every row exactly as the bot does, timing each message."""
    predictions, latencies = [], []
    for row in rows:
        start = time.perf_counter()
        predictions.append(await triage(client, row.text))
        latencies.append((time.perf_counter() - start) * 1000)
    return Timed(tuple(predictions), tuple(latencies))


async def evaluate_file(path: Path, client: NluClient) -> str:
    """The full report for one file, ending with the summary line (for the CLI)."""
    rows = read_tsv(path)
    timed = await predict(client, rows)
    report = score(rows, timed.predictions)
    text = format_report(report, title=f"project (model + rules) on {path.name}")
    head, _, last = text.rpartition("\n")
    return f"{head}\n{latency_line(timed.latencies_ms)}\n{last}"
