"""What comes of the programme's work with a person: the new matches a published offer or course
brings her, referrals to offers and courses, placements with their follow-ups, course enrolments
and the "searches for work on her own" assessment.

Nothing here holds her home: a placement keeps the walking minutes from it (and whether they are
km zero), and the employer's workplace, which is an employer's address, not a personal one.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from geoalchemy2 import Geography, WKBElement
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scout.models.base import Base, Timestamped, enum_column, utcnow
from scout.models.enums import ContractType, LabelledEnum, PartTime

if TYPE_CHECKING:
    from scout.models.core import Offer, Resource


ONE_TARGET = "(offer_id IS NULL) <> (resource_id IS NULL)"


class MatchFit(LabelledEnum):
    FITS = "fits", _l("Fits")
    DOES_NOT_FIT = "does_not_fit", _l("Does not fit")
    UNKNOWN = "unknown", _l("Unknown")


class ReferralStatus(LabelledEnum):
    PROPOSED = "proposed", _l("Proposed")
    SENT = "sent", _l("Sent to the employer")
    INTERVIEW = "interview", _l("Interview")
    HIRED = "hired", _l("Hired")
    NOT_SELECTED = "not_selected", _l("Not selected")
    WITHDRAWN = "withdrawn", _l("Withdrawn")
    NO_SHOW = "no_show", _l("Did not show up")

    @property
    def closed(self) -> bool:
        return self in CLOSED_REFERRALS


CLOSED_REFERRALS = frozenset(
    {
        ReferralStatus.HIRED,
        ReferralStatus.NOT_SELECTED,
        ReferralStatus.WITHDRAWN,
        ReferralStatus.NO_SHOW,
    }
)


class Evidence(LabelledEnum):
    SELF_REPORTED = "self_reported", _l("She said so")
    EMPLOYER_CONFIRMED = "employer_confirmed", _l("The employer confirmed it")
    CONTRACT_SEEN = "contract_seen", _l("The contract was seen")


class StillWorking(LabelledEnum):
    YES = "yes", _l("Still working there")
    NO = "no", _l("No longer working there")
    UNKNOWN = "unknown", _l("Not known yet")


class EnrolmentStatus(LabelledEnum):
    ENROLLED = "enrolled", _l("Enrolled")
    COMPLETED = "completed", _l("Completed")
    DROPPED = "dropped", _l("Dropped out")


class PlacementContract(LabelledEnum):
    """A placement's contract, as the programme counts them (issue 14): not the offers'
    :class:`ContractType`, whose internship may be any ``tirocinio``; a placement's is the
    extracurricular one (a job-placement measure, counted apart from jobs)."""

    INDETERMINATO = "indeterminato", _l("Permanent (indeterminato)")
    DETERMINATO = "determinato", _l("Fixed-term (determinato)")
    OCCASIONALE = "occasionale", _l("Occasional work (prestazione occasionale)")
    VOUCHER = "voucher", _l("Voucher / LOL")
    TIROCINIO_EXTRACURRICOLARE = (
        "tirocinio_extracurricolare",
        _l("Extracurricular internship (tirocinio extracurricolare)"),
    )
    APPRENDISTATO = "apprendistato", _l("Apprenticeship (apprendistato)")

    @classmethod
    def of_offer(cls, contract: ContractType) -> PlacementContract:
        """The placement's contract for a hired referral's offer."""
        if contract == ContractType.TIROCINIO:
            return cls.TIROCINIO_EXTRACURRICOLARE
        return cls(contract.value)


FOLLOW_UP_DAYS = (30, 90, 180)


class NewMatch(Base):
    """A published offer or course that fits a person (the search's rules, from her record):
    what her tutor sees as new since her last visit."""

    __tablename__ = "new_match"
    __table_args__ = (
        CheckConstraint(ONE_TARGET, name="one_target"),
        # Offer or resource is NULL: NULLs must not count as distinct (PostgreSQL 15).
        UniqueConstraint(
            "person_id",
            "offer_id",
            "resource_id",
            name="uq_new_match_target",
            postgresql_nulls_not_distinct=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("offer.id", ondelete="CASCADE"), index=True
    )
    resource_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource.id", ondelete="CASCADE"), index=True
    )
    walk_minutes: Mapped[int] = mapped_column(Integer)
    estimate: Mapped[bool] = mapped_column(Boolean, default=False)
    school_fit: Mapped[MatchFit] = enum_column(MatchFit, default=MatchFit.UNKNOWN)
    # Its own CHECK constraint's name (two columns of one enum would share one).
    availability_fit: Mapped[MatchFit] = mapped_column(
        Enum(
            MatchFit,
            native_enum=False,
            length=32,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
            create_constraint=True,
            name="availabilityfit",
        ),
        default=MatchFit.UNKNOWN,
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )

    offer: Mapped[Offer | None] = relationship()
    resource: Mapped[Resource | None] = relationship()

    def __repr__(self) -> str:
        return f"<NewMatch person={self.person_id} offer={self.offer_id} res={self.resource_id}>"


class MatchesSeen(Base):
    """When a tutor last looked at her people's new matches."""

    __tablename__ = "matches_seen"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Referral(Timestamped, Base):
    """A person proposed for an offer (or a course) and what came of it."""

    __tablename__ = "referral"
    __table_args__ = (CheckConstraint(ONE_TARGET, name="one_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("offer.id", ondelete="SET NULL"), index=True
    )
    resource_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[ReferralStatus] = enum_column(ReferralStatus, default=ReferralStatus.PROPOSED)
    proposed_on: Mapped[date] = mapped_column(Date)
    sent_on: Mapped[date | None] = mapped_column(Date)
    interview_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    offer: Mapped[Offer | None] = relationship()
    resource: Mapped[Resource | None] = relationship()

    @property
    def target_title(self) -> str:
        target = self.offer or self.resource
        return target.title if target is not None else ""

    def __repr__(self) -> str:
        return f"<Referral {self.id} person={self.person_id} {self.status.value}>"


class Placement(Timestamped, Base):
    """A job she got, from a referral or found on her own. ``walk_minutes`` (from her home to
    the workplace, computed when the placement is recorded) and ``km_zero`` are all that is
    kept of her home here."""

    __tablename__ = "placement"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    referral_id: Mapped[int | None] = mapped_column(
        ForeignKey("referral.id", ondelete="SET NULL"), unique=True
    )
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offer.id", ondelete="SET NULL"))
    employer_name: Mapped[str] = mapped_column(String(200))
    employer_address: Mapped[str | None] = mapped_column(String(250))
    # The employer's workplace (not personal data): where the walk is measured to.
    workplace: Mapped[WKBElement | None] = mapped_column(Geography("POINT", srid=4326))
    contract_type: Mapped[PlacementContract] = enum_column(PlacementContract)
    sector: Mapped[str | None] = mapped_column(String(80))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    hours_per_week: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    part_time: Mapped[PartTime | None] = enum_column(PartTime, nullable=True)
    walk_minutes: Mapped[int | None] = mapped_column(Integer)
    km_zero: Mapped[bool | None] = mapped_column(Boolean)  # None: the walk could not be measured
    walk_estimate: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence: Mapped[Evidence] = enum_column(Evidence, default=Evidence.SELF_REPORTED)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="placement", cascade="all, delete-orphan", order_by="FollowUp.due_days"
    )

    def __repr__(self) -> str:
        return f"<Placement {self.id} person={self.person_id} km_zero={self.km_zero}>"


class FollowUp(Base):
    """Whether she still works there, 30, 90 and 180 days after the start: unknown until a
    tutor records it, never guessed."""

    __tablename__ = "follow_up"
    __table_args__ = (UniqueConstraint("placement_id", "due_days", name="uq_follow_up_due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placement.id", ondelete="CASCADE"), index=True
    )
    due_days: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    still_working: Mapped[StillWorking] = enum_column(StillWorking, default=StillWorking.UNKNOWN)
    recorded_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    notes: Mapped[str | None] = mapped_column(Text)

    placement: Mapped[Placement] = relationship(back_populates="follow_ups")

    def __repr__(self) -> str:
        return f"<FollowUp {self.placement_id}+{self.due_days}d {self.still_working.value}>"


class Enrolment(Timestamped, Base):
    """Her enrolment in a course (Italian-for-work, digital skills, other)."""

    __tablename__ = "enrolment"
    __table_args__ = (Index("ix_enrolment_person_resource", "person_id", "resource_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resource.id", ondelete="SET NULL"))
    status: Mapped[EnrolmentStatus] = enum_column(EnrolmentStatus, default=EnrolmentStatus.ENROLLED)
    enrolled_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    resource: Mapped[Resource | None] = relationship()


class AutonomyAssessment(Base):
    """A tutor's assessment at follow-up: does she search for work on her own?"""

    __tablename__ = "autonomy_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    assessed_on: Mapped[date] = mapped_column(Date)
    searches_alone: Mapped[bool] = mapped_column(Boolean)
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
