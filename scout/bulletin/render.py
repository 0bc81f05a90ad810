"""Rendering a published bulletin's snapshot: dates, schedules, item lines and the plain text.

Everything here reads the snapshot (plain JSON), never live rows, and speaks the current
locale: call it under ``flask_babel.force_locale`` to render Italian or English.
"""

from __future__ import annotations

import textwrap
from datetime import date
from typing import Any

import segno
from babel import Locale
from babel.lists import format_list
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup, escape

from scout.basemap import svg
from scout.bulletin.common import LANGUAGES, SECTIONS
from scout.models import ContractType, ItalianLevel, PartTime, ResourceKind
from scout.schedule import format_schedule as schedule_text

TEXT_WIDTH = 60  # characters per line of the plain-text bulletin


def bulletin_language(requested: str | None) -> str:
    """``requested`` if the bulletin is offered in it, else the page's language or Italian."""
    if requested in LANGUAGES:
        return requested
    current = str(get_locale())
    return current if current in LANGUAGES else "it"


def _date(iso: str | None, fmt: str = "d MMMM yyyy") -> str:
    return format_date(date.fromisoformat(iso), fmt) if iso else ""


def _km_zero_rule(snapshot: dict[str, Any] | None) -> dict[str, Any] | None:
    """The rule a snapshot was published under (bulletins before it was kept: only minutes)."""
    if not snapshot:
        return None
    rule = snapshot.get("km_zero")
    if rule is None and snapshot.get("km_zero_minutes") is not None:
        return {"minutes": snapshot["km_zero_minutes"], "municipi": None}
    return rule


def _municipi(numbers: list[int]) -> str:
    listed = format_list([str(n) for n in numbers], locale=str(get_locale()))
    return ngettext("Municipio %(list)s", "Municipi %(list)s", len(numbers), list=listed)


def section_title(key: str, snapshot: dict[str, Any] | None = None) -> str:
    """A section's heading; the km-zero one states its walk in minutes."""
    rule = _km_zero_rule(snapshot)
    if key == "km_zero" and rule:
        return _("Km-zero job offers: up to %(n)s minutes on foot", n=rule["minutes"])
    return str(SECTIONS[key])


def section_intro(key: str, snapshot: dict[str, Any]) -> str:
    """The rule behind the km-zero and open-market sections, in numbers ('' for others)."""
    rule = _km_zero_rule(snapshot)
    if not rule or key not in ("km_zero", "market"):
        return ""
    n = rule["minutes"]
    municipi = rule.get("municipi")
    if municipi is None:  # published before the rule was kept with the bulletin
        if key == "market":
            return ""
        return _(
            "Within %(n)s minutes' walk of a programme hub, or in the neighbourhoods served.", n=n
        )
    if key == "km_zero":
        text = _(
            "Offers at most %(n)s minutes' walk (exactly %(n)s included) from the nearest "
            "programme hub, measured along the streets.",
            n=n,
        )
        if municipi:
            text += " " + _(
                "Offers anywhere in %(municipi)s count as km zero too.",
                municipi=_municipi(municipi),
            )
        return text
    return _(
        "Offers more than %(n)s minutes' walk from every programme hub: elsewhere in Milan "
        "and its metropolitan area, or with no fixed place.",
        n=n,
    )


def week_label(snapshot: dict[str, Any]) -> str:
    return _(
        "Week from %(start)s to %(end)s",
        start=_date(snapshot["week_start"], "d MMMM"),
        end=_date(snapshot["week_end"]),
    )


def format_schedule(schedule: list[dict[str, Any]]) -> str:
    """A snapshot's weekly windows in the current locale ("Mon–Fri 09:00–13:00")."""
    return schedule_text(schedule, str(get_locale()))


def hub_hours(hub: dict[str, Any]) -> str:
    """A hub's opening hours in the current locale (its free-text note if no windows)."""
    return format_schedule(hub.get("opening_schedule") or []) or (hub.get("opening_hours") or "")


def item_place(item: dict[str, Any]) -> str:
    """Where: the named place and address if public, else only the neighbourhood; for an
    open-market offer its employer and area as the source gives them."""
    if item["kind"] == "market":
        where = item.get("area") or _("No fixed place")
        return " · ".join(p for p in (item.get("employer"), where) if p)
    area = item.get("area") or (
        _("Municipio %(n)s", n=item["municipio"]) if item.get("municipio") else None
    )
    if item.get("where"):
        return ", ".join(p for p in (item["where"], item.get("address")) if p)
    return _("Area: %(area)s", area=area) if area else ""


