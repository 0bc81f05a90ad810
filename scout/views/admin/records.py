"""The lists behind the report's figures on the map (coordinators): the scouts' visits made
and the offers and resources mapped in a period, optionally in one municipio. They select
with the report's own conditions (:func:`report.visits_behind`, :func:`report.mapped_behind`),
so a list holds exactly what its figure counts."""

from __future__ import annotations

from flask import abort, render_template, request
from sqlalchemy.orm import selectinload

from scout import report
from scout.extensions import db
from scout.models import Visit
from scout.views.admin import bp
from scout.views.report import list_filters

PER_PAGE = 100


def _scope() -> report.Scope:
    filters = list_filters(request.args)
    return filters[0] if filters else report.open_scope(None, None)


def _args() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k != "page" and v}


@bp.route("/visits")
def visits() -> str:
    """Visits, newest first; ``?from=``, ``?to=``, ``?municipio=`` narrow the list."""
    query = report.visits_behind(_scope()).options(
        selectinload(Visit.place), selectinload(Visit.user)
    )
    page = db.paginate(
        query.order_by(Visit.visited_on.desc(), Visit.id.desc()),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("admin/visits.html", page=page, args=_args())


@bp.route("/mapped/<what>")
def mapped(what: str) -> str:
    """The offers or resources (``what``) published and recorded in the period, newest
    first."""
    if what not in report.MAPPED:
        abort(404)
    model = report.MAPPED[what]
    query = report.mapped_behind(_scope(), what).options(selectinload(model.place))
    page = db.paginate(
        query.order_by(model.created_at.desc(), model.id.desc()),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("admin/mapped.html", page=page, what=what, args=_args())
