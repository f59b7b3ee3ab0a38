"""Status questions (kind ``status``): one ticket, my tickets, lists and counts, who is on duty,
answered from the store within what the asker may see (see :mod:`handlers.status.answers`)."""

from handlers.status.answers import answer_question, handle_status, status_pressed
from handlers.status.question import Shape, StatusQuestion, parse_question

__all__ = ["Shape", "StatusQuestion", "answer_question", "handle_status", "parse_question", "status_pressed"]
