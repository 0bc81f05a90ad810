"""The funder's figures report (``/report``) for tutors and coordinators: the page with its
charts, the A4 PDF (Italian or English), CSV and XLSX.

A tutor sees the report of her own hub; a coordinator any hub, a municipio or the whole
programme, and may ask for the internal version (small counts not hidden).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import format_date
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from scout import report
from scout.auth import role_required
from scout.errors import ScoutError
from scout.extensions import db
from scout.models import Role
from scout.validation import parse_args
from scout.views import schemas

bp = Blueprint("report", __name__)
bp.before_request(role_required(Role.TUTOR))

PDF_LANGUAGES = ("it", "en")


def _given(args: Any) -> MultiDict:
    """An empty choice ("all hubs", "all municipi", no date) means the argument is not given."""
    return MultiDict([(k, v) for k, v in args.items(multi=True) if v])


def list_filters(args: Any) -> tuple[report.Scope, schemas.RecordsQuery] | None:
    """The scope and filters of a staff list behind a report figure, or ``None`` when the
    request gives none of them (the whole list)."""
    given = _given(args)
    q = parse_args(schemas.RecordsQuery, given)
    if not any(
        (info.alias or name) in given for name, info in schemas.RecordsQuery.model_fields.items()
    ):
        return None
    return report.open_scope(q.date_from, q.date_to, q.hub, q.municipio), q


def resolve(args: Any, user: Any) -> tuple[report.Scope, bool]:
    """The scope and the internal flag a request asks for and its caller may have.

    A tutor's scope is always her hub (any ``hub`` argument is ignored); without a hub she
    may not read the report (403). Only a coordinator gets ``internal``."""
    q = parse_args(schemas.ReportQuery, _given(args))
    coordinator = user.role == Role.COORDINATOR
    hub_id = q.hub if coordinator else report.hub_of(db.session, user)
    if not coordinator and hub_id is None:
        abort(403)
    scope = report.make_scope(
        q.date_from or report.DEFAULT_FROM, q.date_to or report.DEFAULT_TO, hub_id, q.municipio
    )
    return scope, coordinator and q.internal == "1"


def _download(body: bytes | str, mimetype: str, scope: report.Scope, ext: str) -> Response:
    name = f"report-{scope.date_from.isoformat()}-{scope.date_to.isoformat()}.{ext}"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/")
def page() -> Any:
    """The report page; bad dates are shown next to their field (400), nothing computed."""
    errors: dict[str, str] = {}
    try:
        scope, internal = resolve(request.args, current_user)
    except ScoutError as error:
        errors[error.field or "from"] = error.message
        scope, internal = report.Scope(report.DEFAULT_FROM, report.DEFAULT_TO), False
    coordinator = current_user.role == Role.COORDINATOR
    context = {
        "errors": errors,
        "values": {k: request.args.get(k, "") for k in ("from", "to")},
        "hubs": report.hubs(db.session) if coordinator else [],
        "coordinator": coordinator,
        "pdf_languages": PDF_LANGUAGES,
    }
    if errors:
        return render_template("report/page.html", report=None, scope=scope, **context), 400
    built = report.compute(db.session, scope)
    html = report.render_html(built, internal, "report/page.html", scope=scope, **context)
    return html


@bp.route("/report.pdf")
def pdf() -> Response:
    scope, internal = resolve(request.args, current_user)
    lang = request.args.get("lang", "it")
    if lang not in PDF_LANGUAGES:
        lang = "it"
    body = report.to_pdf(lambda: report.compute(db.session, scope), lang, internal)
    return _download(body, "application/pdf", scope, "pdf")


@bp.route("/report.csv")
def csv() -> Response:
    scope, internal = resolve(request.args, current_user)
    built = report.compute(db.session, scope)
    table = request.args.get("table") or None
    if table is not None and table not in {t.key for t in built.tables}:
        abort(404)
    return _download(report.to_csv(built, table, internal), "text/csv", scope, "csv")


@bp.route("/report.xlsx")
def xlsx() -> Response:
    scope, internal = resolve(request.args, current_user)
    built = report.compute(db.session, scope)
    return _download(report.to_xlsx(built, internal), report.XLSX, scope, "xlsx")


@bp.app_template_filter("format_report_date")
def format_report_date(value: date) -> str:
    """A date as the report writes it ("1 settembre 2021", "1 September 2021")."""
    return format_date(value, "long")
