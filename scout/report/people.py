"""The figures about the people served and their outcomes (people, placements, courses,
autonomy), and the beneficiary profile.

Until the people records exist (issue 14) there is nothing to count: every figure of this part
is listed in ``missing`` and shown as not recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from scout.extensions import db
from scout.models import Place
from scout.report.model import Figure, Table
from scout.report.period import Scope


@dataclass
class PeopleFigures:
    results: tuple[Figure, ...] = ()
    profile: tuple[Figure, ...] = ()
    map_figures: tuple[Figure, ...] = ()
    tables: list[Table] = field(default_factory=list)
    hub_name: str | None = None
    missing: list[str] = field(default_factory=list)


def _hub_name(session: Session, scope: Scope) -> str | None:
    if scope.hub_id is None:
        return None
    hub = session.get(Place, scope.hub_id)
    return hub.name if hub else None


def compute(session: Session, scope: Scope) -> PeopleFigures:
    missing = [
        _("People with a personal plan"),
        _("Women (mothers)"),
        _("Job placements"),
    ]
    return PeopleFigures(hub_name=_hub_name(session or db.session, scope), missing=missing)


def hub_of(session: Session, user: object) -> int | None:
    """The hub (a place of a programme-hub organisation) a staff member works at: the first
    place of her organisation when that is a hub, else ``None``."""
    from scout.models import Organisation, OrgKind

    org_id = getattr(user, "organisation_id", None)
    if org_id is None:
        return None
    org = session.get(Organisation, org_id)
    if org is None or org.kind != OrgKind.HUB or not org.places:
        return None
    return min(p.id for p in org.places)
