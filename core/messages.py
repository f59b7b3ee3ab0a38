"""The one internal message type, the one reply type, and button payloads.

Channel adapters translate to and from these and nothing else; handlers see only these. This module
imports no SDK so that ``handlers`` may use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

# Button payloads are short and versioned. "/v1.ack 1042" was the unsigned form: anyone could type
# it, so it is now ordinary text. "/v2.ack 57.0.<mac>" names the sent message (outbox id 57) and the
# button in it (the first) and carries a MAC over (action, ref, sent message, recipient), added where
# the reply is written to the outbox; the pipeline reads the ref from the sent message and counts the
# press only when it all checks out. Telegram's callback_data holds at most 64 bytes.
PAYLOAD_PREFIX = "/v1."
SIGNED_PREFIX = "/v2."
MAX_PAYLOAD_BYTES = 64


class Action(StrEnum):
    """What a button asks for. The value is the short code carried in the payload."""

    OPEN_TICKET = "open"  # open a ticket from a message as is (ref: inbound message id)
    SOLVED = "solved"  # a how-to answer helped (ref: article id)
    NOT_SOLVED = "unsolved"  # it did not: open a ticket (ref: inbound message id)
    CLARIFY = "clarify"  # the answer to the clarifying question (ref: "<inbound id>:<kind>")
    ARTICLE = "article"  # show an article (ref: article id)
    ACKNOWLEDGE = "ack"  # an engineer acknowledges a page (ref: ticket number)
    TAKE = "take"
    ESCALATE = "esc"
    RESOLVE = "resolve"
    CONFIRM = "confirm"  # the requester confirms the service record
    REOPEN = "reopen"
    FACTS_CHECKED = "facts"  # the service manager records a complaint's facts (ref: complaint id)
    ANSWER = "answer"  # the service manager writes the answer to a complaint (ref: complaint id)
    REPAIR_STEP = "rstep"  # an engineer records a repair step (ref: "<ticket number>:<step>")
    APPROVE = "approve"  # approve a quote (ref: "repair:<ticket number>" or "purchase:<request id>")
    DECLINE = "decline"  # decline a quote (same refs)
    SIGN = "sign"  # the requester signs for a returned device (ref: ticket number)
    DIALOG_ANSWER = "dlg"  # "that message was my answer": give it to the open dialog (ref: inbound id)
    STATUS = "stq"  # a status question with what a clarifying question asked for (ref: the question)
    LOWER = "lower"  # a page's "not urgent": lower the ticket one severity (ref: "<ticket number>:<severity>")


@dataclass(frozen=True)
class Button:
    """A button as a handler returns it: data. ``signed`` is the payload the outbox gave it (empty
    until then); channels show and send back ``payload`` as is."""

    title: str
    action: Action
    ref: str = ""
    signed: str = field(default="", compare=False)

    @property
    def payload(self) -> str:
        return self.signed or f"{PAYLOAD_PREFIX}{self.action.value} {self.ref}".rstrip()

    def signed_payload(self, sent_id: int, index: int, mac: str) -> str:
        """The signed form: the ``index``-th button of the sent message ``sent_id``. The ref is not
        carried (it is read from the sent message), which keeps any payload far under 64 bytes."""
        return f"{SIGNED_PREFIX}{self.action.value} {sent_id}.{index}.{mac}"


@dataclass(frozen=True)
class ButtonPress:
    """A press as read from a text. ``sent`` and ``mac`` are None and empty for the unsigned form,
    which never counts as a press; the pipeline checks the MAC against the sent message."""

    action: Action
    ref: str
    sent: int | None = None
    index: int = 0
    mac: str = ""


def parse_payload(text: str) -> ButtonPress | None:
    """The button press a text claims to be, or None for ordinary text (or an unknown payload).

    Not yet checked: only a signed press whose MAC the pipeline verifies counts."""
    if text.startswith(SIGNED_PREFIX):
        code, _, tail = text[len(SIGNED_PREFIX) :].partition(" ")
        sent, _, rest = tail.partition(".")
        index, _, mac = rest.partition(".")
        if not sent.isdigit() or not index.isdigit() or not mac:
            return None
        try:
            return ButtonPress(Action(code), "", int(sent), int(index), mac)
        except ValueError:
            return None
    if not text.startswith(PAYLOAD_PREFIX):
        return None
    code, _, ref = text[len(PAYLOAD_PREFIX) :].partition(" ")
    try:
        return ButtonPress(Action(code), ref.strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class Attachment:
    """A file that came with a message, already kept by ``Helpdesk.store_file`` (``ref`` is what it
    returned); the pipeline links it to the ticket the message is about."""

    kind: str  # image | file
    name: str
    ref: str
    size: int = 0


@dataclass(frozen=True)
class InboundMessage:
    """A message as a channel received it. ``sender`` is the channel's user id."""

    channel: str
    sender: str
    chat: str
    message_id: str
    text: str
    received_at: datetime
    attachments: tuple[Attachment, ...] = ()
    is_group: bool = False


