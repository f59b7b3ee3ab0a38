"""The asset registry (设备台账) and the monthly inspection checklist (巡检表).

A device is known by its label number (编号贴标, e.g. ``PC-0157``), the sticker the service company
puts on it; the label is unique and is what people type. Tickets link to devices through
``ticket_devices`` (a ticket may concern several devices, and a device collects its faults over the
years). An inspection record is one ticked item of the contract's monthly checklist for one device
and one month; ticking the same item again in the same month updates the record.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Device(Base):
    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(32), unique=True)  # 编号贴标, stored upper-case
    type: Mapped[str] = mapped_column(String(32), default="")  # pc | laptop | printer | ... (free text)
    brand: Mapped[str] = mapped_column(String(64), default="")
    model: Mapped[str] = mapped_column(String(128), default="")
    configuration: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    location: Mapped[str] = mapped_column(String(128), default="")
    purchase_date: Mapped[date | None] = mapped_column(Date)
    warranty_end: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class TicketDevice(Base):
    """A ticket concerns a device: set by an engineer, or recognised from a label in the message."""

    __tablename__ = "ticket_devices"
    __table_args__ = (UniqueConstraint("ticket_id", "device_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    linked_at: Mapped[datetime]
    linked_by: Mapped[str | None] = mapped_column(ForeignKey("people.id"))  # None: recognised in the message
    source: Mapped[str] = mapped_column(String(16))  # engineer | message | cli


class InspectionRecord(Base):
    """One item of the monthly checklist done for one device in one month (``month`` is ``YYYY-MM``)."""

    __tablename__ = "inspections"
    __table_args__ = (UniqueConstraint("device_id", "month", "item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    item: Mapped[str] = mapped_column(String(32))  # a key of storage.assets.INSPECTION_ITEMS
    result: Mapped[str] = mapped_column(String(16), default="ok")  # ok | issue
    note: Mapped[str] = mapped_column(Text, default="")
    done_by: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    done_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(16))  # the channel, or "cli"
