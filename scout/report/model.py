"""What a report is made of: figures and tables of counts, and how each is shown.

Counts only, never a person. The small-cell rule of every published or exported form (all
but a coordinator's internal version):

- primary suppression: a count of people from 1 to 2 is shown as "< 3" (and a percentage
  or mean resting on 1 or 2 people likewise);
- secondary suppression: where counts add up to a total the report shows or lets one work
  out (a table's column, whose percentages give its total; the placements by contract, which
  add up to the placements), a single "< 3" could be recovered as the total minus the
  others; so the smallest other count above 0 is hidden too, shown as "*", with its
  percentage. Zeros are shown: they hide nobody. A share of those whose datum is recorded
  (mothers unemployed, of those whose status is known) is hidden as "*" too when 1 or 2 of
  its group are left out, who would be its group minus its whole.

Counts of things that are not people (bulletins, meetings, organisations, offers) are always
shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from scout.models import Role
from scout.report.period import Scope

SMALL = 3  # fewer people than this (but some) are shown as "< 3"
HIDDEN = "< 3"
SUPPRESSED = "*"  # hidden so that a "< 3" beside it cannot be worked out from the total


def small(n: int | None) -> bool:
    return n is not None and 0 < n < SMALL


def secondary(counts: Sequence[int | None]) -> int | None:
    """The index of the count to hide besides the small ones (the rule above), or ``None``:
    when exactly one count is small, the smallest other count above 0 (the first of equals)."""
    if sum(1 for n in counts if small(n)) != 1:
        return None
    others = [(n, i) for i, n in enumerate(counts) if n and not small(n)]
    return min(others)[1] if others else None


@dataclass(frozen=True)
class Link:
    """The staff page listing the records behind a figure (endpoint and its arguments)."""

    endpoint: str
    args: dict[str, Any] = field(default_factory=dict)
    role: Role = Role.COORDINATOR  # the least role that may read the list

    def allowed(self, user: Any) -> bool:
        return bool(getattr(user, "has_role", None)) and user.has_role(self.role)


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
    group: str | None = None  # figures whose people add up to a total shown beside them
    secondary: bool = False  # hidden by the secondary rule (set by :func:`suppress`)
    # A share of those with the datum recorded: the people of its group left out. If 1 or 2,
    # the group (known) minus the share's whole (worked out from it) would give them away.
    excluded: int | None = None

    @property
    def people_count(self) -> int | None:
        """The people the figure rests on (``None`` for a count of things)."""
        return self.value if self.kind == "people" else self.people  # type: ignore[return-value]

    @property
    def count(self) -> int | None:
        """The records the figure rests on: the list behind its link holds this many."""
        return self.value if self.kind == "count" else self.people_count  # type: ignore[return-value]

    def hidden(self, internal: bool) -> bool:
        return not internal and (small(self.people_count) or self.secondary or small(self.excluded))

    def shown(self, internal: bool = False) -> str:
        """The value as the report writes it (in any language: digits and symbols only)."""
        if self.value is None:
            return "–"
        if self.hidden(internal):
            return HIDDEN if small(self.people_count) else SUPPRESSED
        if self.kind == "percent":
            return f"{round(self.value)} %"
        if self.kind in ("mean", "minutes"):
            return f"{self.value:.1f}".rstrip("0").rstrip(".")
        return str(self.value)


@dataclass(frozen=True)
class Row:
    label: str
    counts: tuple[int, ...]
    links: tuple[Link | None, ...] = ()  # per column: the records behind the count

    def link(self, column: int) -> Link | None:
        return self.links[column] if column < len(self.links) else None


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

    def cell(self, row: Row, column: int, internal: bool = False) -> str:
        """The count of ``row`` in ``column`` as shown: "< 3", "*" (the rule above) or it."""
        n = row.counts[column]
        if self.people and not internal:
            if small(n):
                return HIDDEN
            at = next(i for i, r in enumerate(self.rows) if r is row)
            if at == secondary([r.counts[column] for r in self.rows]):
                return SUPPRESSED
        return str(n)

    def hidden(self, row: Row, column: int, internal: bool = False) -> bool:
        return self.cell(row, column, internal) != str(row.counts[column])

    def percent(self, row: Row, column: int, internal: bool = False) -> str:
        """Its share of the column, hidden as its count is."""
        total = self.totals()[column]
        if not total:
            return "–"
        if self.hidden(row, column, internal):
            return self.cell(row, column, internal)
        return f"{round(100 * row.counts[column] / total)} %"


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

    def consent(self, internal: bool = False) -> tuple[str, str]:
        """(N, M) of "counts only those who consented to statistics: N of M": the people it
        counts and those with a plan in scope. In the published version the small-cell rule
        holds here too: N under 3 is "< 3", and when 1 or 2 did not consent M is the range
        it could be (so their number is not shown)."""
        counted = self.figure("people_with_plan")
        n = counted.value if isinstance(counted.value, int) else 0
        m = n + self.not_consenting
        if internal or not small(self.not_consenting):
            return counted.shown(internal), str(m)
        if small(n):  # both under 3: only that there are fewer than 5
            return HIDDEN, f"< {2 * SMALL - 1}"
        return counted.shown(internal), f"{n + 1}–{n + 2}"

    def figure(self, key: str) -> Figure:
        for section in self.sections:
            for f in section.figures:
                if f.key == key:
                    return f
        raise KeyError(key)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def suppress(figures: Sequence[Figure]) -> list[Figure]:
    """``figures`` with the secondary rule applied to each group: every figure resting on
    the count chosen to hide (figures of equal count alike: the women's share and the
    mothers' share rest on the same mothers)."""
    out = list(figures)
    groups: dict[str, list[int]] = {}
    for i, f in enumerate(out):
        if f.group:
            groups.setdefault(f.group, []).append(i)
    for members in groups.values():
        counts = [out[i].people_count for i in members]
        chosen = secondary(counts)
        if chosen is None:
            continue
        for i, n in zip(members, counts, strict=True):
            if n == counts[chosen]:
                out[i] = replace(out[i], secondary=True)
    return out


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent (``None`` when there is no whole)."""
    return 100 * part / whole if whole else None
