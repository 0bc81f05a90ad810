"""axe-core on every page of every audience, at phone and laptop sizes, in Italian and (the
public pages, the only ones offered in it) Arabic: no WCAG 2.1 A/AA violation, and no page
scrolls sideways. One browser for the whole sweep, one login per audience and size."""

from __future__ import annotations

import pytest

from scout.extensions import db
from tests.browser.fixtures import (
    LAPTOP,
    PHONE,
    TABLET,
    assert_no_horizontal_scroll,
    axe_violations,
    format_violations,
    horizontal_overflow,
)
from tests.browser.site import AUDIENCES, login, seed_site, set_language, visit

pytestmark = pytest.mark.browser

SWEEP = [
    pytest.param(audience, lang, size, id=f"{audience.name}-{lang}-{name}")
    for audience in AUDIENCES
    for lang in audience.languages
    for name, size in (("phone", PHONE), ("laptop", LAPTOP))
]


@pytest.mark.parametrize(("audience", "lang", "size"), SWEEP)
def test_every_page_passes_axe(new_page, app, audience, lang, size):
    ids = seed_site(db.session)
    db.session.commit()
    page = new_page(viewport=size, has_touch=size is PHONE)
    if audience.role is not None:
        login(page, audience.role)
    set_language(page, lang)
    found = []
    for target in audience.pages:
        visit(page, target, ids)
        offered = lang if audience.role is None and not target.staff_ui else "it"
        assert page.locator("html").get_attribute("lang") == offered
        assert_no_horizontal_scroll(page)
        violations = axe_violations(page)
        if violations:
            found.append(format_violations(f"{target.name} {page.url}", violations))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("audience", AUDIENCES, ids=lambda a: a.name)
def test_every_page_fits_a_tablet(new_page, app, audience):
    """At 820 px (a tablet in portrait) nothing scrolls sideways: the coordinator's navbar
    did, by 195 px, before it collapsed below 1200 px (seen in `make tour`)."""
    ids = seed_site(db.session)
    db.session.commit()
    page = new_page(viewport=TABLET, has_touch=True)
    if audience.role is not None:
        login(page, audience.role)
    wide = []
    for target in audience.pages:
        visit(page, target, ids)
        if horizontal_overflow(page) > 0:
            wide.append(f"{target.name}: {horizontal_overflow(page)} px")
    assert not wide, wide
