"""complaints, repairs, purchase requests, their trail, and chat dialogs

Revision ID: 0004b
Revises: 0003
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004b"
down_revision = "0003"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> "sa.Column[Any]":
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complainant_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("about", sa.JSON(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("engineer_id", sa.String(length=64), nullable=True),
        sa.Column("manager_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        _when("created_at"),
        _when("facts_due_at"),
        _when("answer_due_at"),
        _when("facts_checked_at", nullable=True),
        sa.Column("facts_checked_by", sa.String(length=64), nullable=True),
        sa.Column("facts", sa.Text(), nullable=True),
        _when("answered_at", nullable=True),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["complainant_id"], ["people.id"], name=op.f("fk_complaints_complainant_id_people")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_complaints_ticket_id_tickets")),
        sa.ForeignKeyConstraint(["engineer_id"], ["people.id"], name=op.f("fk_complaints_engineer_id_people")),
        sa.ForeignKeyConstraint(["manager_id"], ["people.id"], name=op.f("fk_complaints_manager_id_people")),
        sa.ForeignKeyConstraint(
            ["facts_checked_by"], ["people.id"], name=op.f("fk_complaints_facts_checked_by_people")
        ),
        sa.ForeignKeyConstraint(["answered_by"], ["people.id"], name=op.f("fk_complaints_answered_by_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaints_complainant_id"), ["complainant_id"], unique=False)

    op.create_table(
        "repairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=24), nullable=False),
        sa.Column("device", sa.String(length=200), nullable=True),
        sa.Column("serial", sa.String(length=100), nullable=True),
        sa.Column("fault", sa.Text(), nullable=True),
        sa.Column("accessories", sa.Text(), nullable=True),
        sa.Column("quote", sa.JSON(), nullable=False),
        sa.Column("quote_fen", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("engineer_id", sa.String(length=64), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        _when("signed_at", nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_repairs_ticket_id_tickets")),
        sa.ForeignKeyConstraint(["engineer_id"], ["people.id"], name=op.f("fk_repairs_engineer_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repairs")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_repairs_ticket_id")),
    )

    op.create_table(
        "purchase_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("budget_fen", sa.Integer(), nullable=True),
        sa.Column("needed_by", sa.String(length=64), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("recommendation", sa.Text(), nullable=True),
        sa.Column("quote_fen", sa.Integer(), nullable=True),
        sa.Column("quoted_by", sa.String(length=64), nullable=True),
        _when("quoted_at", nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        _when("decided_at", nullable=True),
        _when("created_at"),
        sa.ForeignKeyConstraint(["requester_id"], ["people.id"], name=op.f("fk_purchase_requests_requester_id_people")),
        sa.ForeignKeyConstraint(["quoted_by"], ["people.id"], name=op.f("fk_purchase_requests_quoted_by_people")),
        sa.ForeignKeyConstraint(["decided_by"], ["people.id"], name=op.f("fk_purchase_requests_decided_by_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_requests")),
    )
    with op.batch_alter_table("purchase_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_purchase_requests_requester_id"), ["requester_id"], unique=False)

    op.create_table(
        "service_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        _when("at"),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["people.id"], name=op.f("fk_service_events_actor_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_events")),
    )
    with op.batch_alter_table("service_events", schema=None) as batch_op:
        batch_op.create_index("ix_service_events_subject", ["subject", "subject_id"], unique=False)

    op.create_table(
        "dialogs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        _when("started_at"),
        _when("expires_at"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_dialogs_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogs")),
        sa.UniqueConstraint("channel", "person_id", name=op.f("uq_dialogs_channel")),
    )


def downgrade() -> None:
    op.drop_table("dialogs")
    with op.batch_alter_table("service_events", schema=None) as batch_op:
        batch_op.drop_index("ix_service_events_subject")
    op.drop_table("service_events")
    with op.batch_alter_table("purchase_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_requests_requester_id"))
    op.drop_table("purchase_requests")
    op.drop_table("repairs")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaints_complainant_id"))
    op.drop_table("complaints")
