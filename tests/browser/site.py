"""Every page of every audience, on the demo data: what the accessibility sweep
(test_accessibility.py) checks and what ``make tour`` (scripts/tour.py) photographs.

``seed_site`` loads the demo organisations and users, a place waiting for review, a draft and
a published bulletin, and returns the ids the page paths need. A page may have an ``action``:
what a person does there before it is looked at (a tutor's search, an open place panel).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scout.demo import DEMO_USERS
from scout.models import Offer, Organisation, Person, Place, ReviewStatus, Role, User

# Public pages are offered in five languages, staff pages in Italian and English only
# (scout/config.py STAFF_LANGUAGES): an Arabic visitor of a staff page gets it in Italian.
PUBLIC_LANGUAGES = ("it", "ar")
STAFF_LANGUAGES = ("it",)
LOGINS = {role: (email, password) for email, password, role, _name in DEMO_USERS}


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # with {person}, {place}, {offer}, {org}, {user}, {review}, {number}, {draft}
    action: Callable[[Any], None] | None = None
    staff_ui: bool = False  # offered in the staff languages only (the login page)


@dataclass(frozen=True)
class Audience:
    name: str
    role: Role | None
    languages: tuple[str, ...]
    pages: tuple[Page, ...]


def open_first_place(page: Any) -> None:
    """A visitor taps the first place's "Show on map": the panel with its details opens."""
    page.wait_for_selector("#map[data-ready=true]")
    page.locator("#place-list .show-on-map").first.click()
    page.wait_for_selector("#place-detail:not([hidden])")
    # At rest, as she reads it: the popup faded in and the map panned to show all of it.
    page.wait_for_function(
        """() => {
          const popup = document.querySelector('#map .leaflet-popup');
          if (!popup || getComputedStyle(popup).opacity !== '1') return false;
          const p = popup.getBoundingClientRect();
          const m = document.querySelector('#map').getBoundingClientRect();
          return p.top >= m.top - 1 && p.bottom <= m.bottom + 1;
        }"""
    )


def tutor_search(page: Any) -> None:
    """A tutor starts from a hub and searches with the default filters."""
    page.wait_for_selector("body[data-tutor-ready=true]")
    page.locator("label[for=origin-mode-hub]").click()
    page.locator("#search-submit").click()
    page.wait_for_selector("#results > li.result")


