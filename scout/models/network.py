"""The pedestrian network imported from OpenStreetMap.

One :class:`WalkNetwork` row per import; its nodes and edges are keyed by ``(network_id, id)``
where ``id`` is the index of the node or edge within that import (0..n-1), so the in-process
graph can use the ids as array indices. Exactly one network is ``is_current``; an import adds
the new one and deletes the old one in a single transaction, so readers see one or the other.
"""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from scout.models.base import Base, utcnow


class WalkNetwork(Base):
    __tablename__ = "walk_network"
    __table_args__ = (
        Index(
            "uq_walk_network_current",
            "is_current",
            unique=True,
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(300))
    osm_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    import_seconds: Mapped[float] = mapped_column(Float, default=0)
    node_count: Mapped[int] = mapped_column(Integer, default=0)
    edge_count: Mapped[int] = mapped_column(Integer, default=0)
    steps_count: Mapped[int] = mapped_column(Integer, default=0)
    address_count: Mapped[int] = mapped_column(Integer, default=0)
    total_km: Mapped[float] = mapped_column(Float, default=0)
    area_km2: Mapped[float] = mapped_column(Float, default=0)
    # Convex hull of the edges: the area the network covers.
    area: Mapped[WKBElement | None] = mapped_column(
        Geometry("POLYGON", srid=4326, spatial_index=False)
    )

    def __repr__(self) -> str:
        return f"<WalkNetwork {self.id} {self.edge_count} edges current={self.is_current}>"


class WalkNode(Base):
    __tablename__ = "walk_node"

    network_id: Mapped[int] = mapped_column(
        ForeignKey("walk_network.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    osm_id: Mapped[int] = mapped_column(BigInteger)
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=False), nullable=False
    )


class WalkEdge(Base):
    """A walkable stretch between two junctions; walkable both ways."""

    __tablename__ = "walk_edge"

    network_id: Mapped[int] = mapped_column(
        ForeignKey("walk_network.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[int] = mapped_column(Integer)
    target: Mapped[int] = mapped_column(Integer)
    length_m: Mapped[float] = mapped_column(Float)
    steps: Mapped[bool] = mapped_column(Boolean, default=False)
    osm_way_id: Mapped[int] = mapped_column(BigInteger)
    highway: Mapped[str | None] = mapped_column(String(40))
    # The street's name (OSM ``name``), None when the way has none; ``kind`` says what the
    # stretch is (street, footway, sidewalk, crossing, steps, path, pedestrian, cycleway, kerb:
    # :data:`scout.walking.osm_rules.EDGE_KINDS`), for directions and the basemap.
    name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="street", server_default="street")
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("LINESTRING", srid=4326, spatial_index=True), nullable=False
    )
