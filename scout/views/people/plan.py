"""Her children's schools, her plan's steps and her consents (each a small POST form on her
page; errors come back next to the field)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scout import clock
from scout.extensions import db
from scout.models import Child, Consent, ConsentPurpose, Person, PlanStep, Role
from scout.people.forms import ChildForm, ConsentForm, ForgetForm, StepForm
from scout.search import lists
from scout.views.people import bp, person_or_404


def _back(person: Person) -> Any:
    return redirect(url_for("people.show", code=person.code))


def _page_with_errors(person: Person, **forms: Any) -> Any:
    schools = lists.schools(db.session)
    context = {
        "child_form": ChildForm(schools=schools, formdata=None),
        "step_form": StepForm(formdata=None),
        "consent_form": ConsentForm(formdata=None),
        "forget_form": ForgetForm(formdata=None),
        **forms,
    }
    html = render_template(
        "people/show.html",
        person=person,
        can_forget=current_user.role == Role.COORDINATOR,
        **context,
    )
    return html, 400


def _owned(items: list[Any], item_id: int) -> Any:
    for item in items:
        if item.id == item_id:
            return item
    return None


@bp.post("/<code>/children")
def child_add(code: str) -> Any:
    person = person_or_404(code)
    form = ChildForm(schools=lists.schools(db.session))
    if not form.validate():
        return _page_with_errors(person, child_form=form)
    person.children.append(
        Child(
            school_id=int(form.school_id.data),
            days=sorted(int(d) for d in form.days.data or []),
            drop_off=form.drop_off.data,
            pick_up=form.pick_up.data,
        )
    )
    if (person.children_count or 0) < len(person.children):
        person.children_count = len(person.children)
    db.session.commit()
    flash(_("Child's school added."), "success")
    return _back(person)


@bp.post("/<code>/children/<int:child_id>/delete")
def child_delete(code: str, child_id: int) -> Any:
    person = person_or_404(code)
    child = _owned(person.children, child_id)
    if child is not None:
        person.children.remove(child)
        db.session.commit()
    return _back(person)


@bp.post("/<code>/steps")
def step_add(code: str) -> Any:
    person = person_or_404(code)
    form = StepForm()
    if not form.validate():
        return _page_with_errors(person, step_form=form)
    person.steps.append(PlanStep(text=form.text.data, due_on=form.due_on.data))
    db.session.commit()
    return _back(person)


@bp.post("/<code>/steps/<int:step_id>/done")
def step_done(code: str, step_id: int) -> Any:
    person = person_or_404(code)
    step = _owned(person.steps, step_id)
    if step is not None:
        step.done_on = None if step.done_on else clock.today()
        db.session.commit()
    return _back(person)


@bp.post("/<code>/steps/<int:step_id>/delete")
def step_delete(code: str, step_id: int) -> Any:
    person = person_or_404(code)
    step = _owned(person.steps, step_id)
    if step is not None:
        person.steps.remove(step)
        db.session.commit()
    return _back(person)


@bp.post("/<code>/consents")
def consent_add(code: str) -> Any:
    person = person_or_404(code)
    form = ConsentForm()
    if not form.validate():
        return _page_with_errors(person, consent_form=form)
    person.consents.append(
        Consent(
            purpose=ConsentPurpose(form.purpose.data),
            given_on=form.given_on.data,
            paper_ref=form.paper_ref.data,
        )
    )
    db.session.commit()
    flash(_("Consent recorded."), "success")
    return _back(person)


@bp.post("/<code>/consents/<int:consent_id>/withdraw")
def consent_withdraw(code: str, consent_id: int) -> Any:
    person = person_or_404(code)
    consent = _owned(person.consents, consent_id)
    if consent is not None and consent.withdrawn_on is None:
        consent.withdrawn_on = clock.today()
        db.session.commit()
        flash(_("Consent withdrawn."), "success")
    return _back(person)
