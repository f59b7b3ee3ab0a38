"""the asset registry: devices, the tickets that concern them, and the monthly inspection checklist

Revision ID: 0011b
Revises: 0010
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011b"
down_revision = "0010"
branch_labels = None
depends_on = None


def _when(name: str) -> "sa.Column[Any]":
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("brand", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=128), nullable=False),
        sa.Column("configuration", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=True),
        sa.Column("location", sa.String(length=128), nullable=False),
        sa.Column("purchase_date", sa.Date(), nullable=True),
        sa.Column("warranty_end", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        _when("created_at"),
        _when("updated_at"),
        sa.ForeignKeyConstraint(["owner_id"], ["people.id"], name=op.f("fk_devices_owner_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("label", name=op.f("uq_devices_label")),
    )

    op.create_table(
        "ticket_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        _when("linked_at"),
        sa.Column("linked_by", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_devices_ticket_id_tickets")),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name=op.f("fk_ticket_devices_device_id_devices")),
        sa.ForeignKeyConstraint(["linked_by"], ["people.id"], name=op.f("fk_ticket_devices_linked_by_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_devices")),
        sa.UniqueConstraint("ticket_id", "device_id", name=op.f("uq_ticket_devices_ticket_id")),
    )
    with op.batch_alter_table("ticket_devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_devices_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ticket_devices_device_id"), ["device_id"], unique=False)

    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("done_by", sa.String(length=64), nullable=True),
        _when("done_at"),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name=op.f("fk_inspections_device_id_devices")),
        sa.ForeignKeyConstraint(["done_by"], ["people.id"], name=op.f("fk_inspections_done_by_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
        sa.UniqueConstraint("device_id", "month", "item", name=op.f("uq_inspections_device_id")),
    )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspections_device_id"), ["device_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspections_month"), ["month"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspections_month"))
        batch_op.drop_index(batch_op.f("ix_inspections_device_id"))
    op.drop_table("inspections")
    with op.batch_alter_table("ticket_devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_devices_device_id"))
        batch_op.drop_index(batch_op.f("ix_ticket_devices_ticket_id"))
    op.drop_table("ticket_devices")
    op.drop_table("devices")
