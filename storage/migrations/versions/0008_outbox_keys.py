"""outbox keys: a message that is later replaced is named by a key, not by its outbox row id

The outbox gets a nullable, indexed ``key`` (the handler's name for a message it may replace later:
``page:1042:eng.chen``, ``record:7``). A page message keeps its key instead of its outbox id, and a
service record no longer keeps its message's outbox id (its key is ``record:<id>``). Messages sent
before the upgrade get their keys here, so a page running during the upgrade is still edited when
it is acknowledged; the downgrade gives the ids back from the keys.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


# Lightweight tables for the data steps (SQLAlchemy quotes "key" where a dialect needs it).
_outbox = sa.table(
    "outbox", sa.column("id", sa.Integer), sa.column("key", sa.String), sa.column("replaces_id", sa.Integer)
)
_page_messages = sa.table(
    "page_messages",
    sa.column("id", sa.Integer),
    sa.column("key", sa.String),
    sa.column("outbox_id", sa.Integer),
    sa.column("page_id", sa.Integer),
    sa.column("person_id", sa.String),
    sa.column("step", sa.Integer),
)
_service_records = sa.table("service_records", sa.column("id", sa.Integer), sa.column("outbox_id", sa.Integer))
_pages = sa.table("pages", sa.column("id", sa.Integer), sa.column("ticket_id", sa.Integer))
_tickets = sa.table("tickets", sa.column("id", sa.Integer), sa.column("number", sa.Integer))


def upgrade() -> None:
    # Not in batch mode: rebuilding the outbox on SQLite would drop a table other rows refer to.
    op.add_column("outbox", sa.Column("key", sa.String(length=128), nullable=True))
    op.create_index(op.f("ix_outbox_key"), "outbox", ["key"], unique=False)
    with op.batch_alter_table("page_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=128), nullable=True))

    conn = op.get_bind()
    for message_id, outbox_id, key in _page_message_keys(conn):
        conn.execute(_page_messages.update().where(_page_messages.c.id == message_id).values(key=key))
        conn.execute(_outbox.update().where(_outbox.c.id == outbox_id).values(key=key))
    records = _service_records.select().where(_service_records.c.outbox_id.is_not(None))
    for record_id, outbox_id in conn.execute(records).all():
        conn.execute(_outbox.update().where(_outbox.c.id == outbox_id).values(key=f"record:{record_id}"))

    with op.batch_alter_table("page_messages", schema=None) as batch_op:
        batch_op.alter_column("key", existing_type=sa.String(length=128), nullable=False)
        batch_op.drop_constraint("fk_page_messages_outbox_id_outbox", type_="foreignkey")
        batch_op.drop_column("outbox_id")
    with op.batch_alter_table("service_records", schema=None) as batch_op:
        batch_op.drop_constraint("fk_service_records_outbox_id_outbox", type_="foreignkey")
        batch_op.drop_column("outbox_id")


def _page_message_keys(conn: sa.Connection) -> list[tuple[int, int, str]]:
    """(page message, its outbox row, its key) with the keys ``handlers.paging.escalation`` gives:
    ``page:<ticket number>:<person>``, the step added for a second message of one page to one person."""
    m, p, t = _page_messages.c, _pages.c, _tickets.c
    query = (
        sa.select(m.id, m.outbox_id, m.page_id, m.person_id, m.step, t.number)
        .select_from(_page_messages.join(_pages, p.id == m.page_id).join(_tickets, t.id == p.ticket_id))
        .order_by(m.id)
    )
    keys: list[tuple[int, int, str]] = []
    taken: set[tuple[int, str]] = set()
    for message_id, outbox_id, page_id, person_id, step, number in conn.execute(query).all():
        key = f"page:{number}:{person_id}"
        if (page_id, key) in taken:
            key = f"{key}:{step}"
        taken.add((page_id, key))
        keys.append((message_id, outbox_id, key))
    return keys


def downgrade() -> None:
    with op.batch_alter_table("service_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outbox_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_service_records_outbox_id_outbox"), "outbox", ["outbox_id"], ["id"])
    with op.batch_alter_table("page_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outbox_id", sa.Integer(), nullable=True))

    conn = op.get_bind()

    def sent_under(key: str) -> int | None:
        """The message remembered under ``key`` (the newest, not an edit of it)."""
        query = sa.select(sa.func.max(_outbox.c.id)).where(_outbox.c.key == key, _outbox.c.replaces_id.is_(None))
        return conn.execute(query).scalar()

    for message_id, key in conn.execute(sa.select(_page_messages.c.id, _page_messages.c.key)).all():
        outbox_id = sent_under(key)
        conn.execute(_page_messages.update().where(_page_messages.c.id == message_id).values(outbox_id=outbox_id))
    for (record_id,) in conn.execute(sa.select(_service_records.c.id)).all():
        outbox_id = sent_under(f"record:{record_id}")
        conn.execute(_service_records.update().where(_service_records.c.id == record_id).values(outbox_id=outbox_id))

    with op.batch_alter_table("page_messages", schema=None) as batch_op:
        batch_op.alter_column("outbox_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f("fk_page_messages_outbox_id_outbox"), "outbox", ["outbox_id"], ["id"])
        batch_op.drop_column("key")
    op.drop_index(op.f("ix_outbox_key"), table_name="outbox")
    op.drop_column("outbox", "key")  # SQLite drops a column in place since 3.35
