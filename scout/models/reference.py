"""Reference layers loaded from geodata/: municipi, NIL, schools, main roads, metro stations."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geography, Geometry, WKBElement
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from scout.models.base import Base, address_line, utcnow


class Municipio(Base):
    __tablename__ = "municipio"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(50))
    geom: Mapped[WKBElement] = mapped_column(Geometry("MULTIPOLYGON", srid=4326), nullable=False)


class Nil(Base):
    __tablename__ = "nil"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(120))
    municipio: Mapped[int | None] = mapped_column(Integer)
    geom: Mapped[WKBElement] = mapped_column(Geometry("MULTIPOLYGON", srid=4326), nullable=False)


class School(Base):
    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    school_type: Mapped[str] = mapped_column(String(100))
    street: Mapped[str | None] = mapped_column(String(200))
    civic_number: Mapped[str | None] = mapped_column(String(20))
    postcode: Mapped[str | None] = mapped_column(String(5))
    municipio: Mapped[int | None] = mapped_column(Integer, index=True)
    location: Mapped[WKBElement] = mapped_column(
        Geography("POINT", srid=4326, spatial_index=True), nullable=False
    )

    @property
    def address(self) -> str:
        return address_line(self.street, self.civic_number)


class Address(Base):
    """The address gazetteer: every ``addr:street`` + ``addr:housenumber`` of the imported
    OSM extract. ``street_key`` is the street lower-cased, without accents or the street
    type's punctuation, for tolerant matching (pg_trgm)."""

    __tablename__ = "address"
    __table_args__ = (
        Index(
            "ix_address_street_key_trgm",
            "street_key",
            postgresql_using="gin",
            postgresql_ops={"street_key": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    street: Mapped[str] = mapped_column(String(200))
    street_key: Mapped[str] = mapped_column(String(200), index=True)
    housenumber: Mapped[str] = mapped_column(String(20))
    postcode: Mapped[str | None] = mapped_column(String(10))
    osm_ref: Mapped[str | None] = mapped_column(String(40))
    location: Mapped[WKBElement] = mapped_column(
        Geography("POINT", srid=4326, spatial_index=True), nullable=False
    )

    @property
    def label(self) -> str:
        return f"{self.street} {self.housenumber}"


class MainRoad(Base):
    """Milan's primary and secondary roads (OSM, shipped in geodata/): the basemap's streets
    before a walking network is imported, and the main roads' names after."""

    __tablename__ = "main_road"

    id: Mapped[int] = mapped_column(primary_key=True)
    highway: Mapped[str] = mapped_column(String(40))
    name: Mapped[str | None] = mapped_column(String(200))
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("LINESTRING", srid=4326, spatial_index=True), nullable=False
    )


class MetroStation(Base):
    """A metro station (Comune di Milano ds535), a landmark on the basemap."""

    __tablename__ = "metro_station"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(120))
    lines: Mapped[str | None] = mapped_column(String(40))
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=False
    )


class ScoutArea(Base):
    """A NIL a coordinator assigned to a scout: her area, whose coverage and due records her
    home page shows."""

    __tablename__ = "scout_area"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    nil_id: Mapped[int] = mapped_column(ForeignKey("nil.id", ondelete="CASCADE"), primary_key=True)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
