"""Address gazetteer: normalising street names so that typed addresses match OSM ones.

``street_key`` is stored with every address at import time and applied to what a tutor
types, so "V. Padova", "via padova" and "VIA PÀDOVA" meet on the same key.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from scout import spatial
from scout.geo import LonLat
from scout.models import Address, Place, School, address_line

# Common Italian abbreviations of street types, as typed by people.
ABBREVIATIONS = {
    "v": "via",
    "vle": "viale",
    "v le": "viale",
    "pza": "piazza",
    "p za": "piazza",
    "pzza": "piazza",
    "p zza": "piazza",
    "p le": "piazzale",
    "ple": "piazzale",
    "c so": "corso",
    "cso": "corso",
    "l go": "largo",
    "lgo": "largo",
    "vic": "vicolo",
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^0-9a-z]+", " ", text.lower())
    return re.sub(r"\s+", " ", text).strip()


def street_key(street: str) -> str:
    """Lower-case, accent-free, punctuation-free street name with the type spelled out."""
    key = _fold(street)
    for abbr in sorted(ABBREVIATIONS, key=len, reverse=True):
        if key == abbr or key.startswith(abbr + " "):
            key = ABBREVIATIONS[abbr] + key[len(abbr) :]
            break
    return key


# ---------------------------------------------------------------- looking addresses up
#
# What a tutor types is matched against the address gazetteer (the OSM import's ``address``
# table) and, so that the app is useful before any import, against the addresses of school
# sites and places. Street names are compared by trigram similarity of their keys (pg_trgm),
# so typos and missing accents still match; a house number missing from the data is placed
# between its neighbours of the same parity (Italian streets number one side odd, one even).
# Nothing is sent to a third-party geocoder. The text typed is never logged.

_NUMBER = re.compile(r"^(?P<street>.*?)[\s,]+(?P<number>\d+\s*(?:[a-z]|bis|ter)?(?:\s*/\s*\w+)?)$")
MIN_SCORE = 0.3
RELATIVE_SCORE = 0.75
# How sure a match is, as the tutor is told it: a street whose name is this similar to what
# was typed is the one she meant; below it the match is only a guess ("via inesistente" →
# "Via Val d'Intelvi"), shown but never chosen for her.
STRONG_SCORE = 0.5
# A number this far beyond the last known one of the street is not "approximate": the street
# may not be that long.
FAR_NUMBERS = 20
EXACT, APPROXIMATE, WEAK = "exact", "approximate", "weak"
STREET_TYPES = frozenset(ABBREVIATIONS.values()) | {"alzaia", "ripa", "strada", "galleria"}


@dataclass(frozen=True, slots=True)
class AddressMatch:
    """A place to start from. ``exact`` is False when the number was not in the data and the
    point was placed from its neighbours (``near`` names them)."""

    street: str
    housenumber: str | None
    lon: float
    lat: float
    exact: bool
    score: float
    near: str | None = None
    far: bool = False  # the number is far outside the street's known numbers

    @property
    def label(self) -> str:
        return address_line(self.street, self.housenumber)

    @property
    def confidence(self) -> str:
        """``exact`` (the address is in the data), ``approximate`` (the street is right, the
        point placed from its neighbours) or ``weak`` (a guess: do not choose it for her)."""
        if self.score < STRONG_SCORE or self.far:
            return WEAK
        return EXACT if self.exact else APPROXIMATE

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "street": self.street,
            "housenumber": self.housenumber,
            "lon": round(self.lon, 7),
            "lat": round(self.lat, 7),
            "exact": self.exact,
            "near": self.near,
            "score": round(self.score, 3),
            "confidence": self.confidence,
        }


def split_address(text: str) -> tuple[str, str | None]:
    """``("V. Padova", "36")`` from "V. Padova, 36"; the number is None when not typed."""
    text = re.sub(r"\s+", " ", text or "").strip(" ,")
    # A trailing postcode or city is noise here: "via padova 36, 20127 milano".
    text = re.sub(r"[, ]+(?:\d{5}\s*)?(?:milano|mi)$", "", text, flags=re.IGNORECASE).strip(" ,")
    text = re.sub(r"[, ]+\d{5}$", "", text).strip(" ,")
    match = _NUMBER.match(text.lower())
    if not match:
        return text, None
    return text[: len(match["street"])].strip(" ,"), normalise_number(match["number"])


def normalise_number(number: str | None) -> str | None:
    """House numbers compared without spaces or slashes: "36 / A" → "36a"."""
    if number is None:
        return None
    out = re.sub(r"[\s/]+", "", number.lower())
    return out or None


def _numeric(number: str | None) -> int | None:
    match = re.match(r"\d+", number or "")
    return int(match[0]) if match else None


def _sources() -> Any:
    """Every known (street, key, number, lon, lat): the gazetteer, then schools and places."""

    def folded(col: Any) -> Any:
        # An approximation of street_key() in SQL: lower case, Italian accents removed.
        return func.translate(func.lower(col), "àáèéìíòóùúç'.", "aaeeiioouuc  ")

    a_lon, a_lat = spatial.lonlat_of(Address.location)
    s_lon, s_lat = spatial.lonlat_of(School.location)
    p_lon, p_lat = spatial.lonlat_of(Place.location)
    return union_all(
        select(
            Address.street.label("street"),
            Address.street_key.label("key"),
            Address.housenumber.label("number"),
            a_lon,
            a_lat,
            literal(0).label("rank"),
        ),
        select(
            School.street, folded(School.street), School.civic_number, s_lon, s_lat, literal(1)
        ).where(School.street.is_not(None)),
        select(
            Place.street, folded(Place.street), Place.civic_number, p_lon, p_lat, literal(1)
        ).where(Place.street.is_not(None)),
    ).subquery("known_address")


def lookup(session: Session, text: str, limit: int = 5) -> list[AddressMatch]:
    """The best matches for a typed address, best first (empty when nothing is close)."""
    street_text, number = split_address(text)
    key = street_key(street_text)
    words = key.split(" ", 1)
    name = words[-1] if words[0] in STREET_TYPES else key
    if len(name) < 2 or len(words) == 1 and words[0] in STREET_TYPES:
        return []
    known = _sources()
    score = func.greatest(func.similarity(known.c.key, key), func.word_similarity(key, known.c.key))
    streets = session.execute(
        select(known.c.key, func.min(known.c.street), func.max(score).label("score"))
        .where(score >= MIN_SCORE)
        .group_by(known.c.key)
        .order_by(func.max(score).desc(), known.c.key)
        .limit(limit)
    ).all()
    out = []
    for skey, street, best in streets:
        rows = session.execute(
            select(known.c.street, known.c.number, known.c.lon, known.c.lat, known.c.rank)
            .where(known.c.key == skey)
            .order_by(known.c.rank)
        ).all()
        # The gazetteer's own points, when it has the street; schools and places otherwise.
        best_rank = min(r.rank for r in rows)
        rows = [r for r in rows if r.rank == best_rank]
        match = _place_number(street, number, [r[:4] for r in rows], float(best))
        if match is not None:
            out.append(match)
    rank = {EXACT: 0, APPROXIMATE: 1, WEAK: 2}
    out.sort(key=lambda m: (rank[m.confidence], -round(m.score, 2), not m.exact))
    # Far weaker streets are noise next to a good match ("via palermo" for "via padova").
    top = max((m.score for m in out), default=0.0)
    return [m for m in out if m.score >= top * RELATIVE_SCORE][:limit]


def _place_number(
    street: str, number: str | None, rows: list[Any], score: float
) -> AddressMatch | None:
    """Where ``number`` is on a street whose known addresses are ``rows``."""
    if not rows:
        return None
    numbered = [(normalise_number(n), x, y) for _s, n, x, y in rows if _numeric(n) is not None]
    if number is not None:
        for n, x, y in numbered:
            if n == number:
                return AddressMatch(street, n, x, y, True, score)
        wanted = _numeric(number)
        same_side = [
            (_numeric(n), n, x, y) for n, x, y in numbered if _numeric(n) % 2 == wanted % 2
        ]
        pool = same_side or [(_numeric(n), n, x, y) for n, x, y in numbered]
        if pool:
            below = max((p for p in pool if p[0] <= wanted), default=None, key=lambda p: p[0])
            above = min((p for p in pool if p[0] >= wanted), default=None, key=lambda p: p[0])
            if below and above and above[0] != below[0]:
                t = (wanted - below[0]) / (above[0] - below[0])
                lon = below[2] + t * (above[2] - below[2])
                lat = below[3] + t * (above[3] - below[3])
                near = f"{street} {below[1]}–{above[1]}"
                return AddressMatch(street, number, lon, lat, False, score, near)
            nearest = below or above
            assert nearest is not None  # noqa: S101  (pool is not empty)
            far = abs(wanted - nearest[0]) > FAR_NUMBERS
            return AddressMatch(
                street, number, nearest[2], nearest[3], False, score, f"{street} {nearest[1]}", far
            )
    # No number typed (or none known): the middle of the known points of the street.
    pts = sorted(rows, key=lambda r: (r[2], r[3]))
    _s, n, x, y = pts[len(pts) // 2]
    return AddressMatch(street, None, x, y, False, score, address_line(street, n))


def suggest(
    session: Session, street: str, number: str | None, near: LonLat | None, limit: int = 8
) -> list[Any]:
    """``(Address, lon, lat)`` rows for a typed street and number, nearest to ``near`` when
    given (the scouts' address box). Empty before any network (and gazetteer) is imported."""
    stmt = spatial.addresses_like(street_key(street), number, near)
    return list(session.execute(stmt.limit(limit)).all())
