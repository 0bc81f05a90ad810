"""The public bulletin (``/bollettino``): archive, page, A4 PDF, plain text and Atom feed.

Everything here is rendered from a published bulletin's frozen snapshot, never from live
offers. The bulletin is written in Italian and available in English (``?lang=en``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import force_locale
from markupsafe import Markup

from scout import bulletin as service
from scout.extensions import db
from scout.models import Bulletin
from scout.pdf import html_to_pdf

bp = Blueprint("bulletin", __name__)

PRINT_CSS = "css/bulletin.css"


def _get(number: int) -> Bulletin:
    """A published bulletin by number; 404 for drafts and unknown numbers."""
    found = db.session.scalar(service.published().where(Bulletin.number == number))
    if found is None:
        abort(404)
    return found


def render_body(snapshot: dict[str, Any], lang: str, preview: bool = False) -> Markup:
    """The bulletin's content (sections, items, map, hubs) in ``lang``, as HTML."""
    with force_locale(lang):
        html = render_template(
            "bulletin/_body.html",
            s=snapshot,
            lang=lang,
            preview=preview,
            **service.template_helpers(),
        )
    return Markup(html)  # noqa: S704  (our own autoescaped template's output)


def render_pdf(snapshot: dict[str, Any], lang: str) -> bytes:
    """The print-ready A4 PDF, tagged for screen readers (PDF/UA): sections, page numbers,
    the km-zero map. Nothing is fetched but the print stylesheet from static/; the map is SVG.
    """
    rtl = lang in current_app.config["RTL_LANGUAGES"]
    with force_locale(lang):
        html = render_template(
            "bulletin/print.html",
            s=snapshot,
            lang=lang,
            direction="rtl" if rtl else "ltr",
            body=render_body(snapshot, lang),
        )
    return html_to_pdf(html, stylesheets=[PRINT_CSS])


EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)


def _atom_date(when: datetime | None) -> str:
    """RFC 3339, as Atom wants. An empty feed has never changed, so it is dated at the Unix
    epoch on every request (feed readers then see nothing new)."""
    return (when or EMPTY_FEED_UPDATED).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _frozen(response: Response) -> Response:
    """A published bulletin never changes: let browsers and proxies keep its files (an hour,
    then revalidate by ETag)."""
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/")
def archive() -> str:
    """Published bulletins, newest first."""
    bulletins = db.session.scalars(service.published()).all()
    return render_template(
        "bulletin/archive.html", bulletins=bulletins, **service.template_helpers()
    )


@bp.route("/<int:number>")
def show(number: int) -> str:
    """One bulletin as a web page (404 unless published)."""
    found = _get(number)
    lang = service.bulletin_language(request.args.get("lang"))
    return render_template(
        "bulletin/show.html",
        bulletin=found,
        lang=lang,
        languages=service.LANGUAGES,
        body=render_body(found.snapshot or {}, lang),
    )


@bp.route("/<int:number>.pdf")
def pdf(number: int) -> Response:
    found = _get(number)
    lang = service.bulletin_language(request.args.get("lang"))
    data = render_pdf(found.snapshot or {}, lang)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="bollettino-{number}-{lang}.pdf"'
    return _frozen(response)


@bp.route("/<int:number>.txt")
def text(number: int) -> Response:
    """Plain text for messaging apps (lines of at most 60 characters)."""
    found = _get(number)
    lang = service.bulletin_language(request.args.get("lang"))
    url = url_for("bulletin.show", number=number, _external=True)
    with force_locale(lang):
        body = service.render_text(found.snapshot or {}, url=url)
    return _frozen(Response(body, mimetype="text/plain"))


@bp.route("/feed.atom")
def feed() -> Response:
    """An Atom feed of the archive (published bulletins only)."""
    bulletins = db.session.scalars(service.published().limit(50)).all()
    with force_locale("it"):
        xml = render_template(
            "bulletin/feed.xml",
            bulletins=bulletins,
            atom_date=_atom_date,
            **service.template_helpers(),
        )
    return Response(xml, mimetype="application/atom+xml")
