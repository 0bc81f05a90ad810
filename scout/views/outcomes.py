"""What comes of a tutor's work with a person (``/people``, beside her record's pages): "Cerca
per lei" (the search from her record), referrals, placements with km zero, follow-ups, course
enrolments, the autonomy assessment, and what is new for the tutor's people since her last visit.

Tutors and coordinators only, and only the people they may see (:func:`records.visible`); any
other person is a 404. Her home is decrypted here for the walks and goes no further: never in a
URL, a page, a log or the audit. Every page of a person is an audited read.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from scout import clock, report
from scout.auth import role_required
from scout.errors import BadRequest
from scout.extensions import db
from scout.geo import LonLat
from scout.models import (
    ConsentPurpose,
    EnrolmentStatus,
    FollowUp,
    Offer,
    Person,
    Placement,
    Referral,
    ReferralStatus,
    Resource,
    ResourceKind,
    ReviewStatus,
    Role,
    StillWorking,
)
from scout.people import followups, matching, placements, records, referrals
from scout.people import outcome_forms as forms
from scout.views.report import list_filters
from scout.walking import Profile

bp = Blueprint("outcomes", __name__)
bp.before_request(role_required(Role.TUTOR))

PLACEMENTS_PAGE = 100
COURSE_KINDS = (ResourceKind.ITALIAN_COURSE, ResourceKind.DIGITAL_COURSE, ResourceKind.OTHER)


def _person(code: str, what: str) -> Person:
    person = records.find(db.session, current_user, code)
    if person is None:
        abort(404)
    records.audit_read(db.session, person, what)
    return person


def _visible_ids() -> list[int]:
    return list(db.session.scalars(records.visible(current_user).with_only_columns(Person.id)))


def _row_or_404(model: type, item_id: int) -> Any:
    if not 0 < item_id < 2**31:  # no such row (and no integer overflow in the query)
        abort(404)
    return db.get_or_404(model, item_id)


def _owned(model: type, item_id: int) -> Any:
    """A referral, follow-up or enrolment of a person the user may see; 404 otherwise."""
    row = _row_or_404(model, item_id)
    person_id = row.placement.person_id if isinstance(row, FollowUp) else row.person_id
    if person_id not in _visible_ids():
        abort(404)
    return row, db.session.get(Person, person_id)


def _needs(person: Person) -> matching.Needs:
    return matching.needs_of(person, records.home_of(person))


def _fail(err: BadRequest, form: Any) -> None:
    """A refusal shown next to its field (or on top when no field names it)."""
    field = getattr(form, err.field or "", None)
    if field is not None:
        field.errors = [*field.errors, err.message]
    else:
        flash(err.message, "danger")


def _outcomes_url(person: Person) -> str:
    return url_for("outcomes.outcomes", code=person.code)


@bp.route("/<code>/matches")
def matches(code: str) -> str:
    """Cerca per lei: offers and courses for her, ranked by walking minutes from her home,
    with her children's school hours, her availability, Italian level and wishes."""
    person = _person(code, "matches")
    needs = _needs(person)
    result = matching.matches_for(db.session, needs) if needs.home is not None else None
    db.session.commit()
    return render_template(
        "people/matches.html",
        person=person,
        needs=needs,
        result=result,
        fits=matching.fits,
        form=forms.ReferralForm(),
    )


@bp.post("/<code>/referrals")
def referral_new(code: str) -> Any:
    """Propose her for one result of her search."""
    person = _person(code, "referrals")
    form = forms.ReferralForm()
    if not form.validate_on_submit():
        flash(_("Choose an offer or a course from her search."), "danger")
        return redirect(url_for(".matches", code=code))
    kind, _sep, number = form.target.data.partition("-")
    target = db.session.get(Offer if kind == "offer" else Resource, int(number))
    try:
        referrals.propose(db.session, person.id, target, current_user, on=form.on.data)
    except BadRequest as err:
        flash(err.message, "danger")
        return redirect(url_for(".matches", code=code))
    db.session.commit()
    flash(_("Referral proposed: send it when she is ready."), "success")
    return redirect(_outcomes_url(person))


def _page(person: Person, status: int = 200, **forms_given: Any) -> Any:
    steps = {}
    for r in referrals.of_person(db.session, person.id):
        form = forms_given.get(f"step-{r.id}") or forms.StepForm(prefix=f"r{r.id}")
        form.set_steps(referrals.next_steps(r))
        steps[r.id] = (r, form)
    enrol = forms_given.get("enrol") or forms.EnrolForm()
    courses = list(
        db.session.scalars(
            select(Resource)
            .where(Resource.status == ReviewStatus.PUBLISHED, Resource.kind.in_(COURSE_KINDS))
            .order_by(Resource.title)
        )
    )
    enrol.resource.choices = [SelectChoice(str(c.id), c.title) for c in courses]
    return (
        render_template(
            "people/outcomes.html",
            person=person,
            referrals=list(steps.values()),
            placements=placements.of_person(db.session, person.id),
            enrolments=followups.enrolments_of(db.session, person.id),
            assessments=followups.assessments_of(db.session, person.id),
            follow_up_form=lambda f: (
                forms_given.get(f"fu-{f.id}") or forms.FollowUpForm(prefix=f"f{f.id}")
            ),
            end_form=lambda e: forms.EndEnrolmentForm(prefix=f"e{e.id}"),
            enrol_form=enrol,
            autonomy_form=forms_given.get("autonomy") or forms.AutonomyForm(),
            sharing=person.has_consent(ConsentPurpose.EMPLOYER_SHARING),
            km_zero_minutes=current_app.config["KM_ZERO_MINUTES"],
            unknown=StillWorking.UNKNOWN,
        ),
        status,
    )


