"""Stored XSS: hostile strings in every free-text column of every model, published, then every
page, map popup and JSON/GeoJSON answer read as every role must show them inert.

The text columns are found in the SQLAlchemy metadata, so a column or model added later is
covered without editing this file; a model the generic builder cannot fill fails with a message
saying what to add to :data:`BUILD` or :data:`NOT_USER_TEXT`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from decimal import Decimal
from typing import Any

import pytest
from geoalchemy2 import Geography, Geometry
from sqlalchemy import (
    ARRAY,
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Integer,
    Numeric,
    String,
    Time,
    Uuid,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB

from scout.extensions import db
from scout.models import Base, ReviewStatus, Role
from tests.factories import PASSWORD, VIA_PADOVA, milan_today
from tests.web import test_permissions
from tests.web.crawl import crawl, get_urls, parse

sample_args = test_permissions.sample_args

# What an attacker types. Each is harmless only if escaped for where it lands.
HTML_MARKERS = ("<img src=x onerror=alert(1)>", '"><script>alert(1)</script>', "<q>")
JS_MARKERS = ("${alert(1)}", "`-alert(1)-`")
URL_PAYLOAD = "javascript:alert(1)"
FULL = "X" + "".join(HTML_MARKERS[:2]) + "".join(JS_MARKERS) + "</script>'-alert(1)-'"

# Models with no user-entered text: official boundaries, the OSM walking graph, the audit trail.
# MailSuppression holds only keyed hashes of addresses.
SKIP_MODELS = {
    "RateLimitCounter",  # digests and counts, no text anyone reads
    "Municipio",
    "Nil",
    "WalkEdge",
    "WalkNode",
    "WalkNetwork",
    "AuditEvent",
    "MailSuppression",
    "MatchesSeen",  # a user and a time, no text
}
# Text columns that users never type (secrets, server-made names, fixed vocabularies).
NOT_USER_TEXT = {
    "User.password_hash",
    "ApiToken.token_hash",
    "Photo.filename",
    "Photo.content_type",
    "BulletinItem.section",
    "BulletinItem.km_zero_reason",
    "Subscriber.token",
    "MailOutbox.message_id",
    "MailOutbox.base_url",
    "MailOutbox.last_error",
}
URL_COLUMNS = re.compile(r"(website|url|link|href)$")
# Extra values for a model the generic builder cannot fill: model name → column → value.
BUILD: dict[str, dict[str, Any]] = {
    "User": {"role": Role.TUTOR, "active": True},
    "Organisation": {"is_example": False},
    "BulletinItem": {"section": "market"},
    "Subscriber": {"language": "it"},
    # Reference data the basemap draws: names come from files (OSM, the Comune), which anyone
    # can edit, so they are checked like typed text.
    "MainRoad": {"geom": "SRID=4326;LINESTRING(9.22 45.49, 9.23 45.50)"},
    "MetroStation": {"id": 990_001},
    # A match or a referral is for an offer or a course, not both.
    "NewMatch": {"resource_id": None},
    "Referral": {"resource_id": None},
}


def payload_for(column: Any) -> str:
    """The most hostile string that fits the column."""
    if URL_COLUMNS.search(column.name):
        return URL_PAYLOAD
    length = getattr(column.type, "length", None) or 10_000
    for candidate in (FULL, HTML_MARKERS[0], "<q>x", "<q>"):
        if len(candidate) <= length:
            return candidate
    return "<"[:length]


def is_text(column: Any) -> bool:
    return isinstance(column.type, String) and not isinstance(column.type, Enum)


def text_columns() -> list[tuple[Any, Any]]:
    """(mapper, column) of every user-entered text column."""
    out = []
    for mapper in Base.registry.mappers:
        name = mapper.class_.__name__
        if name in SKIP_MODELS:
            continue
        for column in mapper.local_table.columns:
            if f"{name}.{column.name}" in NOT_USER_TEXT:
                continue
            if is_text(column) or (
                isinstance(column.type, ARRAY) and isinstance(column.type.item_type, String)
            ):
                out.append((mapper, column))
    return out


def _value(column: Any, made: dict[str, Any]) -> Any:
    """A value for ``column``: hostile text, a published status, a real foreign key."""
    t = column.type
    if column.foreign_keys:
        target = next(iter(column.foreign_keys)).column.table.name
        if target in made:
            return made[target].id
        if column.nullable:
            return None
        existing = db.session.scalar(select(next(iter(column.foreign_keys)).column).limit(1))
        if existing is None:
            raise LookupError(f"no row in {target} for {column}")
        return existing
    if isinstance(t, Enum):
        values = t.enum_class and list(t.enum_class)
        if t.enum_class is ReviewStatus:
            return ReviewStatus.PUBLISHED
        return values[0] if values else t.enums[0]
    if is_text(column):
        return payload_for(column)
    if isinstance(t, ARRAY) and isinstance(t.item_type, String):
        return [payload_for(column)[: t.item_type.length or 100]]
    if column.nullable or column.default is not None or column.server_default is not None:
        return None
    if isinstance(t, Boolean):
        return True
    if isinstance(t, Integer | Numeric):
        return Decimal(1) if isinstance(t, Numeric) else 1
    if isinstance(t, DateTime):
        return dt.datetime.now(dt.UTC)
    if isinstance(t, Date):
        return milan_today()
    if isinstance(t, Time):
        return dt.time(9, 0)
    if isinstance(t, Geography | Geometry):
        return f"SRID=4326;POINT({VIA_PADOVA[0]} {VIA_PADOVA[1]})"
    if isinstance(t, JSON | JSONB):
        return {}
    if isinstance(t, Uuid):
        return uuid.uuid4()
    raise LookupError(f"cannot make a value for {column} ({t!r})")


def _ordered_mappers() -> list[Any]:
    by_table = {m.local_table: m for m in Base.registry.mappers}
    return [by_table[t] for t in Base.metadata.sorted_tables if t in by_table]


def make_hostile_rows() -> dict[str, Any]:
    """One row of every model (but the skipped ones), every text column hostile, published."""
    made: dict[str, Any] = {}
    problems = []
    for mapper in _ordered_mappers():
        cls = mapper.class_
        if cls.__name__ in SKIP_MODELS:
            continue
        obj = cls()
        try:
            for column in mapper.local_table.columns:
                key = mapper.get_property_by_column(column).key
                if column.primary_key and not column.foreign_keys:
                    if key in BUILD.get(cls.__name__, {}):  # a key the data gives, not a serial
                        setattr(obj, key, BUILD[cls.__name__][key])
                    continue
                if key == getattr(mapper.version_id_col, "key", None):
                    continue
                if f"{cls.__name__}.{column.name}" in NOT_USER_TEXT:
                    value = None if column.nullable else f"{column.name}-{uuid.uuid4().hex[:12]}"
                else:
                    value = _value(column, made)
                if key in BUILD.get(cls.__name__, {}):
                    value = BUILD[cls.__name__][key]
                if value is not None:
                    setattr(obj, key, value)
            if cls.__name__ == "User":
                from scout.auth import hash_password

                obj.password_hash = hash_password(PASSWORD)
                obj.email = "hostile@example.org"
                obj.name = FULL
            with db.session.begin_nested():
                db.session.add(obj)
                db.session.flush()
        except Exception as exc:  # noqa: BLE001  (reported below, with what to do)
            problems.append(f"{cls.__name__}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            continue
        made[mapper.local_table.name] = obj
    assert not problems, (
        "cannot build hostile rows for: "
        + "; ".join(problems)
        + "\nadd the missing values to BUILD in tests/web/test_xss.py (or the model to SKIP_MODELS "
        "if it holds no user-entered text)"
    )
    if "organisation" in made:
        org = made["organisation"]
        org.public_consent = org.is_partner = org.contacts_public = True
    from scout.spatial import assign_admin_units

    assign_admin_units(db.session)
    _publish_bulletin(made)
    db.session.commit()
    return made


def _publish_bulletin(made: dict[str, Any]) -> None:
    """Publish a bulletin with the hostile offers and resources in it (its public pages show a
    frozen snapshot, which rows alone do not make)."""
    try:
        from scout import bulletin
    except ImportError:
        return
    draft = bulletin.create_draft(bulletin.today(), made.get("user"))
    draft.editorial = FULL
    draft.notes = {str(key): FULL for key in bulletin.SECTIONS}
    bulletin.publish(draft)
    db.session.flush()
    made["bulletin"] = draft


# ----------------------------------------------------------------------------- checks


def _js_contexts(script: str) -> list[tuple[str, int, int]]:
    """Spans of ``script`` by lexical state: ('code'|'"'|"'"|'`'|'comment', start, end).

    Regular-expression literals are not recognised; folium and our modules put no user text
    in them, and a mistake here can only make the test stricter."""
    spans = []
    i, start, state = 0, 0, "code"
    n = len(script)
    while i < n:
        c = script[i]
        if state == "code":
            if c in "\"'`":
                spans.append(("code", start, i))
                state, start = c, i + 1
            elif script.startswith("//", i):
                end = script.find("\n", i)
                i = n if end < 0 else end
                continue
            elif script.startswith("/*", i):
                end = script.find("*/", i + 2)
                i = n if end < 0 else end + 2
                continue
        elif c == "\\":
            i += 2
            continue
        elif c == state:
            spans.append((state, start, i))
            state, start = "code", i + 1
        i += 1
    spans.append((state, start, n))
    return spans


def html_problems(url: str, html: str) -> list[str]:
    problems = [f"{url}: raw {m!r}" for m in HTML_MARKERS if m in html]
    page = parse(html)
    problems += [f"{url}: {u}" for u in page.js_urls]
    problems += [f"{url}: {h}" for h in page.event_handlers if "alert" in h]
    if re.search(r"""(href|src|action)\s*=\s*\\?["']?\s*javascript:""", html, re.I):
        problems.append(f"{url}: javascript: URL inside a script string")
    for attrs, body in page.scripts:
        if (attrs.get("type") or "").lower() in ("application/json", "application/ld+json"):
            continue
        for state, a, b in _js_contexts(body):
            if state in ("code", "`"):
                for marker in JS_MARKERS:
                    if marker in body[a:b]:
                        kind = "JS code" if state == "code" else "a template literal"
                        problems.append(f"{url}: {marker!r} in {kind}")
    return problems


