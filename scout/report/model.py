"""What a report is made of: figures and tables of counts, and how each is shown.

Counts only, never a person. A count of people from 1 to 2 is shown as "< 3" in every
published or exported form (and a percentage or mean resting on 1 or 2 people likewise),
unless a coordinator asks for the internal version. Counts of things that are not people
(bulletins, meetings, organisations, offers) are always shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from scout.report.period import Scope

SMALL = 3  # fewer people than this (but some) are shown as "< 3"
HIDDEN = "< 3"


@dataclass(frozen=True)
class Link:
    """The staff page listing the records behind a figure (endpoint and its arguments)."""

    endpoint: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Figure:
    """One number of the report. ``kind``: people, count (not people), percent, mean,
    minutes. For a percent ``people`` is its numerator's people; for a mean, the group's."""

    key: str
    label: str
    value: float | int | None
    kind: str = "people"
    people: int | None = None
    link: Link | None = None
    note: str | None = None

    def hidden(self, internal: bool) -> bool:
        if internal:
            return False
        n = self.value if self.kind == "people" else self.people
        return n is not None and 0 < n < SMALL

    def shown(self, internal: bool = False) -> str:
        """The value as the report writes it (in any language: digits and symbols only)."""
        if self.value is None:
            return "–"
        if self.hidden(internal):
            return HIDDEN
        if self.kind == "percent":
            return f"{round(self.value)} %"
        if self.kind in ("mean", "minutes"):
            return f"{self.value:.1f}".rstrip("0").rstrip(".")
        return str(self.value)


@dataclass(frozen=True)
class Row:
    label: str
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Table:
    """A table of counts: one row per category, one column per group (e.g. mothers,
    fathers). ``people``: the counts are of people (so small ones are hidden). ``chart``:
    how charts.py draws it (``bar`` or ``share``), or ``None`` for no chart."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    people: bool = True
    chart: str | None = "bar"

    def totals(self) -> tuple[int, ...]:
        return tuple(sum(r.counts[i] for r in self.rows) for i in range(len(self.columns)))

    def cell(self, n: int, internal: bool = False) -> str:
        if self.people and not internal and 0 < n < SMALL:
            return HIDDEN
        return str(n)

    def percent(self, row: Row, column: int, internal: bool = False) -> str:
        total = self.totals()[column]
        n = row.counts[column]
        if not total:
            return "–"
        if self.people and not internal and 0 < n < SMALL:
            return HIDDEN
        return f"{round(100 * n / total)} %"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    figures: tuple[Figure, ...]


@dataclass
class Report:
    scope: Scope
    sections: list[Section]
    tables: list[Table]
    generated_on: date
    hub_name: str | None = None
    missing: list[str] = field(default_factory=list)  # what the records cannot say yet
    not_consenting: int = 0  # people with a plan in scope but no consent to statistics

    def figure(self, key: str) -> Figure:
        for section in self.sections:
            for f in section.figures:
                if f.key == key:
                    return f
        raise KeyError(key)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent (``None`` when there is no whole)."""
    return 100 * part / whole if whole else None
