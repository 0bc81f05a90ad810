"""The people the programme serves: a person's record, her children, her plan's steps and her
consents (issue 14).

Her home is never stored in clear: ``home_encrypted`` is a Fernet token (see
``scout.people.crypto``) of the address text and the point. Only the NIL and the municipio are
kept in clear, for the figures. There is no geography column for the home, on purpose.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scout.models.base import Base, Timestamped, enum_column
from scout.models.enums import ItalianLevel, LabelledEnum

if TYPE_CHECKING:
    from scout.models.core import Organisation
    from scout.models.reference import Nil, School
    from scout.models.users import User


class Language(LabelledEnum):
    IT = "it", _l("Italian")
    EN = "en", _l("English")
    AR = "ar", _l("Arabic")
    ES = "es", _l("Spanish")
    FR = "fr", _l("French")


class ParentRole(LabelledEnum):
    MOTHER = "mother", _l("Mother")
    FATHER = "father", _l("Father")


class Education(LabelledEnum):
    NONE = "none", _l("No schooling")
    PRIMARY = "primary", _l("Primary school")
    LOWER_SECONDARY = "lower_secondary", _l("Lower secondary school")
    UPPER_SECONDARY = "upper_secondary", _l("Upper secondary school")
    DEGREE = "degree", _l("University degree")
    FOREIGN_UNRECOGNISED = "foreign_unrecognised", _l("Foreign title, not recognised")


class Employment(LabelledEnum):
    UNEMPLOYED = "unemployed", _l("Unemployed")
    UNDER_EMPLOYED = "under_employed", _l("Under-employed")
    EMPLOYED = "employed", _l("Employed")


class ReferredBy(LabelledEnum):
    QUBI_BASE = "qubi_base", _l("Qubì (base)")
    QUBI_NEARBY = "qubi_nearby", _l("Qubì (nearby)")
    SOCIAL_SERVICES = "social_services", _l("Social services")
    WEMI = "wemi", _l("WeMi")
    TERRITORIAL_NETWORK = "territorial_network", _l("Territorial network")
    SELF = "self", _l("Came by herself")
    OTHER = "other", _l("Other")


class WalkingProfile(LabelledEnum):
    """The walking engine's profiles (``scout.walking.engine.Profile``), by value."""

    STANDARD = "standard", _l("Standard")
    STROLLER = "stroller", _l("With a stroller")


class PlanStatus(LabelledEnum):
    ACTIVE = "active", _l("Active")
    PAUSED = "paused", _l("Paused")
    CLOSED = "closed", _l("Closed")


class ConsentPurpose(LabelledEnum):
    TUTORING = "tutoring", _l("Tutoring")
    EMPLOYER_SHARING = "employer_sharing", _l("Sharing her profile with an employer on referral")
    FOLLOW_UP_CONTACT = "follow_up_contact", _l("Contact for follow-up")
    STATISTICS = "statistics", _l("Inclusion in anonymous statistics")


class Person(Timestamped, Base):
    """A person the programme serves, known in every page by her pseudonymous ``code``."""

    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint(
            "birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100", name="birth_year"
        ),
        CheckConstraint(
            "max_walk_minutes IS NULL OR max_walk_minutes BETWEEN 1 AND 180",
            name="max_walk_minutes",
        ),
        CheckConstraint(
            "children_count IS NULL OR children_count BETWEEN 0 AND 20", name="children_count"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # "P-2027-0042"
    first_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(50))
    language: Mapped[Language] = enum_column(Language, default=Language.IT)
    parent_role: Mapped[ParentRole | None] = enum_column(ParentRole, nullable=True)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    nationality: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    education: Mapped[Education | None] = enum_column(Education, nullable=True)
    employment: Mapped[Employment | None] = enum_column(Employment, nullable=True)
    referred_by: Mapped[ReferredBy | None] = enum_column(ReferredBy, nullable=True)
    hub_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    tutor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    # Children under 18 (those with a school have a :class:`Child` row each).
    children_count: Mapped[int | None] = mapped_column(Integer)
    # What she can do: weekly windows as ``scout.schedule`` (the offers' model).
    availability: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    italian_level: Mapped[ItalianLevel | None] = enum_column(ItalianLevel, nullable=True)
    digital_email: Mapped[bool] = mapped_column(Boolean, default=False)
    digital_spid: Mapped[bool] = mapped_column(Boolean, default=False)
    digital_smartphone: Mapped[bool] = mapped_column(Boolean, default=False)
    sectors: Mapped[list[str]] = mapped_column(ARRAY(String(80)), default=list)
    contract_types: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    part_time_types: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    max_walk_minutes: Mapped[int | None] = mapped_column(Integer)
    walking_profile: Mapped[WalkingProfile] = enum_column(
        WalkingProfile, default=WalkingProfile.STANDARD
    )
    # Her home: a Fernet token of {"address": ..., "lon": ..., "lat": ...}; never in clear.
    home_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    nil_id: Mapped[int | None] = mapped_column(ForeignKey("nil.id"))
    municipio: Mapped[int | None] = mapped_column(Integer)
    # The personal plan ("progetto personalizzato").
    goal_professional: Mapped[str | None] = mapped_column(Text)
    goal_training: Mapped[str | None] = mapped_column(Text)
    status: Mapped[PlanStatus] = enum_column(PlanStatus, default=PlanStatus.ACTIVE, index=True)
    closed_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notes: Mapped[str | None] = mapped_column(Text)
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    # Optimistic locking: every UPDATE checks and bumps it, so two tutors' saves of one
    # record never overwrite each other unseen (the form carries the version it loaded).
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    hub: Mapped[Organisation | None] = relationship()
    tutor: Mapped[User | None] = relationship()
    nil: Mapped[Nil | None] = relationship()
    children: Mapped[list[Child]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Child.id"
    )
    steps: Mapped[list[PlanStep]] = relationship(
        back_populates="person",
        cascade="all, delete-orphan",
        order_by="PlanStep.id",
    )
    consents: Mapped[list[Consent]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Consent.id"
    )

    def has_consent(self, purpose: ConsentPurpose, on: date | None = None) -> bool:
        """Whether consent for ``purpose`` is given and not withdrawn on ``on`` (today)."""
        day = on or date.today()
        return any(
            c.purpose == purpose
            and c.given_on <= day
            and (c.withdrawn_on is None or c.withdrawn_on > day)
            for c in self.consents
        )

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.code}>"


class Child(Base):
    """One of her children with a school: which days, and the drop-off and pick-up times."""

    __tablename__ = "person_child"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id", ondelete="SET NULL"))
    days: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=list)  # Monday = 0
    drop_off: Mapped[time | None] = mapped_column(Time)
    pick_up: Mapped[time | None] = mapped_column(Time)

    person: Mapped[Person] = relationship(back_populates="children")
    school: Mapped[School | None] = relationship()


class PlanStep(Base):
    """A step of her personal plan, with its due date and the date it was done."""

    __tablename__ = "plan_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="steps")


class Consent(Base):
    """Her consent for one purpose: the day given, the paper form's reference, the withdrawal."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[ConsentPurpose] = enum_column(ConsentPurpose)
    given_on: Mapped[date] = mapped_column(Date)
    paper_ref: Mapped[str | None] = mapped_column(String(100))
    withdrawn_on: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="consents")
