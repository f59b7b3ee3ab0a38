"""``POST /webhooks/parse_many/``: several texts through the NLU pipeline in one graph run.

Why: the bot parses a message and, when it carries time, rank or urgency words, the message
without them (nlu/triage.py). Two ``/model/parse`` calls pay the HTTP round trip and every
component's per-call cost twice; one graph run over both messages pays them once, and the e5
featurizer encodes both texts in one batch (one per core). The parses are the same as
``/model/parse`` gives for each text alone (tests/nlu/test_nlu_server.py checks it).

Registered as a Rasa input channel (nlu/credentials.yml) because that is how Rasa lets a
project add a route to its own server; it never talks to a conversation. Like the rest of the
API it listens on the loopback interface only.

Body ``{"texts": ["...", "..."]}`` (1 to ``MAX_TEXTS`` non-empty strings); answer
``{"parses": [<what /model/parse answers>, ...]}`` in the same order. A malformed body gets
400 with a reason, a server without a model 409.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

MAX_TEXTS = 4
MAX_CHARS = 4000  # the bot sends one chat message; Rasa's own parse has no limit, this route does


def _bad_request(reason: Text) -> HTTPResponse:
    return response.json({"error": reason}, status=400)


def _texts(body: Any) -> Optional[List[Text]]:
    texts = body.get("texts") if isinstance(body, dict) else None
    if not isinstance(texts, list) or not 1 <= len(texts) <= MAX_TEXTS:
        return None
    if not all(isinstance(t, str) and t.strip() and len(t) <= MAX_CHARS for t in texts):
        return None
    return texts


def parse_many(agent: Any, texts: List[Text]) -> List[Dict[Text, Any]]:
    """What ``Agent.parse_message`` gives for each text, from one run of the prediction graph
    (the graph takes a list of messages; every component of the pipeline processes lists)."""
    processor = agent.processor
    tracker = DialogueStateTracker.from_events("parse_many", [])
    target = processor.model_metadata.nlu_target
    results = processor.graph_runner.run(
        inputs={PLACEHOLDER_MESSAGE: [UserMessage(t) for t in texts], PLACEHOLDER_TRACKER: tracker},
        targets=[target],
    )
    parses = []
    for message in results[target]:
        empty = {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}
        parse: Dict[Text, Any] = {TEXT: "", INTENT: empty, ENTITIES: []}
        parse.update(message.as_dict(only_output_properties=True))
        parses.append(parse)
    return parses


class ParseManyInput(InputChannel):
    """Adds ``POST /webhooks/parse_many/`` to the Rasa server."""

    @classmethod
    def name(cls) -> Text:
        return "parse_many"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("parse_many", __name__)

        @blueprint.route("/", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # Sanic raises its own error for a body that is not JSON
                return _bad_request("the body is not JSON")
            texts = _texts(body)
            if texts is None:
                return _bad_request(
                    f'expected {{"texts": [1 to {MAX_TEXTS} non-empty strings of at most {MAX_CHARS} characters]}}'
                )
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                return response.json({"error": "no model is loaded"}, status=409)
            return response.json({"parses": parse_many(agent, texts)})

        return blueprint
