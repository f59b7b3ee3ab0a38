"""inbound messages: a message id is unique per sender; handling attempts are counted

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_constraint("uq_inbound_messages_channel", type_="unique")
        batch_op.create_unique_constraint(
            "uq_inbound_messages_channel_sender", ["channel", "sender_ref", "channel_message_id"]
        )
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_column("last_error")
        batch_op.drop_column("attempts")
        batch_op.drop_constraint("uq_inbound_messages_channel_sender", type_="unique")
        batch_op.create_unique_constraint("uq_inbound_messages_channel", ["channel", "channel_message_id"])
