"""Open-market offers in the bulletin (issue 17): coordinators add them with source and link;
they appear in the open-market section only, never in the km-zero one."""

from __future__ import annotations

from sqlalchemy import select

from scout import bulletin as service
from scout.extensions import db
from scout.models import MarketOffer
from tests.factories import VIA_PADOVA, milan_today

TODAY = milan_today()


def _form(**kw):
    data = {
        "title": "Addetta pulizie Sesto",
        "employer": "Agenzia Lavoro Nord",
        "area": "Sesto San Giovanni",
        "lat": "45.5333",
        "lon": "9.2333",
        "contract_type": "determinato",
        "source": "InformaLavoro",
        "link": "https://example.org/offerte/123",
        "description": "Turni del mattino",
    }
    data.update(kw)
    return data


def test_coordinator_adds_an_offer_and_bad_input_is_explained(login, coordinator, nocsrf):
    client = login(coordinator)
    bad = client.post(
        "/admin/bulletins/market", data=_form(link="javascript:alert(1)", lat="45.5", lon="")
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200
    assert 'id="link-error"' in html
    assert "Indica un indirizzo web che inizi con https://" in html
    assert "Indica sia la latitudine sia la longitudine, o nessuna delle due." in html
    far = client.post("/admin/bulletins/market", data=_form(lat="41.9", lon="12.5"))  # Rome
    assert "Questo punto è fuori dalla città metropolitana di Milano." in far.get_data(as_text=True)
    assert db.session.scalar(select(MarketOffer)) is None

    ok = client.post("/admin/bulletins/market", data=_form())
    assert ok.status_code == 302
    offer = db.session.scalar(select(MarketOffer))
    assert (offer.title, offer.source, offer.link) == (
        "Addetta pulizie Sesto",
        "InformaLavoro",
        "https://example.org/offerte/123",
    )
    assert service.market_points({offer.id})[offer.id].lat == 45.5333
    listing = client.get("/admin/bulletins/market").get_data(as_text=True)
    assert "Addetta pulizie Sesto" in listing


def test_an_open_market_offer_appears_only_in_its_section(
    client, login, coordinator, nocsrf, make_place, make_offer, hub, walks
):
    near = make_place("Bar Vicino", lon=9.2260, lat=45.4990)
    walks[near.id] = 300
    make_offer(near, "Barista")
    admin = login(coordinator)
    # Even placed right at the hub, an open-market offer is never km zero.
    admin.post(
        "/admin/bulletins/market",
        data=_form(title="Badante a domicilio", lat=str(VIA_PADOVA[1]), lon=str(VIA_PADOVA[0])),
    )
    admin.post("/admin/bulletins/market", data=_form(title="Ritirata"))
    withdrawn = db.session.scalar(select(MarketOffer).where(MarketOffer.title == "Ritirata"))
    admin.post(f"/admin/bulletins/market/{withdrawn.id}/withdraw")

    draft = service.create_draft(TODAY, coordinator)
    sections = {i.subject.title: i.section for i in draft.items if i.subject is not None}
    assert sections == {"Barista": "km_zero", "Badante a domicilio": "market"}
    service.publish(draft)
    db.session.commit()

    snapshot = {s["key"]: [i["title"] for i in s["items"]] for s in draft.snapshot["sections"]}
    assert snapshot == {"market": ["Badante a domicilio"], "km_zero": ["Barista"]}
    page = client.get(f"/bollettino/{draft.number}").get_data(as_text=True)
    market = page[page.index('id="section-market"') : page.index('id="section-km_zero"')]
    assert "Badante a domicilio" in market
    assert 'href="https://example.org/offerte/123"' in market
    assert "Fonte: InformaLavoro" in market
    km_zero = page[page.index('id="section-km_zero"') :]
    assert "Badante a domicilio" not in km_zero
    text = client.get(f"/bollettino/{draft.number}.txt").get_data(as_text=True)
    assert "https://example.org/offerte/123" in text
    assert "Ritirata" not in page[page.index('<article class="bulletin"') :]
