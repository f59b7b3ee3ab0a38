"""The outbox in one place: every reply goes through it, written with the change it reports.

- ``dispatch``: a handler's ``Outgoing`` list → outbox rows, in the handler's transaction; keeps the
  keys by which a later reply replaces an earlier message. The only writer of the outbox.
- ``OutboxWorker``: sends the rows through the channel adapters (editing in place where a row
  replaces an earlier message), retries with backoff, and marks the answers a channel returned in
  its HTTP response.

The queries themselves are ``storage``'s (``storage.messages``).
"""

from bot.outbox.dispatch import dispatch, route
from bot.outbox.worker import OutboxWorker

__all__ = ["OutboxWorker", "dispatch", "route"]
