"""Her list, her page and her record's form (with the home typed through the gazetteer)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from scout import report
from scout.extensions import db
from scout.maps import MILAN_CENTRE
from scout.models import Person, PlanStatus, Role
from scout.people import records
from scout.people.crypto import Home
from scout.people.forms import ChildForm, ConsentForm, ForgetForm, PersonForm, StepForm
from scout.search import lists
from scout.views.people import bp, person_or_404
from scout.views.report import list_filters
from scout.walking import gazetteer

PAGE = 100


@bp.get("/")
def index() -> str:
    """The people she may see, by code; closed plans last. The report's filters (period,
    hub, municipio, ``counted``, role, employment, schooling, nationality group, outcome)
    narrow it to the people behind one of its figures (:func:`report.people_behind`)."""
    status = request.args.get("status", "")
    query = records.visible(current_user).options(selectinload(Person.tutor))
    if status in {s.value for s in PlanStatus}:
        query = query.where(Person.status == PlanStatus(status))
    filters = list_filters(request.args)
    if filters is not None:
        scope, q = filters
        query = query.where(
            Person.id.in_(
                report.people_behind(
                    scope,
                    counted=q.counted == "1",
                    **{name: getattr(q, name) for name in report.PEOPLE_FILTERS},
                )
            )
        )
    page = db.paginate(
        query.order_by(Person.status == PlanStatus.CLOSED, Person.code.desc()),
        per_page=PAGE,
        max_per_page=PAGE,
        error_out=False,
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "people/index.html",
        page=page,
        people=page.items,
        status=status,
        plan_statuses=PlanStatus.choices(),
        filtered=filters is not None,
        args=args,
    )


@bp.get("/<code>")
def show(code: str) -> str:
    person = person_or_404(code)
    records.audit_read(db.session, person)
    db.session.commit()
    schools = lists.schools(db.session)
    return render_template(
        "people/show.html",
        person=person,
        child_form=ChildForm(schools=schools, formdata=None),
        step_form=StepForm(formdata=None),
        consent_form=ConsentForm(formdata=None),
        forget_form=ForgetForm(formdata=None),
        can_forget=current_user.role == Role.COORDINATOR,
    )


def _form(person: Person | None) -> PersonForm:
    form = PersonForm(
        obj=person,
        hubs=records.hubs(db.session),
        tutors=records.tutors(db.session),
    )
    if request.method == "GET":
        form.loaded_version.data = str(person.version) if person else ""
        for name in ("language", "parent_role", "education", "employment", "referred_by"):
            value = getattr(person, name, None) if person else None
            if value is not None:
                getattr(form, name).data = value.value
        if person is None:
            form.tutor_id.data = str(current_user.id)
            form.hub_id.data = str(current_user.organisation_id or "")
        else:
            form.hub_id.data = str(person.hub_id or "")
            form.tutor_id.data = str(person.tutor_id or "")
            form.sectors.data = ", ".join(person.sectors or [])
            form.italian_level.data = person.italian_level.value if person.italian_level else ""
            form.walking_profile.data = person.walking_profile.value
            form.status.data = person.status.value
    return form


def _home(form: PersonForm) -> tuple[bool, Home | None, list[Any]]:
    """(changed, home, candidates) from the form. With an address typed and none of its
    candidates picked yet, the candidates come back to be chosen from (weak ones never
    chosen for her); a point typed is used as it is."""
    if form.home_clear.data:
        return True, None, []
    if form.home_lat.data is not None and form.home_lon.data is not None:
        return True, Home("", form.home_lon.data, form.home_lat.data), []
    text = form.home_address.data
    if not text:
        return False, None, []
    candidates = gazetteer.lookup(db.session, text)
    pick = form.home_pick.data
    if pick is not None and pick.isdigit() and int(pick) < len(candidates):
        chosen = candidates[int(pick)]
        return True, Home(chosen.label, chosen.lon, chosen.lat), candidates
    return False, None, candidates


def _stale(form: PersonForm, person: Person | None) -> bool:
    """Whether someone saved her record after this form was loaded (its version is older)."""
    return person is not None and form.loaded_version.data != str(person.version)


def _conflict(form: PersonForm, person: Person) -> Any:
    """Nothing is written: the message next to the form, her input kept, and the version
    now stored, so that saving again replaces the other tutor's changes knowingly."""
    form.loaded_version.data = str(person.version)
    return _page(form, person, [], conflict=True), 409


def _page(form: PersonForm, person: Person | None, candidates: list[Any], **ctx: Any) -> str:
    if not form.home_pick.choices:
        form.home_pick.choices = [SelectChoice(str(i), c.label) for i, c in enumerate(candidates)]
    return render_template(
        "people/form.html",
        form=form,
        person=person,
        candidates=candidates,
        has_home=bool(person and person.home_encrypted),
        map_centre=MILAN_CENTRE,  # the area served: never her home
        **ctx,
    )


def _save(person: Person | None, form: PersonForm, changed: bool, home: Home | None) -> Person:
    """Her record as typed (a new one under the next free code); flushed, not committed."""
    new = person is None
    if person is None:
        person = Person()
    form.apply(person)
    if new:  # never a record nobody can see: hers, in her hub, unless chosen
        person.tutor_id = person.tutor_id or current_user.id
        person.hub_id = person.hub_id or current_user.organisation_id
    if person.status == PlanStatus.CLOSED and person.closed_at is None:
        records.close(person, person.closed_reason or "")
    elif person.status != PlanStatus.CLOSED:
        person.closed_at = None
    if changed:
        records.set_home(db.session, person, home)
    if new:
        records.add_person(db.session, person)
    return person


def _edit(person: Person | None) -> Any:
    form = _form(person)
    candidates: list[Any] = []
    if request.method == "POST" and form.validate():
        if _stale(form, person):
            return _conflict(form, person)
        changed, home, candidates = _home(form)
        form.home_pick.choices = [SelectChoice(str(i), c.label) for i, c in enumerate(candidates)]
        if form.home_address.data and not changed:
            if candidates:
                form.home_pick.errors = [_("Choose her address among these, or correct it.")]
            else:
                form.home_address.errors = [
                    _("No address found. Check the street name, or give a point.")
                ]
        else:
            new = person is None
            try:
                person = _save(person, form, changed, home)
                db.session.commit()
            except StaleDataError:  # saved by someone else between our check and our write
                db.session.rollback()
                return _conflict(form, person)
            message = _("Record %(code)s created.", code=person.code)
            if not new:
                message = _("Record %(code)s saved.", code=person.code)
            flash(message, "success")
            return redirect(url_for("people.show", code=person.code))
    elif person is not None and request.method == "GET":
        records.audit_read(db.session, person, "edit form")
        db.session.commit()
    status = 400 if request.method == "POST" and form.errors else 200
    return _page(form, person, candidates), status


@bp.route("/new", methods=["GET", "POST"])
def create() -> Any:
    return _edit(None)


@bp.route("/<code>/edit", methods=["GET", "POST"])
def edit(code: str) -> Any:
    return _edit(person_or_404(code))


@bp.post("/<code>/home")
def home(code: str) -> Any:
    """Her address, shown in the edit form's field only (a POST: never in a URL or a cache)."""
    person = person_or_404(code)
    form = _form(person)
    current = records.home_of(person)
    records.audit_read(db.session, person, "home")
    db.session.commit()
    form.home_address.data = current.address if current else ""
    return _page(form, person, [])
