"""The tables, one module per domain. Reached only through the functions exported by ``storage``.

Every model is re-exported here, so ``from storage.models import Ticket`` works whichever module
holds it; importing this package registers every table on ``Base.metadata`` (what Alembic compares).
"""

from storage.models.access import ApiToken, Credential, Secret, SignInFailure, SignInLink
from storage.models.assets import Device, InspectionRecord, TicketDevice
from storage.models.base import NAMING, Base, UtcDateTime
from storage.models.kb import ArticleEvent
from storage.models.messages import Dialog, InboundMessage, OutboxMessage
from storage.models.paging import AffectedPerson, Page, PageMessage, RosterOverride, ServiceRecord
from storage.models.people import Identity, Invite, Person
from storage.models.service import Complaint, PurchaseRequest, Repair, ServiceEvent
from storage.models.tickets import Attachment, Ticket, TicketEvent
from storage.models.timers import Timer

__all__ = [
    "NAMING",
    "AffectedPerson",
    "ApiToken",
    "ArticleEvent",
    "Attachment",
    "Base",
    "Complaint",
    "Credential",
    "Device",
    "Dialog",
    "Identity",
    "InboundMessage",
    "InspectionRecord",
    "Invite",
    "OutboxMessage",
    "Page",
    "PageMessage",
    "Person",
    "PurchaseRequest",
    "Repair",
    "RosterOverride",
    "Secret",
    "ServiceEvent",
    "ServiceRecord",
    "SignInFailure",
    "SignInLink",
    "Ticket",
    "TicketDevice",
    "TicketEvent",
    "Timer",
    "UtcDateTime",
]