def item_facts(item: dict[str, Any]) -> list[str]:
    """The item's details as short translated sentences, in print order."""
    facts: list[str] = []
    if item["kind"] == "market":
        if item.get("contract"):
            facts.append(str(ContractType(item["contract"]).label))
        facts.append(_("Source: %(source)s", source=item["source"]))
        if item.get("expires_on"):
            facts.append(_("Apply by %(date)s", date=_date(item["expires_on"])))
        return facts
    if item["kind"] == "offer":
        facts.append(
            f"{ContractType(item['contract']).label} · {PartTime(item['part_time']).label}"
        )
        if item.get("hours_per_week"):
            facts.append(_("%(hours)s hours a week", hours=f"{item['hours_per_week']:g}"))
    else:
        facts.append(str(ResourceKind(item["resource_kind"]).label))
    if item.get("schedule"):
        facts.append(_("When: %(schedule)s", schedule=format_schedule(item["schedule"])))
    if item["kind"] == "offer":
        level = ItalianLevel(item["italian_level"])
        if level != ItalianLevel.NONE:
            facts.append(_("Italian: level %(level)s", level=level.label))
        if (item.get("positions") or 1) > 1:
            facts.append(_("%(n)s positions", n=item["positions"]))
        if item.get("documents_required"):
            facts.append(_("Required: %(docs)s", docs=item["documents_required"]))
        walk = item.get("walk")
        if walk and walk.get("minutes") is not None:
            text = _("%(minutes)s min walk from %(hub)s", minutes=walk["minutes"], hub=walk["hub"])
            facts.append(text + (f" ({_('estimate')})" if walk.get("estimate") else ""))
        elif walk and walk.get("reason") == "municipio":
            facts.append(_("In the neighbourhoods served"))
        if item.get("expires_on"):
            facts.append(_("Apply by %(date)s", date=_date(item["expires_on"])))
    else:
        start, end = _date(item.get("starts_on")), _date(item.get("ends_on"))
        if start and end:
            facts.append(_("From %(start)s to %(end)s", start=start, end=end))
        elif start:
            facts.append(_("Starts %(date)s", date=start))
        elif end:
            facts.append(_("Until %(date)s", date=end))
        if item.get("languages"):
            names = Locale.parse(str(get_locale())).languages
            langs = ", ".join(names.get(code, code) for code in item["languages"])
            facts.append(_("Languages: %(languages)s", languages=langs))
        if item.get("childcare") and item["resource_kind"] != ResourceKind.CHILDCARE:
            facts.append(_("Childcare available"))
        facts.append(_("Free") if item.get("is_free") else (item.get("cost") or ""))
    return [f for f in facts if f]


def item_apply(item: dict[str, Any]) -> list[str]:
    """How to apply or enrol, and public contacts; otherwise: through the programme hubs."""
    lines = []
    if item["kind"] == "market":
        lines = [_("Read the offer and apply: %(link)s", link=item["link"])] if item["link"] else []
        return [*lines, _("A tutor at the programme hubs can help you apply.")]
    how = item.get("how_to_apply") if item["kind"] == "offer" else item.get("how_to_enrol")
    if how:
        lines.append(how)
    if item.get("contacts"):
        lines.append(" · ".join(item["contacts"].values()))
    if not lines or (item["kind"] == "offer" and not item.get("contacts")):
        lines.append(_("Apply through the programme hubs (addresses at the end)."))
    return lines


def render_text(snapshot: dict[str, Any], url: str | None = None) -> str:
    """The plain-text bulletin for messaging apps: short lines (≤ 60 characters), plain
    headings, one item per paragraph. Call under ``force_locale``."""
    width = TEXT_WIDTH

    def wrap(text: str) -> list[str]:
        return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]

    def heading(text: str) -> list[str]:
        lines = wrap(text.upper())
        return [*lines, "=" * min(width, max(len(line) for line in lines))]

    out: list[str] = []
    out += heading(_("Bulletin no. %(n)s", n=snapshot["number"]))
    out += wrap(week_label(snapshot))
    if snapshot.get("editorial"):
        out.append("")
        for para in snapshot["editorial"].splitlines():
            out += wrap(para) if para.strip() else []
    for section in snapshot["sections"]:
        out += ["", "", *heading(section_title(section["key"], snapshot))]
        intro = section_intro(section["key"], snapshot)
        if intro:
            out += ["", *wrap(intro)]
        if section.get("note"):
            out += ["", *wrap(section["note"])]
        for item in section["items"]:
            out += ["", *wrap(f"{item['n']}. {item['title']}")]
            for line in [item_place(item), *item_facts(item)]:
                out += wrap(line) if line else []
            if item.get("description"):
                out += wrap(item["description"])
            for line in item_apply(item):
                out += wrap(line)
    if snapshot.get("hubs"):
        out += ["", "", *heading(_("Programme hubs"))]
        for hub in snapshot["hubs"]:
            out.append("")
            for line in (hub["name"], hub.get("address"), hub_hours(hub)):
                out += wrap(line) if line else []
            contacts = " · ".join(c for c in (hub.get("phone"), hub.get("email")) if c)
            out += wrap(contacts) if contacts else []
    if url:
        out += ["", *wrap(url)]
    return "\n".join(line.rstrip() for line in out) + "\n"


def qr_svg(data: str, title: str = "") -> Markup:
    """A QR code of ``data`` as inline SVG (segno), for the printed bulletin's notice-board
    copy: phones open the bulletin's page from it."""
    code = segno.make(data, error="m")
    svg = code.svg_inline(scale=3, title=str(escape(title)) or None, svgclass="bulletin-qr-code")
    return Markup(svg)  # noqa: S704 (segno's own SVG of our URL; the title escaped above)


def template_helpers() -> dict[str, Any]:
    """Functions the bulletin templates use (they get the snapshot, never live rows)."""
    return {
        "section_title": section_title,
        "section_intro": section_intro,
        "qr_svg": qr_svg,
        "street_svg": svg.draw,
        "week_label": week_label,
        "item_place": item_place,
        "hub_hours": hub_hours,
        "item_facts": item_facts,
        "item_apply": item_apply,
        "format_bulletin_date": _date,
    }