def json_problems(url: str, response: Any) -> list[str]:
    """JSON answers carry the text as data: fine, as long as no browser treats them as HTML."""
    problems = []
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{url}: JSON without nosniff")
    if "html" in response.mimetype:
        problems.append(f"{url}: JSON served as {response.mimetype}")
    return problems


def response_problems(url: str, response: Any) -> list[str]:
    if response.mimetype in ("text/html", "application/xhtml+xml"):
        return html_problems(url, response.get_data(as_text=True))
    textual = response.mimetype.startswith("text/") or re.search(
        r"json|xml|javascript", response.mimetype
    )
    body = response.get_data().decode("utf-8", "replace") if textual else ""
    if any(m in body for m in HTML_MARKERS) and (
        "json" in response.mimetype or response.mimetype in ("text/csv", "text/plain")
    ):
        return json_problems(url, response)
    if response.mimetype in (
        "application/atom+xml",
        "application/xml",
        "text/xml",
        "image/svg+xml",
    ):
        return [f"{url}: raw {m!r} in XML" for m in HTML_MARKERS if m in body]
    return []


# ----------------------------------------------------------------------------- tests


def test_every_text_column_is_covered():
    covered = {f"{m.class_.__name__}.{c.name}" for m, c in text_columns()}
    for must in (
        "Organisation.name",
        "Organisation.description",
        "Organisation.website",
        "Place.name",
        "Place.opening_hours",
        "Place.notes",
        "Offer.title",
        "Offer.how_to_apply",
        "Resource.title",
        "Resource.languages",
        "Visit.notes",
        "User.name",
        "ApiToken.name",
    ):
        assert must in covered


