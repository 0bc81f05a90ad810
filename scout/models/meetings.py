"""Meetings with institutions, network meetings and trainings: what the funder's report counts
as "meetings with institutions" and the network's life beside the map."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scout.models.base import Base, Timestamped, enum_column
from scout.models.core import Organisation
from scout.models.enums import LabelledEnum
from scout.models.users import User


class MeetingKind(LabelledEnum):
    INSTITUTION = "institution_meeting", _l("Meeting with an institution")
    NETWORK = "network_meeting", _l("Network meeting")
    TRAINING = "training", _l("Training")


meeting_attendee = Table(
    "meeting_attendee",
    Base.metadata,
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Meeting(Timestamped, Base):
    """One meeting: with an organisation of the records, or a body named in ``counterpart``
    (an office, a school board) that is not one."""

    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint(
            "organisation_id IS NOT NULL OR counterpart IS NOT NULL", name="with_someone"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[MeetingKind] = enum_column(MeetingKind)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    counterpart: Mapped[str | None] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation | None] = relationship()
    attendees: Mapped[list[User]] = relationship(secondary=meeting_attendee, order_by=User.name)

    @property
    def with_whom(self) -> str:
        return self.organisation.name if self.organisation else (self.counterpart or "")

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.held_on} {self.kind.value}>"
