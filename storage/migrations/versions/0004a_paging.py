"""paging: pages, page messages, affected people, service records

Revision ID: 0004a
Revises: 0003
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0004a"
down_revision = "0003"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("next_step", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        _when("started_at"),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        _when("acknowledged_at", nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_pages_ticket_id_tickets")),
        sa.ForeignKeyConstraint(["acknowledged_by"], ["people.id"], name=op.f("fk_pages_acknowledged_by_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pages")),
    )
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pages_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "page_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        _when("sent_at"),
        sa.ForeignKeyConstraint(["page_id"], ["pages.id"], name=op.f("fk_page_messages_page_id_pages")),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"], name=op.f("fk_page_messages_outbox_id_outbox")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_page_messages_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_messages")),
    )
    with op.batch_alter_table("page_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_page_messages_page_id"), ["page_id"], unique=False)

    op.create_table(
        "ticket_affected",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("inbound_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        _when("at"),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_affected_ticket_id_tickets")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_ticket_affected_person_id_people")),
        sa.ForeignKeyConstraint(
            ["inbound_id"], ["inbound_messages.id"], name=op.f("fk_ticket_affected_inbound_id_inbound_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_affected")),
        sa.UniqueConstraint("ticket_id", "person_id", name=op.f("uq_ticket_affected_ticket_id")),
    )
    with op.batch_alter_table("ticket_affected", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_affected_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "service_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("engineer_id", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _when("created_at"),
        sa.Column("status", sa.String(length=16), nullable=False),
        _when("answered_at", nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_service_records_ticket_id_tickets")),
        sa.ForeignKeyConstraint(["engineer_id"], ["people.id"], name=op.f("fk_service_records_engineer_id_people")),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"], name=op.f("fk_service_records_outbox_id_outbox")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_records")),
    )
    with op.batch_alter_table("service_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_records_ticket_id"), ["ticket_id"], unique=False)


def downgrade() -> None:
    for table in ("service_records", "ticket_affected", "page_messages", "pages"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_{'page_id' if table == 'page_messages' else 'ticket_id'}"))
        op.drop_table(table)