# Limits of the store (String(128) columns) and of a chat message.
MAX_ID_LENGTH = 128
MAX_TEXT_LENGTH = 4000

# C0 controls but tab and newlines, DEL, and C1 controls: no chat shows them, PostgreSQL refuses NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def invalid_reason(msg: InboundMessage) -> str | None:
    """Why a message can never be stored as it is, or None when it is fine.

    Checked at the edge so that a permanent client error is answered as one (and not as a busy store
    to retry)."""
    for name, value in (("sender", msg.sender), ("chat", msg.chat), ("message id", msg.message_id)):
        if not value:
            return f"{name} is empty"
        if len(value) > MAX_ID_LENGTH:
            return f"{name} is longer than {MAX_ID_LENGTH} characters"
        if _CONTROL.search(value):
            return f"{name} contains a control character"
    if len(msg.text) > MAX_TEXT_LENGTH:
        return f"message is longer than {MAX_TEXT_LENGTH} characters"
    if _CONTROL.search(msg.text):
        return "message contains a control character (such as NUL)"
    return None


def printable(text: str) -> str:
    """``text`` without control characters, for showing stored text in chat, a terminal or a page."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


@dataclass(frozen=True)
class FileRef:
    name: str
    path: str


@dataclass(frozen=True)
class Reply:
    """What the bot says: text, buttons (degraded to text where a channel has none), files."""

    text: str
    buttons: tuple[Button, ...] = ()
    files: tuple[FileRef, ...] = ()

    def to_payload(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "buttons": [
                {
                    "title": b.title,
                    "action": b.action.value,
                    "ref": b.ref,
                    **({"payload": b.signed} if b.signed else {}),
                }
                for b in self.buttons
            ],
            "files": [{"name": f.name, "path": f.path} for f in self.files],
        }

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Reply:
        return cls(
            text=str(data["text"]),
            buttons=tuple(
                Button(b["title"], Action(b["action"]), b.get("ref", ""), b.get("payload", "")) for b in data["buttons"]
            ),
            files=tuple(FileRef(f["name"], f["path"]) for f in data.get("files", [])),
        )

    def as_plain_text(self) -> str:
        """The reply for a channel without buttons: each button becomes a numbered line."""
        if not self.buttons:
            return self.text
        lines = [self.text, ""]
        lines += [f"[{i}] {b.title}" for i, b in enumerate(self.buttons, start=1)]
        return "\n".join(lines)


@dataclass(frozen=True)
class Outgoing:
    """A reply a handler produced. ``to`` None means the sender, in the chat they wrote from.

    A message that may later be replaced is given a ``key`` the handler chooses (``page:1042:eng.chen``,
    the page of ticket 1042 to one engineer); a later reply names it in ``replaces_key`` and is shown
    in its place (edited where the channel can edit, sent anew where it cannot). The dispatcher keeps
    the keys: a key that names no sent message sends the reply as a new message to ``to``."""

    reply: Reply
    to: str | None = None
    ticket_id: int | None = None
    key: str | None = None  # remember this message under this key
    replaces_key: str | None = None  # replace the message remembered under this key


@dataclass(frozen=True)
class Delivery:
    """One outbox row handed to a channel adapter."""

    outbox_id: int
    channel: str
    recipient: str  # person id
    chat: str
    reply: Reply
    edit_of: str | None = None  # channel message id to edit in place
    extra: dict[str, Any] = field(default_factory=dict)
