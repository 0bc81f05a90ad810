"""The public bulletin (``/bollettino``): archive, page, A4 PDF, plain text and Atom feed.

Everything here is rendered from a published bulletin's frozen snapshot, never from live
offers. The bulletin is written in Italian and available in English (``?lang=en``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import BooleanField, EmailField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from scout import bulletin as service
from scout.extensions import csrf, db, limiter
from scout.i18n import LANGUAGE_NAMES
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
            qr_url=_public_url(snapshot),
            **service.template_helpers(),
        )
    return html_to_pdf(html, stylesheets=[PRINT_CSS])


EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)


def _public_url(snapshot: dict[str, Any]) -> str | None:
    """The bulletin page's public address (``PUBLIC_URL`` if configured), for the QR code."""
    if not snapshot.get("number"):
        return None
    path = url_for("bulletin.show", number=snapshot["number"])
    return service.base_url(request.host_url) + path.lstrip("/")


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
        whatsapp_url=_whatsapp_url(found.snapshot or {}, lang),
    )


def _whatsapp_url(snapshot: dict[str, Any], lang: str) -> str:
    """WhatsApp's share link carrying the text version (WhatsApp opens with it ready to send
    to a contact or group). A plain link: the page makes no request to WhatsApp."""
    page = _public_url(snapshot) or ""
    with force_locale(lang):
        body = service.render_text(snapshot, url=page)
    return "https://wa.me/?text=" + quote(body)


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


# --- e-mail subscriptions ----------------------------------------------------------------

CONSENT = _l(
    "I agree that the programme keeps my e-mail address to send me the weekly job bulletin. "
    "It is never shown publicly or passed on; I can unsubscribe with one click in every "
    "message, and my address is then deleted."
)


class SubscribeForm(FlaskForm):
    email = EmailField(
        _l("Your e-mail address"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Email(message=_l("Enter a valid e-mail address."), check_deliverability=False),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )
    language = SelectField(_l("Language of the bulletin"))
    consent = BooleanField(
        CONSENT,
        validators=[DataRequired(message=_l("Tick the box to agree, or we cannot send it."))],
    )


def _subscribe_rate_limit() -> str:
    return current_app.config["SUBSCRIBE_RATE_LIMIT"]


@bp.route("/iscriviti", methods=["GET", "POST"])
@limiter.limit(_subscribe_rate_limit, methods=["POST"])
def subscribe() -> Any:
    """The public subscribe form: address, language, consent; a confirmation mail follows
    (double opt-in). The answer is the same whether or not the address is known."""
    enabled = service.sending_enabled()
    form = SubscribeForm()
    form.language.choices = [SelectChoice(code, LANGUAGE_NAMES[code]) for code in service.LANGUAGES]
    if request.method == "GET":
        current = str(get_locale())
        form.language.data = current if current in service.LANGUAGES else "it"
    if enabled and form.validate_on_submit():
        with force_locale(form.language.data):
            consent_text = str(CONSENT)
        try:
            row_id = service.subscribe(
                form.email.data,
                form.language.data,
                consent_text,
                service.base_url(request.host_url),
            )
        except service.InvalidAddress:
            form.email.errors = [*form.email.errors, _("Enter a valid e-mail address.")]
        else:
            db.session.commit()
            if row_id is not None:
                service.deliver(ids={row_id})
            return render_template("bulletin/subscribe.html", form=None, enabled=True, done=True)
    return render_template("bulletin/subscribe.html", form=form, enabled=enabled, done=False)


def _subscriber_or_404(token: str) -> Any:
    found = service.by_token(token)
    if found is None:
        abort(404)
    return found


@bp.route("/conferma/<token>", methods=["GET", "POST"])
def confirm(token: str) -> Any:
    """The link of the confirmation mail: a page with one button (a link scanner's GET
    confirms nothing); the POST confirms."""
    subscriber = _subscriber_or_404(token)
    if request.method == "POST":
        if not FlaskForm().validate_on_submit():
            abort(400)
        service.confirm(subscriber)
        db.session.commit()
        return render_template("bulletin/subscription.html", action="confirmed")
    return render_template("bulletin/subscription.html", action="confirm", token=token)


@bp.route("/disiscriviti/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str) -> Any:
    """Unsubscribe: the page of the link in every message, and the one-click POST of RFC 8058
    (``List-Unsubscribe=One-Click``, sent by mail clients without any session, hence no CSRF
    token: that exact body is required instead; the page's own button carries a CSRF token).
    The address and its queued messages are deleted. An unknown token answers the POST the
    same way (already unsubscribed)."""
    if request.method == "POST":
        one_click = request.form.get("List-Unsubscribe") == "One-Click"
        if not one_click and not FlaskForm().validate_on_submit():
            abort(400)  # neither RFC 8058's body nor the page's own form (CSRF token)
        found = service.by_token(token)
        if found is not None:
            service.unsubscribe(found)
            db.session.commit()
        if one_click:
            return Response(status=204)
        return render_template("bulletin/subscription.html", action="unsubscribed")
    found = service.by_token(token)
    if found is None:
        return render_template("bulletin/subscription.html", action="unsubscribed")
    return render_template("bulletin/subscription.html", action="unsubscribe", token=token)
