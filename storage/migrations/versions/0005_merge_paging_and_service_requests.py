"""merge the paging and the service-request branches

Revision ID: 0005
Revises: 0004a, 0004b
"""

revision = "0005"
down_revision = ("0004a", "0004b")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
