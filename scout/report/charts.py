"""Charts of the report's tables, drawn on the server as SVG with matplotlib.

Why matplotlib: it is the most used and best kept plotting library in Python, draws without a
browser or JavaScript (the object API and the SVG canvas, no pyplot and its global state, so
it is safe in threaded workers), and writes plain SVG that the page shows inline and WeasyPrint
puts in the PDF, so both show the same picture. pygal was the other candidate: its SVG relies
on CSS and scripts for its looks and tooltips, which WeasyPrint renders only in part.

Each chart carries a ``<title>`` and a ``<desc>`` (the numbers in words) and is marked
``role="img"``; the page and the PDF also print the numbers in a table beside it. Text stays
text (``svg.fonttype: none``), so it is searchable and scales with the page.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

import matplotlib as mpl
from markupsafe import Markup
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure as MplFigure

from scout.report.model import Row, Table

mpl.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "scout-report",  # the same ids every time: the same picture
        "font.family": "sans-serif",
        "font.size": 10,
    }
)
# Okabe–Ito: told apart with any colour vision; dark enough on white for text (WCAG 1.4.11).
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
_XML_HEAD = re.compile(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)


def _describe(table: Table, internal: bool) -> str:
    parts = []
    for row in table.rows:
        cells = ", ".join(
            f"{col} {table.cell(row, i, internal)}"
            if len(table.columns) > 1
            else table.cell(row, i, internal)
            for i, col in enumerate(table.columns)
        )
        parts.append(f"{row.label}: {cells}")
    return "; ".join(parts)


def _plain(text: str) -> str:
    """A label as plain text: matplotlib would read ``$...$`` as mathematics."""
    return text.replace("$", r"\$")


def _shown(table: Table, row: Row, column: int, internal: bool) -> int:
    """Bars of hidden counts are drawn at 0 and labelled as the table shows them ("< 3",
    "*"): a bar's length must not tell what its label hides."""
    return 0 if table.hidden(row, column, internal) else row.counts[column]


def _own_ids(svg: str, slug: str) -> str:
    """Prefix matplotlib's ids (``text_1``, ``patch_2``…) with the chart's own, so several
    charts in one page or PDF never share an id."""
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{slug}-{m.group(1)}"', svg)
    svg = re.sub(r'(href=")#([^"]+)"', lambda m: f'{m.group(1)}#{slug}-{m.group(2)}"', svg)
    return re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{slug}-{m.group(1)})", svg)


@dataclass(frozen=True)
class Chart:
    """A chart's SVG, the same bytes as a ``data:`` URI (for ``<img>``, in the page and the
    PDF: WeasyPrint draws SVG images fully, inline SVG only in part), and its text alternative
    (its title and the numbers in words)."""

    svg: str
    uri: str
    alt: str


def chart(table: Table, internal: bool = False) -> Chart:
    svg = chart_svg(table, internal)
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return Chart(str(svg), uri, f"{table.title}. {_describe(table, internal)}")


def chart_svg(table: Table, internal: bool = False) -> Markup:
    """The table as an SVG chart: horizontal bars per group, or a share bar (``share``)."""
    rows = [r for r in table.rows if any(r.counts)] or list(table.rows)
    height = 0.9 + 0.32 * len(rows) * max(1, len(table.columns))
    # 5 inches (480 px) wide: on a phone (about 360 px) its text still reads at about 10 px.
    fig = MplFigure(figsize=(5.0, min(max(height, 1.6), 7.5)), dpi=96)
    FigureCanvasSVG(fig)
    ax = fig.add_subplot()
    labels = [_plain(r.label) for r in rows]
    n_groups = len(table.columns)
    bar = 0.8 / n_groups
    for g, column in enumerate(table.columns):
        ys = [i + (g - (n_groups - 1) / 2) * bar for i in range(len(rows))]
        values = [_shown(table, r, g, internal) for r in rows]
        bars = ax.barh(
            ys, values, height=bar * 0.92, color=COLOURS[g % len(COLOURS)], label=_plain(column)
        )
        ax.bar_label(bars, labels=[table.cell(r, g, internal) for r in rows], padding=3)
    ax.set_yticks(range(len(rows)), labels=labels)
    ax.invert_yaxis()
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    ax.margins(x=0.15)
    ax.set_xlim(left=0, right=max(ax.get_xlim()[1], 1))
    if n_groups > 1:
        ax.legend(frameon=False, loc="lower right")
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Title": table.title})
    slug = "chart-" + re.sub(r"[^a-z0-9]+", "-", table.key)
    svg = _own_ids(_XML_HEAD.sub("", out.getvalue()), slug)
    head = f'<svg role="img" aria-labelledby="{slug}-title {slug}-desc" class="report-chart"'
    svg = svg.replace("<svg", head, 1)
    svg = re.sub(
        r"(<svg[^>]*>)",
        lambda m: (
            f'{m.group(1)}<title id="{slug}-title">{escape(table.title)}</title>'
            f'<desc id="{slug}-desc">{escape(_describe(table, internal))}</desc>'
        ),
        svg,
        count=1,
    )
    return Markup(svg)  # noqa: S704 - matplotlib's own SVG; every label passed through escape
