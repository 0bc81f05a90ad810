"""The weekly bulletin: compose, km zero, publish (frozen), outputs, archive, feed.

Walking times are stubbed at the routing seam (``walking.walk_to``) so the km-zero boundary
is exact and the tests do not depend on the walking engine's mode.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from scout import bulletin as service
from scout import walking
from scout.errors import RoutingUnavailable
from scout.extensions import db
from scout.geo import LonLat, haversine_m
from scout.models import (
    Bulletin,
    BulletinStatus,
    Offer,
    OfferStatus,
    ResourceKind,
    ReviewStatus,
)
from tests.factories import CITTA_STUDI, DUOMO, milan_today

TODAY = milan_today()
FAR = 3600.0  # seconds: an hour's walk, never km zero


def _sections(items) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in sorted(items, key=lambda i: (list(service.SECTIONS).index(i.section), i.position)):
        out.setdefault(item.section, []).append(item.subject.title)
    return out


def _publish(week: date = TODAY, **edits) -> Bulletin:
    bulletin = service.create_draft(week, None)
    for key, value in edits.items():
        setattr(bulletin, key, value)
    service.publish(bulletin)
    db.session.commit()
    return bulletin


@pytest.fixture
def seeded(app, make_place, make_offer, make_resource, hub, walks):
    """One item for every section, plus what must never be proposed."""
    near = make_place("Bar Vicino", lon=9.2260, lat=45.4990)
    far = make_place("Ufficio Centro", lon=DUOMO[0], lat=DUOMO[1])  # Municipio 1
    walks[near.id], walks[far.id] = 600, FAR
    centre = make_place("Centro Corsi", lon=CITTA_STUDI[0], lat=CITTA_STUDI[1])
    make_offer(near, "Barista mattina", expires_on=TODAY + timedelta(days=10))
    make_offer(far, "Impiegata centro", description="Ufficio in Duomo")
    make_resource(centre, "Corso OSS", kind=ResourceKind.PROFESSIONAL_COURSE)
    make_resource(centre, "Dote lavoro", kind=ResourceKind.LABOUR_POLICY)
    make_resource(centre, "Italiano A2", kind=ResourceKind.ITALIAN_COURSE)
    make_resource(centre, "Sportello casa", kind=ResourceKind.HOUSING_SUPPORT)
    make_resource(centre, "Corso SPID", kind=ResourceKind.DIGITAL_COURSE)
    # Never proposed:
    make_offer(near, "Scaduta", expires_on=TODAY - timedelta(days=1))
    make_offer(near, "Offerta in bozza", status=ReviewStatus.DRAFT)
    make_offer(near, "Posto coperto", offer_status=OfferStatus.FILLED)
    hidden = make_place("Luogo non pubblicato", status=ReviewStatus.TO_REVIEW)
    make_offer(hidden, "Offerta luogo non pubblicato")
    make_resource(hidden, "Corso luogo non pubblicato")
    make_resource(centre, "Corso finito", ends_on=TODAY - timedelta(days=10))
    make_resource(centre, "Corso futuro", starts_on=TODAY + timedelta(days=30))
    return {"near": near, "far": far, "centre": centre}


NEVER = {
    "Scaduta",
    "Offerta in bozza",
    "Posto coperto",
    "Offerta luogo non pubblicato",
    "Corso luogo non pubblicato",
    "Corso finito",
    "Corso futuro",
}


def test_compose_proposes_the_week_sorted_into_sections(seeded):
    bulletin = service.create_draft(TODAY, None)

    assert bulletin.week_start == TODAY - timedelta(days=TODAY.weekday())
    assert _sections(bulletin.items) == {
        "market": ["Impiegata centro"],
        "km_zero": ["Barista mattina"],
        "professional": ["Corso OSS"],
        "labour_policy": ["Dote lavoro"],
        "italian": ["Italiano A2"],
        "services": ["Sportello casa"],
        "local_training": ["Corso SPID"],
    }
    km = next(i for i in bulletin.items if i.section == "km_zero")
    assert (km.walk_minutes, km.hub_name, km.walk_estimate, km.km_zero_reason) == (
        10,
        "Hub Test",
        True,
        "walk",
    )


def test_expired_offers_and_unpublished_places_never_appear(seeded, client):
    bulletin = _publish()
    titles = {i["title"] for s in bulletin.snapshot["sections"] for i in s["items"]}
    assert titles.isdisjoint(NEVER)
    page = client.get(f"/bollettino/{bulletin.number}").get_data(as_text=True)
    text = client.get(f"/bollettino/{bulletin.number}.txt").get_data(as_text=True)
    for title in NEVER:
        assert title not in page
        assert title not in text


@pytest.mark.parametrize("lang", ["it", "ar"])
def test_a_scouts_text_is_shown_as_text_never_as_markup(seeded, client, make_offer, lang):
    """The bulletin's body is our own template's output, marked safe once: what a scout typed
    in it (a title, a description) arrives escaped, in every language."""
    make_offer(
        seeded["near"],
        '<script>alert("x")</script> Cuoca',
        description='<img src=x onerror="alert(1)"> & pranzo',
        expires_on=TODAY + timedelta(days=10),
    )
    bulletin = _publish()
    page = client.get(f"/bollettino/{bulletin.number}?lang={lang}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Cuoca" in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; pranzo" in page
    assert "<script>alert" not in page
    assert "<img src=x" not in page


@pytest.mark.parametrize(
    ("seconds", "section", "minutes"),
    [(899.0, "km_zero", 15), (900.0, "km_zero", 15), (900.5, "market", 16), (960, "market", 16)],
)
def test_km_zero_boundary_is_exactly_n_minutes(
    app, make_place, make_offer, hub, walks, seconds, section, minutes
):
    # The default settings: 15 minutes, no municipio rule (the shop is inside Municipio 2).
    assert (app.config["KM_ZERO_MINUTES"], app.config["KM_ZERO_MUNICIPI"]) == (15, [])
    place = make_place("Bottega", lon=9.2290, lat=45.4990)
    assert place.municipio == 2
    walks[place.id] = seconds
    make_offer(place, "Commessa")

    (item,) = service.create_draft(TODAY, None).items
    assert (item.section, item.walk_minutes) == (section, minutes)


def test_minutes_are_configurable(app, monkeypatch, make_place, make_offer, hub, walks):
    monkeypatch.setitem(app.config, "KM_ZERO_MINUTES", 10)
    place = make_place("Bottega", lon=9.2290, lat=45.4990)
    walks[place.id] = 12 * 60
    make_offer(place, "Commessa")
    assert service.create_draft(TODAY, None).items[0].section == "market"


def test_by_default_a_long_walk_inside_the_served_municipi_is_open_market(
    make_place, make_offer, hub, walks, client
):
    place = make_place("Lontano ma in zona", lon=CITTA_STUDI[0], lat=CITTA_STUDI[1])
    walks[place.id] = 26 * 60
    make_offer(place, "Pulizie")
    near = make_place("Vicino", lon=9.2290, lat=45.4990)
    walks[near.id] = 15 * 60
    make_offer(near, "Commessa")
    bulletin = _publish()
    sections = {s["key"]: [i["title"] for i in s["items"]] for s in bulletin.snapshot["sections"]}
    assert sections == {"market": ["Pulizie"], "km_zero": ["Commessa"]}
    page = client.get(f"/bollettino/{bulletin.number}").get_data(as_text=True)
    assert "Offerte di lavoro a km zero: fino a 15 minuti a piedi" in page
    assert "al massimo 15 minuti a piedi (esattamente 15 compresi)" in page
    assert "Municipio" not in re.search(r'id="intro-km_zero">([^<]*)<', page)[1]
    text = client.get(f"/bollettino/{bulletin.number}.txt").get_data(as_text=True)
    assert "FINO A 15 MINUTI A PIEDI" in text


def test_inside_the_configured_municipi_is_km_zero_even_beyond_the_walk(
    app, monkeypatch, make_place, make_offer, hub, walks, client
):
    monkeypatch.setitem(app.config, "KM_ZERO_MUNICIPI", [2, 3])
    place = make_place("Lontano ma in zona", lon=CITTA_STUDI[0], lat=CITTA_STUDI[1])
    assert place.municipio == 3
    make_offer(place, "Pulizie")
    (item,) = service.create_draft(TODAY, None).items
    assert (item.section, item.km_zero_reason, item.walk_minutes) == ("km_zero", "municipio", 60)
    bulletin = _publish()
    page = client.get(f"/bollettino/{bulletin.number}?lang=en").get_data(as_text=True)
    assert "Offers anywhere in Municipi 2 and 3 count as km zero too." in page


def test_without_walking_times_the_municipio_rule_still_applies(
    app, monkeypatch, make_place, make_offer, hub
):
    monkeypatch.setitem(app.config, "KM_ZERO_MUNICIPI", [2, 3])

    def unavailable(*args, **kwargs):
        raise RoutingUnavailable("no walking network")

    monkeypatch.setattr(walking, "walk_to", unavailable)
    make_offer(make_place("In zona", lon=CITTA_STUDI[0], lat=CITTA_STUDI[1]), "In zona")
    make_offer(make_place("Fuori", lon=DUOMO[0], lat=DUOMO[1]), "Fuori")
    items = {i.subject.title: i for i in service.create_draft(TODAY, None).items}
    assert items["In zona"].section == "km_zero"
    assert items["Fuori"].section == "market"
    assert items["Fuori"].walk_minutes is None


def test_publishing_numbers_dates_and_freezes_the_content(seeded, client):
    first = _publish()
    offer = next(o for o in seeded["near"].offers if o.title == "Barista mattina")
    before = {path: client.get(f"/bollettino/1{path}").get_data() for path in ("", ".txt")}
    snapshot = dict(first.snapshot)

    offer.title = "Titolo cambiato"
    offer.description = "Descrizione cambiata"
    offer.expires_on = TODAY - timedelta(days=5)
    seeded["near"].name = "Nome cambiato"
    db.session.commit()

    db.session.refresh(first)
    assert first.snapshot == snapshot
    for path, body in before.items():
        after = client.get(f"/bollettino/1{path}").get_data()
        assert after == body
        assert b"cambiat" not in after
    second = _publish(TODAY + timedelta(days=7))
    assert (first.number, second.number) == (1, 2)
    assert first.published_on == service.today()
    assert first.status == BulletinStatus.PUBLISHED


def test_published_bulletin_cannot_be_changed(seeded, login, coordinator, nocsrf):
    bulletin = _publish()
    client = login(coordinator)
    response = client.post(f"/admin/bulletins/{bulletin.id}", data={"action": "save"})
    assert response.status_code == 409
    assert client.post(f"/admin/bulletins/{bulletin.id}/delete").status_code == 409


def test_only_public_fields_are_published(
    make_place, make_offer, make_resource, hub, walks, client
):
    secret = make_place(
        "Datore Riservato",
        org_public_consent=False,
        org_email="segreto@example.org",
        notes="Nota interna riservata",
    )
    agreed = make_place(
        "Datore Aperto",
        lon=9.2280,
        lat=45.4960,
        org_contacts_public=True,
        org_email="lavoro@aperto.example",
        phone="+39 02 1111",
    )
    public_no_contacts = make_place("Datore Pubblico", org_email="privato@example.org")
    make_offer(secret, "Offerta riservata", how_to_apply="Chiamare Mario 333 1234567")
    make_offer(agreed, "Offerta aperta", how_to_apply="Scrivere a lavoro@aperto.example")
    make_offer(public_no_contacts, "Offerta pubblica", how_to_apply="Chiedere di Gianni")
    bulletin = _publish()

    number = bulletin.number
    outputs = [
        client.get(f"/bollettino/{number}").get_data(as_text=True),
        client.get(f"/bollettino/{number}.txt").get_data(as_text=True),
        _pdf_text(client.get(f"/bollettino/{number}.pdf").data),
    ]
    for out in outputs:
        for hidden in (
            "Datore Riservato",
            "segreto@example.org",
            "Nota interna",
            "Mario 333",
            "privato@example.org",
            "Gianni",
        ):
            assert hidden not in out
        assert "lavoro@aperto.example" in out
        assert "Offerta riservata" in out  # the offer itself is public, its employer is not
        assert "Datore Pubblico" in out


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_has_every_item_page_numbers_and_the_km_zero_map(seeded, client):
    bulletin = _publish(editorial="Buona settimana", notes={"km_zero": "Vicino a scuola"})
    titles = [i["title"] for s in bulletin.snapshot["sections"] for i in s["items"]]
    assert len(titles) == 7

    response = client.get(f"/bollettino/{bulletin.number}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = _pdf_text(response.data)
    for title in titles + ["Buona settimana", "Vicino a scuola"]:
        assert title in text
    pages = len(reader.pages)
    assert f"1 / {pages}" in reader.pages[0].extract_text()
    assert [p["n"] for p in bulletin.snapshot["map"]["points"]] == [2]  # the km-zero offer
    english = client.get(f"/bollettino/{bulletin.number}.pdf?lang=en")
    assert english.status_code == 200


def test_km_zero_map_is_inline_svg_with_numbered_offers(seeded, client):
    bulletin = _publish()
    html = client.get(f"/bollettino/{bulletin.number}").get_data(as_text=True)
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'class="map-outline"' in svg  # municipi outlines
    assert re.findall(r'class="map-offer" data-item-n="(\d+)"', svg) == ["2"]
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    # Milan's main roads, with their names in Latin script left to right on every page.
    assert svg.count('class="map-street"') >= 20
    names = re.findall(r'class="map-street-name"[^>]*>([^<]+)<', svg)
    assert "Viale Monza" in names
    assert len(set(names)) >= 3, names
    arabic = client.get(f"/bollettino/{bulletin.number}?lang=ar").get_data(as_text=True)
    assert 'direction="ltr"' in arabic[arabic.index("<svg") :]
    assert re.search(r'class="map-street-name"[^>]*>Viale Monza<', arabic)


def test_plain_text_lines_stay_under_60_characters(
    make_place, make_offer, make_resource, hub, walks, client
):
    place = make_place(
        "Cooperativa Sociale dal Nome Lunghissimo per Provare gli A Capo",
        org_contacts_public=True,
        org_email="un.indirizzo.di.posta.elettronica.davvero.molto.lungo@example.org",
        org_website="https://www.example.org/" + "percorso/" * 8,
    )
    make_offer(
        place,
        "Addetta " * 12,
        description="Parola" * 20 + " e una descrizione lunga. " * 10,
        how_to_apply="Inviare il curriculum " * 8,
    )
    make_resource(place, "Corso " * 15, how_to_enrol="Iscrizioni " * 15)
    bulletin = _publish(editorial="Un editoriale " * 20, notes={"services": "Nota " * 30})
    response = client.get(f"/bollettino/{bulletin.number}.txt")
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 60
    # One item per paragraph: each numbered item starts after a blank line.
    for i, line in enumerate(lines):
        if re.match(r"^\d+\. ", line):
            assert lines[i - 1] == ""
    assert not re.search(r"[\U0001F300-\U0001FAFF\u2600-\u27BF]", text)  # no emoji
    # Frozen, so cacheable: a client that has it gets 304.
    again = client.get(
        f"/bollettino/{bulletin.number}.txt", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_archive_and_feed_list_published_bulletins_only(seeded, client):
    _publish()
    _publish(TODAY + timedelta(days=7))
    draft = service.create_draft(TODAY + timedelta(days=14), None)
    db.session.commit()

    html = client.get("/bollettino/").get_data(as_text=True)
    assert re.findall(r'<li class="list-group-item" data-bulletin-number="(\d+)"', html) == [
        "2",
        "1",
    ]
    assert client.get("/bollettino/3").status_code == 404
    assert draft.number is None

    response = client.get("/bollettino/feed.atom")
    assert response.mimetype == "application/atom+xml"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(response.data)  # noqa: S314 (our own feed)
    entries = root.findall("a:entry", ns)
    assert [e.find("a:id", ns).text.rsplit("/", 1)[-1] for e in entries] == ["2", "1"]
    assert all(e.find("a:updated", ns).text.endswith("Z") for e in entries)


def test_section_titles_in_italian_or_english(seeded, client):
    bulletin = _publish()
    it = client.get(f"/bollettino/{bulletin.number}").get_data(as_text=True)
    en = client.get(f"/bollettino/{bulletin.number}?lang=en").get_data(as_text=True)
    assert '<article class="bulletin" lang="it"' in it
    assert '<article class="bulletin" lang="en"' in en
    text_en = client.get(f"/bollettino/{bulletin.number}.txt?lang=en")
    assert text_en.status_code == 200


def test_coordinator_composes_reorders_drops_and_publishes(
    seeded, login, coordinator, nocsrf, make_resource
):
    make_resource(seeded["centre"], "Italiano B1", kind=ResourceKind.ITALIAN_COURSE)
    client = login(coordinator)
    response = client.post("/admin/bulletins/new", data={"week": TODAY.isoformat()})
    assert response.status_code == 302
    bulletin = db.session.scalar(db.select(Bulletin))
    assert response.location.endswith(f"/admin/bulletins/{bulletin.id}")
    # Opening the same week again reuses the draft.
    again = client.post("/admin/bulletins/new", data={"week": TODAY.isoformat()})
    assert again.location == response.location
    assert client.get(response.location).status_code == 200

    items = {i.subject.title: i.id for i in bulletin.items}
    kept = [v for k, v in items.items() if k != "Sportello casa"]
    form = {
        "editorial": "Editoriale della settimana",
        "note-italian": "Iscrizioni aperte",
        "order-italian": [items["Italiano B1"], items["Italiano A2"]],
        "keep": kept,
        "action": "save",
    }
    assert client.post(response.location, data=form).status_code == 302
    assert client.get(f"/admin/bulletins/{bulletin.id}/preview").status_code == 200

    form["action"] = "publish"
    published = client.post(response.location, data=form)
    assert published.location.endswith("/bollettino/1")
    db.session.expire_all()
    snapshot = db.session.get(Bulletin, bulletin.id).snapshot
    sections = {s["key"]: s for s in snapshot["sections"]}
    assert [i["title"] for i in sections["italian"]["items"]] == ["Italiano B1", "Italiano A2"]
    assert sections["italian"]["note"] == "Iscrizioni aperte"
    assert "services" not in sections
    assert snapshot["editorial"] == "Editoriale della settimana"
    assert [i["n"] for s in snapshot["sections"] for i in s["items"]] == list(range(1, 8))


def test_move_buttons_work_without_javascript(seeded, login, coordinator, nocsrf, make_resource):
    make_resource(seeded["centre"], "Italiano B1", kind=ResourceKind.ITALIAN_COURSE)
    bulletin = service.create_draft(TODAY, None)
    db.session.commit()
    ids = {i.subject.title: i.id for i in bulletin.items}
    client = login(coordinator)
    client.post(
        f"/admin/bulletins/{bulletin.id}",
        data={"keep": list(ids.values()), "move": f"{ids['Italiano B1']}:up"},
    )
    db.session.expire_all()
    italian = sorted(
        (i for i in db.session.get(Bulletin, bulletin.id).items if i.section == "italian"),
        key=lambda i: i.position,
    )
    assert [i.subject.title for i in italian] == ["Italiano B1", "Italiano A2"]


def test_newly_eligible_items_are_added_to_a_draft(seeded, make_offer):
    bulletin = service.create_draft(TODAY, None)
    dropped = bulletin.items[0]
    dropped.included = False
    make_offer(seeded["near"], "Nuova offerta")
    assert service.add_new_proposals(bulletin) == 1
    assert "Nuova offerta" in {i.subject.title for i in bulletin.items}
    assert dropped.included is False


def test_items_no_longer_eligible_at_publication_are_left_out(seeded):
    bulletin = service.create_draft(TODAY, None)
    offer = next(i.offer for i in bulletin.items if i.offer_id)
    offer.offer_status = OfferStatus.CLOSED
    service.publish(bulletin)
    titles = {i["title"] for s in bulletin.snapshot["sections"] for i in s["items"]}
    assert offer.title not in titles


def test_demo_week_can_be_published_with_pdf_and_text(app, client, monkeypatch):
    """This week's bulletin, composed from the demo data."""
    from scout.demo import load_demo

    def estimate(origin, targets, profile=walking.Profile.STANDARD, **_options):
        return walking.WalkAnswer(
            estimate=True,
            walks={
                k: walking.Walk(m := haversine_m(origin, LonLat(p.lon, p.lat)) * 1.3, m / 1.25)
                for k, p in targets.items()
            },
        )

    monkeypatch.setattr(walking, "walk_to", estimate)
    load_demo(db.session)
    bulletin = _publish()
    sections = {s["key"]: [i["title"] for i in s["items"]] for s in bulletin.snapshot["sections"]}
    assert "Ausiliaria mensa (scaduta)" not in sum(sections.values(), [])
    assert sections["km_zero"]
    assert {"italian", "services"} <= set(sections)
    assert client.get(f"/bollettino/{bulletin.number}.pdf").status_code == 200
    text = client.get(f"/bollettino/{bulletin.number}.txt").get_data(as_text=True)
    assert max(len(line) for line in text.splitlines()) <= 60
    assert "Nota interna" not in text
    assert db.session.scalar(db.select(Offer).where(Offer.title.like("%scaduta%"))) is not None


def test_italian_bulletin_keeps_its_direction_on_an_arabic_page(seeded, app, client):
    """The page around it is right-to-left; an Italian bulletin itself stays left-to-right,
    with its own lang, so its punctuation and lists read in order. (The public page offers
    the bulletin in Arabic too: there it is right-to-left.)"""
    from scout.views.bulletin import render_body

    b = _publish()
    client.get("/lang/ar")
    html = client.get(f"/bollettino/{b.number}").get_data(as_text=True)
    assert re.search(r'<html[^>]*\bdir="rtl"', html)
    article = re.search(r'<article class="bulletin"[^>]*>', html).group(0)
    assert 'lang="ar"' in article
    assert 'dir="rtl"' in article
    with app.test_request_context("/", headers={"Cookie": "lang=ar"}):
        article = re.search(r'<article class="bulletin"[^>]*>', render_body(b.snapshot, "it"))[0]
    assert 'lang="it"' in article
    assert 'dir="ltr"' in article
