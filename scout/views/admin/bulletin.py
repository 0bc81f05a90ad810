"""Coordinator pages of the weekly bulletin: list, new draft, compose, preview, publish."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from scout import bulletin as service
from scout.extensions import db
from scout.models import Bulletin, BulletinStatus
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
    """Drafts first, then published bulletins, newest first; and the new-bulletin form."""
    rows = db.session.scalars(
        select(Bulletin).order_by(
            (Bulletin.status == BulletinStatus.PUBLISHED),
            Bulletin.number.desc().nullsfirst(),
            Bulletin.week_start.desc(),
        )
    ).all()
    form = NewBulletinForm(week=service.week_of(service.today()))
    return render_template("admin/bulletins.html", bulletins=rows, form=form)


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
            db.session.commit()
            flash(_("Bulletin no. %(n)s is published.", n=bulletin.number), "success")
            return redirect(url_for("bulletin.show", number=bulletin.number))
        else:
            flash(_("Draft saved."), "success")
        db.session.commit()
        anchor = f"#item-{item_id}" if item_id.isdigit() else ""
        return redirect(url_for("admin.bulletin_compose", bulletin_id=bulletin.id) + anchor)
    if request.method == "POST":
        flash(_("The draft was not saved: please check the form."), "danger")
    offers, resources = service.still_eligible(bulletin)
    sections = {key: [] for key in service.SECTIONS}
    for item in sorted(bulletin.items, key=lambda i: i.position):
        sections[item.section].append(item)
    return render_template(
        "admin/bulletin_compose.html",
        bulletin=bulletin,
        form=form,
        sections=sections,
        titles=service.SECTIONS,
        eligible_offers=offers,
        eligible_resources=resources,
        note_max=NOTE_MAX,
        km_zero_rule=service.section_intro("km_zero", {"km_zero": service.km_zero_rule()}),
    )


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
