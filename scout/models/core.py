"""Organisations, places, offers, resources, visits and photos (the Open Referral HSDS split:
organisation → place → offers and resources)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from geoalchemy2 import Geography, WKBElement
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scout.models.base import Base, Timestamped, address_line, enum_column, utcnow
from scout.models.enums import (
    ContractType,
    ItalianLevel,
    OfferStatus,
    OrgKind,
    PartTime,
    PlaceSource,
    ResourceKind,
    ReviewStatus,
    VisitOutcome,
)

if TYPE_CHECKING:
    from scout.models.users import User


class Organisation(Timestamped, Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrgKind] = enum_column(OrgKind)
    description: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    contact_person: Mapped[str | None] = mapped_column(String(200))
    sectors: Mapped[list[str]] = mapped_column(ARRAY(String(80)), default=list)
    is_partner: Mapped[bool] = mapped_column(Boolean, default=False)
    # Agreed to appear on the public map (only then is anything of it public).
    public_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Agreed that its contact details (e-mail, phone, website) may be published.
    contacts_public: Mapped[bool] = mapped_column(Boolean, default=False)
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    # When it joined the programme's network (the funder's report counts those joined in a period).
    joined_network_on: Mapped[date | None] = mapped_column(Date)

    places: Mapped[list[Place]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class Place(Timestamped, Base):
    """A physical site. Its point is ``geography(Point, 4326)`` with a GiST index."""

    __tablename__ = "place"
    __table_args__ = (
        Index("uq_place_source_ref", "source_dataset", "source_ref", unique=True),
        Index(
            "ix_place_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    location: Mapped[WKBElement] = mapped_column(
        Geography("POINT", srid=4326, spatial_index=True), nullable=False
    )
    street: Mapped[str | None] = mapped_column(String(200))
    civic_number: Mapped[str | None] = mapped_column(String(20))
    postcode: Mapped[str | None] = mapped_column(String(5))
    municipio: Mapped[int | None] = mapped_column(Integer, index=True)
    nil_id: Mapped[int | None] = mapped_column(ForeignKey("nil.id"))
    # Weekly windows as on :class:`Offer` (empty: not known); ``opening_hours`` is then a free-text
    # note, e.g. what did not parse.
    opening_schedule: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    opening_hours: Mapped[str | None] = mapped_column(Text)
    accessibility_notes: Mapped[str | None] = mapped_column(Text)
    # Staff-only fields.
    notes: Mapped[str | None] = mapped_column(Text)
    contact_person: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(200))
    review_comment: Mapped[str | None] = mapped_column(Text)
    # A scout's change to the published place (and its organisation), waiting for review: the
    # approved columns stay public until a coordinator applies it (see capture.pending).
    pending: Mapped[dict[str, Any] | None] = mapped_column(JSONB)

    status: Mapped[ReviewStatus] = enum_column(ReviewStatus, default=ReviewStatus.DRAFT, index=True)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    source: Mapped[PlaceSource] = enum_column(PlaceSource, default=PlaceSource.SCOUTING)
    source_dataset: Mapped[str | None] = mapped_column(String(100))
    source_ref: Mapped[str | None] = mapped_column(String(100))
    # SHA-256 of the values a reference import (``flask geo load``) last wrote: a reload
    # updates the place only while its values still hash to this (nobody edited them).
    import_hash: Mapped[str | None] = mapped_column(String(64))
    # Client-generated key of an offline entry, so a resent form is stored once.
    client_key: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True)

    organisation: Mapped[Organisation | None] = relationship(back_populates="places")
    offers: Mapped[list[Offer]] = relationship(back_populates="place", cascade="all, delete-orphan")
    resources: Mapped[list[Resource]] = relationship(
        back_populates="place", cascade="all, delete-orphan"
    )
    visits: Mapped[list[Visit]] = relationship(back_populates="place", cascade="all, delete-orphan")
    photos: Mapped[list[Photo]] = relationship(back_populates="place", cascade="all, delete-orphan")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def address(self) -> str:
        return address_line(self.street, self.civic_number, self.postcode)

    def __repr__(self) -> str:
        return f"<Place {self.id} {self.name!r} {self.status.value}>"


class Offer(Timestamped, Base):
    """A job offer at a place. ``schedule`` is a list of ``{"day": 0-6, "start": "HH:MM",
    "end": "HH:MM"}`` windows, Monday = 0; empty means the hours are not known."""

    __tablename__ = "offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    sector: Mapped[str | None] = mapped_column(String(80))
    contract_type: Mapped[ContractType] = enum_column(ContractType)
    part_time: Mapped[PartTime] = enum_column(PartTime)
    hours_per_week: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    schedule: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    italian_level: Mapped[ItalianLevel] = enum_column(ItalianLevel, default=ItalianLevel.NONE)
    documents_required: Mapped[str | None] = mapped_column(Text)
    positions: Mapped[int] = mapped_column(Integer, default=1)
    starts_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    how_to_apply: Mapped[str | None] = mapped_column(Text)
    offer_status: Mapped[OfferStatus] = enum_column(OfferStatus, default=OfferStatus.OPEN)
    status: Mapped[ReviewStatus] = enum_column(ReviewStatus, default=ReviewStatus.DRAFT, index=True)
    # When a person last confirmed it (a coordinator publishing it, a scout's "still valid").
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_comment: Mapped[str | None] = mapped_column(Text)
    # A scout's change to the published record, waiting for review (as on Place).
    pending: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    client_key: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True)

    place: Mapped[Place] = relationship(back_populates="offers")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Offer {self.id} {self.title!r}>"


class Resource(Timestamped, Base):
    """A course or service at a place; ``schedule`` as on :class:`Offer`."""

    __tablename__ = "resource"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ResourceKind] = enum_column(ResourceKind)
    description: Mapped[str | None] = mapped_column(Text)
    schedule: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    # ISO 639-1 codes of the languages spoken there.
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(8)), default=list)
    target_groups: Mapped[list[str]] = mapped_column(ARRAY(String(80)), default=list)
    is_free: Mapped[bool] = mapped_column(Boolean, default=True)
    cost: Mapped[str | None] = mapped_column(String(200))
    childcare: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    how_to_enrol: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ReviewStatus] = enum_column(ReviewStatus, default=ReviewStatus.DRAFT, index=True)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_comment: Mapped[str | None] = mapped_column(Text)
    # A scout's change to the published record, waiting for review (as on Place).
    pending: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    client_key: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True)

    place: Mapped[Place] = relationship(back_populates="resources")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Resource {self.id} {self.title!r}>"


class Visit(Base):
    """A scout's visit to a place (staff-only)."""

    __tablename__ = "visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    visited_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[VisitOutcome] = enum_column(VisitOutcome)
    notes: Mapped[str | None] = mapped_column(Text)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    client_key: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True)

    place: Mapped[Place] = relationship(back_populates="visits")
    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Visit {self.id} place={self.place_id} {self.outcome.value}>"


class Photo(Base):
    """A photo of a place. The file lives in the upload folder; this row records it."""

    __tablename__ = "photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    place: Mapped[Place] = relationship(back_populates="photos")
