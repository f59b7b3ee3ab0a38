"""Alembic environment: runs on the connection handed over by ``storage.db.upgrade``."""

from alembic import context

import storage  # noqa: F401  (imports every model module, so the metadata is complete)
from storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `helpdesk db upgrade` (storage.db.upgrade)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds tables.
)
with context.begin_transaction():
    context.run_migrations()