AUDIENCES = (
    Audience(
        "public",
        None,
        PUBLIC_LANGUAGES,
        (
            Page("map", "/"),
            Page("map-place", "/", open_first_place),
            Page("opendata", "/data"),
            Page("embed", "/embed"),
            Page("embed-code", "/embed/code"),
            Page("bulletins", "/bollettino/"),
            Page("bulletin", "/bollettino/{number}"),
            Page("subscribe", "/bollettino/iscriviti"),
            Page("ogc", "/ogc/"),
            Page("login", "/login", staff_ui=True),
            Page("not-found", "/no-such-page"),
        ),
    ),
    Audience(
        "scout",
        Role.SCOUT,
        STAFF_LANGUAGES,
        (
            Page("home", "/scout/"),
            Page("place-new", "/scout/places/new"),
            Page("place", "/scout/places/{place}"),
            Page("place-edit", "/scout/places/{place}/edit"),
            Page("visit-new", "/scout/places/{place}/visits/new"),
            Page("offer-new", "/scout/places/{place}/offers/new"),
            Page("offer-edit", "/scout/offers/{offer}/edit"),
            Page("resource-new", "/scout/places/{place}/resources/new"),
            Page("nearby", "/scout/nearby"),
            Page("coverage", "/scout/coverage"),
            Page("password", "/account/password"),
        ),
    ),
    Audience(
        "tutor",
        Role.TUTOR,
        STAFF_LANGUAGES,
        (
            Page("search", "/tutor/"),
            Page("results", "/tutor/", tutor_search),
            Page("report", "/report/?from=2021-09-01&to=2022-12-31"),
            Page("people", "/people/"),
            Page("person-new", "/people/new"),
            Page("person", "/people/{person}"),
            Page("person-edit", "/people/{person}/edit"),
            Page("whats-new", "/people/whats-new"),
            Page("person-matches", "/people/{person}/matches"),
            Page("person-outcomes", "/people/{person}/outcomes"),
            Page("placement-new", "/people/{person}/placements/new"),
            Page("placements", "/people/placements?from=2021-09-01&counted=1&contract=jobs"),
        ),
    ),
    Audience(
        "coordinator",
        Role.COORDINATOR,
        STAFF_LANGUAGES,
        (
            Page("home", "/admin/"),
            Page("review", "/admin/review"),
            Page("coverage", "/admin/coverage"),
            Page("coverage-grid", "/admin/coverage?kind=grid"),
            Page("scout-areas", "/admin/coverage/areas"),
            Page("review-place", "/admin/review/place/{review}"),
            Page("place", "/admin/places/{place}"),
            Page("partners", "/admin/organisations"),
            Page("partner", "/admin/organisations/{org}"),
            Page("import", "/admin/import"),
            Page("network", "/admin/network"),
            Page("audit", "/admin/audit"),
            Page("users", "/admin/users"),
            Page("user", "/admin/users/{user}"),
            Page("user-new", "/admin/users/new"),
            Page("bulletins", "/admin/bulletins"),
            Page("bulletin-compose", "/admin/bulletins/{draft}"),
            Page("bulletin-preview", "/admin/bulletins/{draft}/preview"),
            Page("market-offers", "/admin/bulletins/market"),
            Page("report", "/report/?from=2021-09-01&to=2022-12-31"),
            Page("meetings", "/admin/meetings"),
            Page("visits", "/admin/visits?from=2021-09-01"),
            Page("offers-mapped", "/admin/mapped/offers"),
            Page("meeting-new", "/admin/meetings/new"),
        ),
    ),
)


def seed_site(session: Session) -> dict[str, Any]:
    """The demo data plus what the pages above need; the ids for their paths."""
    from scout import coverage
    from scout.bulletin import compose
    from scout.demo import load_demo

    load_demo(session)
    coordinator = session.scalar(select(User).where(User.role == Role.COORDINATOR))
    place = session.scalar(select(Place).join(Place.offers).order_by(Place.name).limit(1))
    offer = session.scalar(select(Offer).where(Offer.place_id == place.id).limit(1))
    waiting = session.scalar(select(Place).where(Place.name == "Bottega in revisione (esempio)"))
    if waiting is None:
        waiting = Place(
            organisation=place.organisation,
            name="Bottega in revisione (esempio)",
            location=place.location,
            street=place.street,
            civic_number=place.civic_number,
            status=ReviewStatus.TO_REVIEW,
        )
        session.add(waiting)
        session.flush()
    scout = session.scalar(select(User).where(User.role == Role.SCOUT))
    coverage.assign(scout, [place.nil_id])  # her home and map show an area
    week = compose.week_of(compose.today())
    published = compose.publish(compose.create_draft(week, coordinator))
    draft = compose.create_draft(week, coordinator)
    session.flush()

    person = session.scalar(
        select(Person).where(Person.is_example.is_(True)).order_by(Person.code).limit(1)
    )
    return {
        "person": person.code,
        "place": place.id,
        "offer": offer.id,
        "org": session.scalar(select(Organisation.id).order_by(Organisation.id).limit(1)),
        "user": coordinator.id,
        "review": waiting.id,
        "number": published.number,
        "draft": draft.id,
    }


def login(page: Any, role: Role) -> None:
    email, password = LOGINS[role]
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("button[type=submit]").click()
    page.wait_for_load_state()


def set_language(page: Any, code: str) -> None:
    """The language switch a person uses (remembered in a cookie)."""
    page.goto(f"/lang/{code}?next=/")


def visit(page: Any, target: Page, ids: dict[str, int]) -> None:
    page.goto(target.path.format(**ids))
    page.wait_for_load_state("load")
    if target.action:
        target.action(page)
