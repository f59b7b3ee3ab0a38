"""people.service_company: the service company's people marked as such in the directory

Until now the service company was recognised by its department string ("服务公司", the default of the
old staffing setting); people of that department are marked, so an upgraded store keeps refusing
their managers a customer's purchase until the directory is next read.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_OLD_SERVICE_COMPANY_DEPARTMENT = "服务公司"

_people = sa.table("people", sa.column("department", sa.String), sa.column("service_company", sa.Boolean))


def upgrade() -> None:
    op.add_column("people", sa.Column("service_company", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(
        _people.update()
        .where(_people.c.department == _OLD_SERVICE_COMPANY_DEPARTMENT)
        .values(service_company=sa.true())
    )


def downgrade() -> None:
    op.drop_column("people", "service_company")  # SQLite drops a column in place since 3.35
