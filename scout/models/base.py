"""Declarative base, naming convention and small shared column types."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Enum, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Timestamped:
    """``created_at`` / ``updated_at`` columns, UTC-aware."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


def address_line(street: str | None, civic_number: str | None, postcode: str | None = None) -> str:
    """ "Via Padova 12, 20127 Milano" from its parts (any may be missing). The one way every
    page, list, sheet and export writes an address."""
    line = " ".join(p for p in (street, civic_number) if p)
    return ", ".join(p for p in (line, postcode and f"{postcode} Milano") if p)


def enum_column(enum_cls: type, **kw: Any) -> Any:
    """A text column holding an enum's values (not names), checked by a CHECK constraint."""
    return mapped_column(
        Enum(
            enum_cls,
            native_enum=False,
            length=32,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
            create_constraint=True,
            name=enum_cls.__name__.lower(),
        ),
        **kw,
    )
