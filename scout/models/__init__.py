"""Typed ORM models. One module per area; everything is re-exported here."""

from scout.models.base import Base, address_line, utcnow
from scout.models.bulletin import (
    Bulletin,
    BulletinItem,
    BulletinStatus,
    MailOutbox,
    MailSuppression,
    MarketOffer,
    OutboxKind,
    OutboxStatus,
    Subscriber,
    SubscriberList,
    SubscriberStatus,
)
from scout.models.core import Offer, Organisation, Photo, Place, Resource, Visit
from scout.models.enums import (
    AuditAction,
    ContractType,
    ItalianLevel,
    OfferStatus,
    OrgKind,
    PartTime,
    PlaceSource,
    ResourceKind,
    ReviewStatus,
    Role,
    VisitOutcome,
)
from scout.models.limits import RateLimitCounter
from scout.models.network import WalkEdge, WalkNetwork, WalkNode
from scout.models.reference import Address, Municipio, Nil, School
from scout.models.users import ApiToken, AuditEvent, User

__all__ = [
    "Address",
    "ApiToken",
    "AuditAction",
    "AuditEvent",
    "VisitOutcome",
    "Base",
    "Bulletin",
    "BulletinItem",
    "BulletinStatus",
    "ContractType",
    "ItalianLevel",
    "MailOutbox",
    "MailSuppression",
    "MarketOffer",
    "Municipio",
    "Nil",
    "Offer",
    "OfferStatus",
    "OrgKind",
    "Organisation",
    "PartTime",
    "Photo",
    "Place",
    "PlaceSource",
    "RateLimitCounter",
    "Resource",
    "ResourceKind",
    "ReviewStatus",
    "Role",
    "OutboxKind",
    "OutboxStatus",
    "School",
    "Subscriber",
    "SubscriberList",
    "SubscriberStatus",
    "User",
    "Visit",
    "WalkEdge",
    "WalkNetwork",
    "WalkNode",
    "address_line",
    "utcnow",
]