def test_js_context_scanner():
    script = 'var a = "${x}"; var b = `${alert(1)}`; // `${c}`\n f(${d})'
    states = {script[a:b]: s for s, a, b in _js_contexts(script)}
    assert states["${x}"] == '"'
    assert states["${alert(1)}"] == "`"
    assert html_problems("t", f"<script>var b = `{JS_MARKERS[0]}`</script>")
    assert not html_problems("t", f'<script>var b = "{JS_MARKERS[0]}"</script>')
    assert html_problems("t", '<a href=" javascript:alert(1)">x</a>')
    assert html_problems("t", "<p><q>x</p>")


@pytest.fixture
def hostile(app) -> dict[str, Any]:
    return make_hostile_rows()


def _args(made: dict[str, Any]) -> dict[str, object]:
    args: dict[str, object] = {
        f"{table}_id": obj.id for table, obj in made.items() if hasattr(obj, "id")
    }
    args["item_id"] = str(made["place"].id)
    args["collection_id"] = "partners"
    if getattr(made.get("bulletin"), "number", None) is not None:
        args["number"] = made["bulletin"].number
    if "api_token" in made:
        args["token_id"] = made["api_token"].id
    return args


@pytest.mark.parametrize("caller", ["anonymous", "scout", "tutor", "coordinator"])
def test_stored_hostile_text_is_inert_everywhere(app, client, login, make_user, hostile, caller):
    user = make_user(Role(caller)) if caller != "anonymous" else None
    db.session.commit()
    relogin = (lambda: login(user)) if user else None
    problems: list[str] = []
    seen = 0
    start = get_urls(app, _args(hostile)) + ["/api/v1/places", "/list", "/data/places.geojson"]
    shown = []
    for item in crawl(app, client, start, login=relogin, limit=600):
        seen += 1
        problems += response_problems(item.url, item.response)
        if item.is_html and "&lt;img src=x onerror=alert(1)&gt;" in item.response.text:
            shown.append(item.url)
    problems += _post_pages(app, client, relogin, hostile)
    assert seen > 10
    assert len(shown) >= 2, f"the hostile text should be on some pages (escaped); seen {shown}"
    assert not problems, f"as {caller}:\n  " + "\n  ".join(dict.fromkeys(problems))


