"""Her consent form (PDF in her language), her data (GDPR Art. 15, JSON and PDF) and
"forget her" (coordinators, with a reason). Nothing here is cached."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from scout import clock
from scout.extensions import db
from scout.models import ConsentPurpose, Person, Role
from scout.pdf import html_to_pdf
from scout.people import records, retention
from scout.people.export import her_data
from scout.people.forms import ForgetForm
from scout.views.people import bp, person_or_404
from scout.views.people.plan import _page_with_errors


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _direction(lang: str) -> str:
    return "rtl" if lang in current_app.config["RTL_LANGUAGES"] else "ltr"


@bp.get("/<code>/consent-form.pdf")
def consent_form(code: str) -> Response:
    """The consent form to sign, in her language (or ``?lang=``), one box per purpose."""
    person = person_or_404(code)
    lang = request.args.get("lang") or person.language.value
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    records.audit_read(db.session, person, "consent form")
    db.session.commit()
    with force_locale(lang):
        html = render_template(
            "people/consent_form.html",
            person=person,
            lang=lang,
            direction=_direction(lang),
            purposes=list(ConsentPurpose),
            today=clock.today(),
        )
    return _download(html_to_pdf(html), "application/pdf", f"consent-{person.code}-{lang}.pdf")


@bp.get("/<code>/data.json")
def data_json(code: str) -> Response:
    person = person_or_404(code)
    records.audit_read(db.session, person, "her data (JSON)")
    db.session.commit()
    body = json.dumps(her_data(db.session, person), ensure_ascii=False, indent=2).encode()
    return _download(body, "application/json", f"data-{person.code}.json")


@bp.get("/<code>/data.pdf")
def data_pdf(code: str) -> Response:
    person = person_or_404(code)
    records.audit_read(db.session, person, "her data (PDF)")
    db.session.commit()
    lang = person.language.value
    with force_locale(lang):
        html = render_template(
            "people/data.html",
            person=person,
            data=her_data(db.session, person),
            lang=lang,
            direction=_direction(lang),
            today=clock.today(),
        )
    return _download(html_to_pdf(html), "application/pdf", f"data-{person.code}.pdf")


@bp.post("/<code>/forget")
def forget(code: str) -> Any:
    """Anonymise her record at once, at her request (coordinators only; the reason is audited)."""
    if current_user.role != Role.COORDINATOR:
        abort(403)
    person: Person = person_or_404(code)
    form = ForgetForm()
    if not form.validate():
        return _page_with_errors(person, forget_form=form)
    retention.anonymise(db.session, person, form.reason.data, forgotten=True)
    db.session.commit()
    flash(_("Record %(code)s anonymised.", code=person.code), "success")
    return redirect(url_for("people.show", code=person.code))
