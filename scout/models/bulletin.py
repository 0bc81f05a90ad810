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
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scout.models.base import Base, Timestamped, enum_column
from scout.models.core import Offer, Resource
from scout.models.enums import LabelledEnum
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
    # Walk from the nearest programme hub (None: no hub, or no walking time available).
    walk_minutes: Mapped[int | None] = mapped_column(Integer)
    walk_estimate: Mapped[bool] = mapped_column(Boolean, default=True)
    hub_name: Mapped[str | None] = mapped_column(String(200))
    # Why an offer is km zero: "walk", "municipio" or None (not km zero / not an offer).
    km_zero_reason: Mapped[str | None] = mapped_column(String(16))

    bulletin: Mapped[Bulletin] = relationship(back_populates="items")
    offer: Mapped[Offer | None] = relationship()
    resource: Mapped[Resource | None] = relationship()

    @property
    def subject(self) -> Offer | Resource | None:
        return self.offer if self.offer_id is not None else self.resource

    def __repr__(self) -> str:
        return f"<BulletinItem {self.id} {self.section}#{self.position}>"
