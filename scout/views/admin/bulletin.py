"""Coordinator pages of the weekly bulletin: list, new draft, compose, preview, publish."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

from scout import bulletin as service
from scout import report
from scout.extensions import db
from scout.geo import LonLat
from scout.models import Bulletin, BulletinStatus, ContractType, MarketOffer, SubscriberList
from scout.views.admin import bp
from scout.views.bulletin import render_body

NOTE_MAX = 500


class NewBulletinForm(FlaskForm):
    week = DateField(_l("Week (any day of it)"), validators=[DataRequired()])


class ComposeForm(FlaskForm):
    editorial = TextAreaField(
        _l("Editorial line"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2}
    )


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def _bulletin_or_404(bulletin_id: int) -> Bulletin:
    return db.get_or_404(Bulletin, bulletin_id)


@bp.route("/bulletins")
def bulletins() -> str:
    """Drafts first, then published bulletins, newest first; and the new-bulletin form.
    ``?from=``, ``?to=``: only the bulletins published in that period (the report's)."""
    start, end = _day_arg("from"), _day_arg("to")
    query = select(Bulletin)
    if start or end:
        query = report.bulletins_behind(start, end)
    rows = db.session.scalars(
        query.order_by(
            (Bulletin.status == BulletinStatus.PUBLISHED),
            Bulletin.number.desc().nullsfirst(),
            Bulletin.week_start.desc(),
        )
    ).all()
    form = NewBulletinForm(week=service.week_of(service.today()))
    return render_template(
        "admin/bulletins.html",
        bulletins=rows,
        form=form,
        sending=service.sending_enabled(),
        delivery=service.delivery_status([b.id for b in rows if b.is_published]),
        list_sizes=service.list_sizes(),
        lists=list(SubscriberList),
        period=(start, end) if start or end else None,
    )


def _day_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.route("/bulletins/new", methods=["POST"])
def bulletin_new() -> Any:
    """Open the week's draft, proposing every eligible item (an existing draft is reused)."""
    form = NewBulletinForm()
    if not form.validate_on_submit():
        flash(_("Choose a valid week."), "danger")
        return redirect(url_for("admin.bulletins"))
    week = service.week_of(form.week.data)
    draft = db.session.scalar(
        select(Bulletin).where(Bulletin.week_start == week, Bulletin.status == BulletinStatus.DRAFT)
    )
    if draft is None:
        draft = service.create_draft(week, current_user)
        db.session.commit()
    return redirect(url_for("admin.bulletin_compose", bulletin_id=draft.id))


@bp.route("/bulletins/<int:bulletin_id>", methods=["GET", "POST"])
def bulletin_compose(bulletin_id: int) -> Any:
    """Edit a draft: keep or drop items, reorder them, notes, editorial; then publish.

    The form posts every item's id in its section's order (``order-<section>``) and the kept
    ones (``keep``); ``move`` (``<id>:up|down``) reorders without JavaScript.
    """
    bulletin = _bulletin_or_404(bulletin_id)
    if bulletin.is_published:
        if request.method == "POST":
            abort(409)
        return redirect(url_for("bulletin.show", number=bulletin.number))
    form = ComposeForm(editorial=bulletin.editorial)
    if form.validate_on_submit():
        service.update_draft(
            bulletin,
            order={s: _ids(request.form.getlist(f"order-{s}")) for s in service.SECTIONS},
            kept=set(_ids(request.form.getlist("keep"))),
            notes={s: request.form.get(f"note-{s}", "")[:NOTE_MAX] for s in service.SECTIONS},
            editorial=form.editorial.data,
        )
        action = request.form.get("action", "save")
        item_id, _sep, direction = request.form.get("move", "").partition(":")
        if item_id.isdigit() and direction in ("up", "down"):
            service.move_item(bulletin, int(item_id), -1 if direction == "up" else 1)
        elif action == "refresh":
            added = service.add_new_proposals(bulletin)
            flash(_("%(n)s new items proposed.", n=added), "info")
        elif action == "publish":
            service.publish(bulletin)
            queued = _queue_mail(bulletin)
            db.session.commit()
            flash(_("Bulletin no. %(n)s is published.", n=bulletin.number), "success")
            _flash_delivery(queued)
            return redirect(url_for("bulletin.show", number=bulletin.number))
        else:
            flash(_("Draft saved."), "success")
        db.session.commit()
        anchor = f"#item-{item_id}" if item_id.isdigit() else ""
        return redirect(url_for("admin.bulletin_compose", bulletin_id=bulletin.id) + anchor)
    if request.method == "POST":
        flash(_("The draft was not saved: please check the form."), "danger")
    eligible = service.still_eligible(bulletin)
    sections = {key: [] for key in service.SECTIONS}
    for item in sorted(bulletin.items, key=lambda i: i.position):
        sections[item.section].append(item)
    return render_template(
        "admin/bulletin_compose.html",
        bulletin=bulletin,
        form=form,
        sections=sections,
        titles=service.SECTIONS,
        eligible=eligible,
        note_max=NOTE_MAX,
        sending=service.sending_enabled(),
        km_zero_rule=service.section_intro("km_zero", {"km_zero": service.km_zero_rule()}),
    )


def _queue_mail(bulletin: Bulletin) -> int | None:
    """Queue the bulletin for its recipients (None: sending is off). Public subscribers
    always; partner organisations and staff as the coordinator ticked."""
    if not service.sending_enabled():
        return None
    audiences = {SubscriberList.PUBLIC}
    if request.form.get("send_partners"):
        audiences.add(SubscriberList.PARTNER)
    if request.form.get("send_staff"):
        audiences.add(SubscriberList.STAFF)
    if audiences != {SubscriberList.PUBLIC}:
        service.sync_lists()
    return service.enqueue_bulletin(bulletin, audiences, service.base_url(request.host_url))


def _flash_delivery(queued: int | None) -> None:
    """Send what is due now (the rest, and retries, by ``flask bulletin send``)."""
    if queued is None:
        flash(_("E-mail sending is off (SCOUT_SMTP_URL is not set): nothing was mailed."), "info")
        return
    report = service.deliver(limit=current_app.config["MAIL_BATCH"])
    flash(
        _(
            "E-mail: %(queued)s queued, %(sent)s sent, %(waiting)s waiting for a retry.",
            queued=queued,
            sent=report.sent,
            waiting=report.postponed,
        ),
        "warning" if report.postponed or report.failed else "info",
    )


@bp.route("/bulletins/<int:bulletin_id>/retry-mail", methods=["POST"])
def bulletin_retry_mail(bulletin_id: int) -> Any:
    """Make the bulletin's waiting and failed messages due now, and send them."""
    bulletin = _bulletin_or_404(bulletin_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    service.retry_now(bulletin)
    db.session.commit()
    report = service.deliver(limit=current_app.config["MAIL_BATCH"])
    flash(
        _(
            "E-mail: %(sent)s sent, %(waiting)s waiting for a retry.",
            sent=report.sent,
            waiting=report.postponed,
        ),
        "warning" if report.postponed or report.failed else "info",
    )
    return redirect(url_for("admin.bulletins"))


@bp.route("/bulletins/<int:bulletin_id>/preview")
def bulletin_preview(bulletin_id: int) -> str:
    """The draft as it would be published now (in Italian, or ``?lang=en``)."""
    bulletin = _bulletin_or_404(bulletin_id)
    snapshot = bulletin.snapshot if bulletin.is_published else service.preview_snapshot(bulletin)
    lang = service.bulletin_language(request.args.get("lang"))
    return render_template(
        "admin/bulletin_preview.html",
        bulletin=bulletin,
        lang=lang,
        languages=service.LANGUAGES,
        body=render_body(snapshot or {}, lang, preview=True),
    )


@bp.route("/bulletins/<int:bulletin_id>/delete", methods=["POST"])
def bulletin_delete(bulletin_id: int) -> Any:
    """Delete a draft (a published bulletin stays in the archive for good)."""
    bulletin = _bulletin_or_404(bulletin_id)
    if bulletin.is_published:
        abort(409)
    if not FlaskForm().validate_on_submit():
        abort(400)
    db.session.delete(bulletin)
    db.session.commit()
    flash(_("Draft deleted."), "info")
    return redirect(url_for("admin.bulletins"))


# --- open-market offers ------------------------------------------------------------------


class MarketOfferForm(FlaskForm):
    title = StringField(_l("Job title"), validators=[DataRequired(), Length(max=200)])
    employer = StringField(_l("Employer or agency"), validators=[Optional(), Length(max=200)])
    area = StringField(
        _l("Where (town, district, or 'no fixed place')"), validators=[Optional(), Length(max=200)]
    )
    lat = DecimalField(_l("Latitude"), places=6, validators=[Optional()])
    lon = DecimalField(_l("Longitude"), places=6, validators=[Optional()])
    contract_type = SelectField(
        _l("Contract"),
        choices=[
            SelectChoice("", _l("Not stated")),
            *(SelectChoice(c.value, c.label) for c in ContractType),
        ],
        validators=[Optional()],
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 3}
    )
    source = StringField(
        _l("Source (where the offer was found)"), validators=[DataRequired(), Length(max=200)]
    )
    link = StringField(
        _l("Link to the original offer"),
        validators=[
            DataRequired(),
            Length(max=500),
            URL(require_tld=True, message=_l("Give a web address starting with https://")),
        ],
    )
    expires_on = DateField(_l("Apply by"), validators=[Optional()])

    def validate_link(self, field: StringField) -> None:
        if not (field.data or "").lower().startswith(("https://", "http://")):
            raise ValidationError(_("Give a web address starting with https://"))

    def validate(self, extra_validators: Any = None) -> bool:
        """Latitude and longitude go together and inside the metropolitan area (checked here:
        an empty field stops its own validators)."""
        ok = super().validate(extra_validators)
        if (self.lat.data is None) != (self.lon.data is None):
            self.lon.errors = [*self.lon.errors, _("Give both latitude and longitude, or neither.")]
            return False
        point = self.point()
        if point is not None and not service.in_metro_area(point):
            self.lon.errors = [
                *self.lon.errors,
                _("This point is outside the metropolitan area of Milan."),
            ]
            return False
        return ok

    def point(self) -> LonLat | None:
        if self.lat.data is None or self.lon.data is None:
            return None
        return LonLat(float(self.lon.data), float(self.lat.data))

    def draft(self) -> service.MarketDraft:
        return service.MarketDraft(
            title=self.title.data,
            source=self.source.data,
            link=self.link.data,
            employer=self.employer.data,
            description=self.description.data,
            area=self.area.data,
            point=self.point(),
            contract_type=ContractType(self.contract_type.data)
            if self.contract_type.data
            else None,
            expires_on=self.expires_on.data,
        )


@bp.route("/bulletins/market", methods=["GET", "POST"])
def market_offers() -> Any:
    """Open-market offers: the list, and the form to add one."""
    form = MarketOfferForm()
    if form.validate_on_submit():
        offer = service.create_market_offer(form.draft(), current_user)
        db.session.commit()
        flash(_("Open-market offer added: %(title)s", title=offer.title), "success")
        return redirect(url_for("admin.market_offers"))
    offers = db.session.scalars(
        select(MarketOffer).order_by(MarketOffer.active.desc(), MarketOffer.created_at.desc())
    ).all()
    return render_template("admin/bulletin_market.html", form=form, offers=offers, edit=None)


@bp.route("/bulletins/market/<int:offer_id>", methods=["GET", "POST"])
def market_offer_edit(offer_id: int) -> Any:
    offer = db.get_or_404(MarketOffer, offer_id)
    form = MarketOfferForm(obj=offer)
    if request.method == "GET":
        point = service.market_points({offer.id}).get(offer.id)
        form.lon.data, form.lat.data = (point.lon, point.lat) if point else (None, None)
        form.contract_type.data = offer.contract_type.value if offer.contract_type else ""
    if form.validate_on_submit():
        service.update_market_offer(offer, form.draft())
        db.session.commit()
        flash(_("Open-market offer saved."), "success")
        return redirect(url_for("admin.market_offers"))
    return render_template("admin/bulletin_market.html", form=form, offers=[], edit=offer)


@bp.route("/bulletins/market/<int:offer_id>/withdraw", methods=["POST"])
def market_offer_withdraw(offer_id: int) -> Any:
    offer = db.get_or_404(MarketOffer, offer_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    service.withdraw_market_offer(offer)
    db.session.commit()
    flash(_("Offer withdrawn: it will not be proposed again."), "info")
    return redirect(url_for("admin.market_offers"))