@bp.route("/<code>/outcomes")
def outcomes(code: str) -> Any:
    """Her referrals, placements with their follow-ups, courses and autonomy."""
    person = _person(code, "outcomes")
    db.session.commit()
    return _page(person)


@bp.post("/referrals/<int:referral_id>/step")
def referral_step(referral_id: int) -> Any:
    """The referral's next step. "Sent" to an employer needs her consent to sharing."""
    referral, person = _owned(Referral, referral_id)
    form = forms.StepForm(prefix=f"r{referral.id}")
    form.set_steps(referrals.next_steps(referral))
    if form.validate_on_submit():
        try:
            referrals.advance(
                db.session,
                referral,
                ReferralStatus(form.status.data),
                on=form.on.data,
                sharing_consent=person.has_consent(ConsentPurpose.EMPLOYER_SHARING, form.on.data),
                notes=form.notes.data,
            )
        except BadRequest as err:
            db.session.rollback()
            _fail(err, form)
        else:
            db.session.commit()
            if referral.status == ReferralStatus.HIRED and referral.offer_id is not None:
                flash(_("Hired: record her placement."), "success")
                return redirect(url_for(".placement_new", code=person.code, referral=referral.id))
            flash(_("Referral updated."), "success")
            return redirect(_outcomes_url(person))
    records.audit_read(db.session, person, "outcomes")
    db.session.commit()
    return _page(person, 422, **{f"step-{referral.id}": form})


@bp.route("/<code>/placements/new", methods=["GET", "POST"])
def placement_new(code: str) -> Any:
    """A placement, from a hired referral (prefilled from its offer) or entered directly
    (an employer outside the network: its address found in the gazetteer). Km zero is
    computed here from her home."""
    person = _person(code, "placement")
    form = forms.PlacementForm()
    referral_id = request.args.get("referral", type=int) or (
        int(form.referral_id.data) if (form.referral_id.data or "").isdigit() else None
    )
    prefilled = None
    if referral_id is not None:
        referral = db.session.get(Referral, referral_id)
        if referral is None or referral.person_id != person.id:
            abort(404)
        try:
            prefilled = placements.draft_from_referral(
                db.session, referral, referral.closed_on or clock.today()
            )
        except BadRequest as err:
            flash(err.message, "danger")
            return redirect(_outcomes_url(person))
        if request.method == "GET":
            form.fill(prefilled)
    status = 200
    if form.validate_on_submit():
        home = records.home_of(person)
        try:
            placement = placements.create_placement(
                db.session,
                person.id,
                form.draft(prefilled),
                current_user,
                home=LonLat(home.lon, home.lat) if home else None,
                profile=Profile(str(person.walking_profile)),
                km_zero_minutes=current_app.config["KM_ZERO_MINUTES"],
            )
        except BadRequest as err:
            _fail(err, form)
            status = 422
        else:
            db.session.commit()
            flash(_placement_message(placement), "success")
            return redirect(_outcomes_url(person))
    elif request.method == "POST":
        status = 422
    db.session.commit()
    return render_template(
        "people/placement_new.html", person=person, form=form, prefilled=prefilled
    ), status


def _placement_message(placement: Placement) -> str:
    if placement.km_zero is None:
        return _("Placement recorded. Km zero unknown: her home or the workplace is missing.")
    if placement.km_zero:
        return _(
            "Placement recorded: km zero, %(n)d min on foot from her home.",
            n=placement.walk_minutes,
        )
    return _(
        "Placement recorded: not km zero, %(n)d min on foot from her home.",
        n=placement.walk_minutes,
    )


@bp.post("/follow-ups/<int:follow_up_id>")
def follow_up(follow_up_id: int) -> Any:
    """Whether she still works there: yes or no, as the tutor found out."""
    row, person = _owned(FollowUp, follow_up_id)
    form = forms.FollowUpForm(prefix=f"f{row.id}")
    if form.validate_on_submit():
        try:
            followups.record_follow_up(
                db.session,
                row,
                StillWorking(form.still_working.data),
                current_user,
                on=form.on.data,
                notes=form.notes.data,
            )
        except BadRequest as err:
            db.session.rollback()
            _fail(err, form)
        else:
            db.session.commit()
            flash(_("Follow-up recorded."), "success")
            return redirect(
                request.form.get("back") == "new" and url_for(".whats_new") or _outcomes_url(person)
            )
    records.audit_read(db.session, person, "outcomes")
    db.session.commit()
    return _page(person, 422, **{f"fu-{row.id}": form})


