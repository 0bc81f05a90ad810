"""The weekly bulletin (bollettino): a draft of proposed items, then a frozen snapshot.

While a bulletin is a draft its items point at live offers and resources; publishing copies
the public fields of the kept items, in order, into ``snapshot`` (JSONB). Public pages, the
PDF, the text version and the feed read only the snapshot, so later edits to offers never
change a published bulletin.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from geoalchemy2 import Geography, WKBElement
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scout.models.base import Base, Timestamped, enum_column, utcnow
from scout.models.core import Offer, Organisation, Resource
from scout.models.enums import ContractType, LabelledEnum
from scout.models.users import User


class BulletinStatus(LabelledEnum):
    DRAFT = "draft", _l("Draft")
    PUBLISHED = "published", _l("Published")


class Bulletin(Timestamped, Base):
    """One week's bulletin. ``number`` and ``published_on`` are set when it is published."""

    __tablename__ = "bulletin"

    id: Mapped[int] = mapped_column(primary_key=True)
    week_start: Mapped[date] = mapped_column(Date, index=True)  # the Monday of the week
    status: Mapped[BulletinStatus] = enum_column(BulletinStatus, default=BulletinStatus.DRAFT)
    number: Mapped[int | None] = mapped_column(Integer, unique=True)
    published_on: Mapped[date | None] = mapped_column(Date)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    editorial: Mapped[str | None] = mapped_column(Text)
    # Section key → the coordinator's short note for that section.
    notes: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    # The frozen public content, written once at publication (see scout.bulletin.snapshot).
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    items: Mapped[list[BulletinItem]] = relationship(
        back_populates="bulletin",
        cascade="all, delete-orphan",
        order_by="(BulletinItem.section, BulletinItem.position)",
    )
    created_by: Mapped[User | None] = relationship()

    @property
    def is_published(self) -> bool:
        return self.status == BulletinStatus.PUBLISHED

    def __repr__(self) -> str:
        return f"<Bulletin {self.id} n={self.number} week={self.week_start}>"


