"""article events: knowledge-base deflection counts

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=True),
        sa.Column("inbound_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_article_events_person_id_people")),
        sa.ForeignKeyConstraint(
            ["inbound_id"], ["inbound_messages.id"], name=op.f("fk_article_events_inbound_id_inbound_messages")
        ),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_article_events_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_events")),
    )
    with op.batch_alter_table("article_events", schema=None) as batch_op:
        batch_op.create_index("ix_article_events_article_at", ["article_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("article_events", schema=None) as batch_op:
        batch_op.drop_index("ix_article_events_article_at")
    op.drop_table("article_events")