@bp.post("/<code>/enrolments")
def enrolment_new(code: str) -> Any:
    person = _person(code, "outcomes")
    form = forms.EnrolForm()
    form.resource.choices = [SelectChoice(request.form.get("resource", ""), "")]
    if form.validate_on_submit() and form.resource.data.isdigit():
        try:
            followups.enrol(
                db.session,
                person.id,
                db.session.get(Resource, int(form.resource.data)),
                current_user,
                on=form.on.data,
            )
        except BadRequest as err:
            _fail(err, form)
        else:
            db.session.commit()
            flash(_("Enrolment recorded."), "success")
            return redirect(_outcomes_url(person))
    db.session.commit()
    return _page(person, 422, enrol=form)


@bp.post("/enrolments/<int:enrolment_id>")
def enrolment_end(enrolment_id: int) -> Any:
    from scout.models import Enrolment

    row, person = _owned(Enrolment, enrolment_id)
    form = forms.EndEnrolmentForm(prefix=f"e{row.id}")
    if form.validate_on_submit():
        try:
            followups.end_enrolment(
                db.session, row, EnrolmentStatus(form.status.data), on=form.on.data
            )
        except BadRequest as err:
            flash(err.message, "danger")
        else:
            db.session.commit()
            flash(_("Enrolment updated."), "success")
    return redirect(_outcomes_url(person))


@bp.post("/<code>/autonomy")
def autonomy(code: str) -> Any:
    person = _person(code, "outcomes")
    form = forms.AutonomyForm()
    if form.validate_on_submit():
        followups.assess_autonomy(
            db.session, person.id, form.searches_alone.data == "yes", current_user, on=form.on.data
        )
        db.session.commit()
        flash(_("Assessment recorded."), "success")
        return redirect(_outcomes_url(person))
    db.session.commit()
    return _page(person, 422, autonomy=form)


def _target_page(target: Offer | Resource) -> str:
    """An offer's or a course's referrals, for staff: a tutor sees those of the people she
    may see (code, status, dates, a link to her), a coordinator all of them."""
    ids = None if current_user.role == Role.COORDINATOR else _visible_ids()
    rows = referrals.of_target(db.session, target, ids)
    codes = dict(
        db.session.execute(
            select(Person.id, Person.code).where(Person.id.in_({r.person_id for r in rows}))
        ).all()
    )
    return render_template(
        "people/target.html",
        target=target,
        is_offer=isinstance(target, Offer),
        referrals=rows,
        codes=codes,
    )


@bp.route("/offers/<int:offer_id>")
def offer_referrals(offer_id: int) -> str:
    """A job offer for staff, with the referrals to it."""
    return _target_page(_row_or_404(Offer, offer_id))


@bp.route("/courses/<int:resource_id>")
def course_referrals(resource_id: int) -> str:
    """A course or service for staff, with the referrals to it."""
    return _target_page(_row_or_404(Resource, resource_id))


@bp.route("/whats-new")
def whats_new() -> str:
    """What is new for her people since her last visit: the offers and courses published
    since that fit them, and the follow-ups due. Looking marks them seen."""
    ids = _visible_ids()
    since = matching.last_seen(db.session, current_user.id)
    new = matching.new_matches(db.session, ids, since)
    people = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(ids)))}
    due = followups.due(db.session, ids, clock.today())
    matching.mark_seen(db.session, current_user.id)
    db.session.commit()
    return render_template(
        "people/whats_new.html",
        new=new,
        people=people,
        due=due,
        since=since,
        follow_up_form=lambda f: forms.FollowUpForm(prefix=f"f{f.id}"),
    )


@bp.route("/placements")
def placements_list() -> str:
    """The placements of the people she may see, newest first; the report's filters
    (period, hub, municipio, ``counted``, contract, sector, km zero) narrow it to the
    placements behind one of its figures (:func:`report.placements_behind`)."""
    filters = list_filters(request.args)
    scope, q = filters or (report.open_scope(None, None), None)
    query = report.placements_behind(
        scope,
        counted=q is not None and q.counted == "1",
        **{name: getattr(q, name, None) for name in report.PLACEMENT_FILTERS},
    ).where(Placement.person_id.in_(records.visible(current_user).with_only_columns(Person.id)))
    page = db.paginate(
        query.order_by(Placement.starts_on.desc(), Placement.id.desc()),
        per_page=PLACEMENTS_PAGE,
        max_per_page=PLACEMENTS_PAGE,
        error_out=False,
    )
    ids = {p.person_id for p in page.items}
    codes = dict(db.session.execute(select(Person.id, Person.code).where(Person.id.in_(ids))).all())
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "people/placements.html", page=page, codes=codes, args=args, filtered=filters is not None
    )