class BulletinItem(Base):
    """A proposed offer or resource in a draft bulletin, with its section and place in it.

    The km-zero walk (``walk_minutes`` to ``hub_name``) is worked out when the item is
    proposed and shown to the coordinator; it is copied into the snapshot on publication.
    """

    __tablename__ = "bulletin_item"
    __table_args__ = (Index("ix_bulletin_item_order", "bulletin_id", "section", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(ForeignKey("bulletin.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer, default=0)
    included: Mapped[bool] = mapped_column(Boolean, default=True)
    offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("offer.id", ondelete="SET NULL"), index=True
    )
    resource_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource.id", ondelete="SET NULL"), index=True
    )
    market_offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("market_offer.id", ondelete="SET NULL"), index=True
    )
    # Walk from the nearest programme hub (None: no hub, or no walking time available).
    walk_minutes: Mapped[int | None] = mapped_column(Integer)
    walk_estimate: Mapped[bool] = mapped_column(Boolean, default=True)
    hub_name: Mapped[str | None] = mapped_column(String(200))
    # Why an offer is km zero: "walk", "municipio" or None (not km zero / not an offer).
    km_zero_reason: Mapped[str | None] = mapped_column(String(16))

    bulletin: Mapped[Bulletin] = relationship(back_populates="items")
    offer: Mapped[Offer | None] = relationship()
    resource: Mapped[Resource | None] = relationship()
    market_offer: Mapped[MarketOffer | None] = relationship()

    @property
    def subject(self) -> Offer | Resource | MarketOffer | None:
        if self.market_offer_id is not None:
            return self.market_offer
        return self.offer if self.offer_id is not None else self.resource

    def __repr__(self) -> str:
        return f"<BulletinItem {self.id} {self.section}#{self.position}>"


class MarketOffer(Timestamped, Base):
    """An open-market offer ("libero mercato") a coordinator copies from a source outside the
    served area: elsewhere in Milan or the metropolitan area, or with no fixed place (an agency,
    home care across the city). It goes only to the bulletin's open-market section and, on
    request, after the walkable results of the tutors' search. ``location`` is optional: an
    offer with no fixed place has none."""

    __tablename__ = "market_offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    employer: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    area: Mapped[str | None] = mapped_column(String(200))  # "Sesto San Giovanni", "all Milan"
    location: Mapped[WKBElement | None] = mapped_column(
        Geography("POINT", srid=4326, spatial_index=True), nullable=True
    )
    contract_type: Mapped[ContractType | None] = enum_column(ContractType, nullable=True)
    source: Mapped[str] = mapped_column(String(200))  # where it was found
    link: Mapped[str] = mapped_column(String(500))  # the original announcement
    expires_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<MarketOffer {self.id} {self.title!r}>"


class SubscriberList(LabelledEnum):
    PUBLIC = "public", _l("Public subscribers")
    PARTNER = "partner", _l("Partner organisations")
    STAFF = "staff", _l("Staff")


class SubscriberStatus(LabelledEnum):
    PENDING = "pending", _l("Waiting for confirmation")
    CONFIRMED = "confirmed", _l("Confirmed")


class Subscriber(Timestamped, Base):
    """An address the bulletin is mailed to. Personal data: never shown publicly, deleted on
    unsubscribe or when forgotten (its outbox rows go with it).

    Public subscribers confirm by e-mail (double opt-in) and their consent is kept: when, in
    which language, the statement they agreed to. Partner organisations and staff are filled
    from the organisations' and users' own addresses. ``token`` is the secret of the confirm
    and unsubscribe links.
    """

    __tablename__ = "bulletin_subscriber"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # lower-cased
    language: Mapped[str] = mapped_column(String(5), default="it")
    audience: Mapped[SubscriberList] = enum_column(SubscriberList, default=SubscriberList.PUBLIC)
    status: Mapped[SubscriberStatus] = enum_column(
        SubscriberStatus, default=SubscriberStatus.PENDING
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    consent_text: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), unique=True
    )

    organisation: Mapped[Organisation | None] = relationship()

    def __repr__(self) -> str:  # never the address (logs)
        return f"<Subscriber {self.id} {self.audience.value} {self.status.value}>"


class MailSuppression(Base):
    """Partner and staff addresses that unsubscribed, kept only as a keyed hash (HMAC of the
    address) so the lists are not refilled with them; a public subscription lifts it."""

    __tablename__ = "mail_suppression"

    address_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OutboxKind(LabelledEnum):
    CONFIRM = "confirm", _l("Confirmation")
    BULLETIN = "bulletin", _l("Bulletin")


class OutboxStatus(LabelledEnum):
    PENDING = "pending", _l("Waiting")
    SENT = "sent", _l("Sent")
    FAILED = "failed", _l("Failed")


class MailOutbox(Base):
    """One message to send: written in the same transaction as what causes it (a
    subscription, a publication), sent by ``flask bulletin send``. A row is locked while its
    message is handed to the SMTP server and marked sent in that same transaction, so two
    senders never send it both, and an outage only postpones it (``next_attempt_at``).
    At most one bulletin message per subscriber (unique)."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        UniqueConstraint("bulletin_id", "subscriber_id", name="uq_mail_outbox_bulletin_subscriber"),
        Index("ix_mail_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OutboxKind] = enum_column(OutboxKind)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("bulletin_subscriber.id", ondelete="CASCADE"), index=True
    )
    bulletin_id: Mapped[int | None] = mapped_column(
        ForeignKey("bulletin.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[OutboxStatus] = enum_column(OutboxStatus, default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message_id: Mapped[str] = mapped_column(String(200), unique=True)  # the same on a resend
    base_url: Mapped[str] = mapped_column(String(300))  # where the links in it point

    subscriber: Mapped[Subscriber] = relationship()
    bulletin: Mapped[Bulletin | None] = relationship()

    def __repr__(self) -> str:
        return f"<MailOutbox {self.id} {self.kind.value} {self.status.value}>"