def _post_pages(app, client, relogin, made) -> list[str]:
    """Answers to POSTs that show stored text: the search API and the printed sheet."""
    out: list[str] = []
    if relogin is None:
        return out
    relogin()
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        query = {"origin": {"lon": VIA_PADOVA[0], "lat": VIA_PADOVA[1]}, "max_minutes": 30}
        found = client.post("/api/v1/search", json=query)
        if found.status_code == 200:
            out += response_problems("/api/v1/search", found)
            keys = [f["properties"].get("key", f.get("id")) for f in found.get_json()["features"]]
            for lang in ("it", "ar"):
                data = {"search": json.dumps(query), "items": keys, "lang": lang, "note": FULL}
                sheet = client.post("/tutor/sheet", data=data)
                if sheet.status_code == 200:
                    out += response_problems(f"/tutor/sheet ({lang})", sheet)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    return out


# ----------------------------------------------------------------------------- browser


@pytest.mark.browser
def test_hostile_text_fires_nothing_in_the_browser(app, new_page, live_server, make_user):
    from tests.browser.fixtures import browser_login

    made = make_hostile_rows()
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    dialogs: list[str] = []

    def watch(page: Any) -> Any:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        return page

    def injected(page: Any) -> int:
        return page.evaluate(
            """() => document.querySelectorAll('img[src="x"], q').length
                 + [...document.scripts].filter(s => s.text.trim() === 'alert(1)').length"""
        )

    page = watch(new_page(viewport={"width": 1280, "height": 900}))
    page.goto("/")
    page.wait_for_selector(".leaflet-marker-icon")
    markers = page.locator(".leaflet-marker-icon")
    for i in range(min(markers.count(), 5)):
        markers.nth(i).click(force=True)
        page.wait_for_timeout(150)
    assert page.locator(".leaflet-popup-content").count() >= 1, "no popup opened"
    popup = page.locator(".leaflet-popup-content").first.inner_text()
    assert "alert(1)" in popup, "the hostile name should show as text in the popup"
    assert injected(page) == 0

    browser_login(page, coordinator.email, PASSWORD)
    files = (".pdf", ".atom", ".txt", ".csv", ".gpkg", ".xlsx", ".json", ".mvt")  # downloads
    urls = [u for u in get_urls(app, _args(made)) if not u.endswith(files)]
    for url in urls:
        if url.startswith(("/api/", "/data/", "/ogc/", "/logout", "/lang/")) or "sw.js" in url:
            continue
        page.goto(url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(100)
        assert injected(page) == 0, f"an injected element on {url}"
    assert not dialogs, f"dialogs fired: {dialogs}"


# Staff-only text (DESIGN.md, Privacy): employer contacts, scouting notes, review comments, users.
STAFF_ONLY = {
    "place": ("notes", "contact_person", "phone", "email", "review_comment"),
    "organisation": ("email", "phone", "contact_person"),
    "visit": ("notes",),
    "offer": ("review_comment",),
    "resource": ("review_comment",),
    "user": ("email", "name"),
    "api_token": ("name",),
}


def test_staff_only_text_never_reaches_anonymous_visitors(app, client, hostile):
    hostile["organisation"].contacts_public = False
    secrets = {}
    for table, columns in STAFF_ONLY.items():
        for column in columns:
            marker = f"zq{table}{column}zq".replace("_", "")
            setattr(hostile[table], column, marker)
            secrets[marker] = f"{table}.{column}"
    db.session.commit()
    leaks = []
    start = get_urls(app, _args(hostile)) + ["/list", "/data/places.geojson", "/embed"]
    for item in crawl(app, client, start, limit=600):
        body = item.response.get_data().decode("utf-8", "replace")
        leaks += [f"{item.url}: {where}" for marker, where in secrets.items() if marker in body]
    walk = client.post("/walk", json={"lon": VIA_PADOVA[0], "lat": VIA_PADOVA[1]})
    leaks += [f"/walk: {w}" for m, w in secrets.items() if m in walk.get_data(as_text=True)]
    assert not leaks, "staff-only text on public answers:\n  " + "\n  ".join(leaks)
