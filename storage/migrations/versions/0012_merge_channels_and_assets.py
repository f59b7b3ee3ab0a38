"""merge the chat channels (0011a) and the asset registry (0011b)

Revision ID: 0012
Revises: 0011a, 0011b
"""

revision = "0012"
down_revision = ("0011a", "0011b")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
