"""A scout's coverage map (``/scout/coverage``): the coverage of her areas only, the NIL a
coordinator assigned to her, as a map and a table. Routes on the scout blueprint."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import render_template, request
from flask_login import current_user

from scout import clock, coverage
from scout.views.coverage_filters import CellFilterForm
from scout.views.scout import bp


@bp.route("/coverage")
def coverage_map() -> Any:
    """Her areas' cells (NIL, or the 250 m squares touching them) counting only the places in
    her NIL; nothing without areas. No argument widens it: a coordinator's filters (scout,
    areas) are not read here. Invalid filters answer 400 with the message next to the field."""
    form = CellFilterForm(formdata=request.args)
    valid = form.validate() if request.args else True
    today = clock.today()
    nil_ids = tuple(coverage.nil_ids_of(current_user))
    filters = replace(form.filters() if valid else coverage.Filters(), nil_ids=nil_ids)
    found = coverage.cells(filters, today) if valid and nil_ids else []
    since, until = filters.period(today)
    body = render_template(
        "scout/coverage.html",
        form=form,
        cells=found,
        features=coverage.geojson(found),
        has_areas=bool(nil_ids),
        since=since,
        until=until,
        export_urls=None,
    )
    return body if valid else (body, 400)
