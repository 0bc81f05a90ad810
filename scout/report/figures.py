"""The funder's report computed from the records: every figure, in the funder's wording and
order, for a scope (period, optionally a hub or a municipio).

Order of the programme's 2021–22 report: results (people with a plan, women, placements by
contract, sectors, km zero, internships, autonomy, courses, bulletins, network, meetings),
then the beneficiary profile, then what the map adds. People's figures come from
:mod:`scout.report.people`; the programme's own from :mod:`scout.report.programme`.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from scout import clock
from scout.models import MeetingKind
from scout.report import outcomes, people, programme
from scout.report.model import Report, Section, suppress
from scout.report.period import Scope


def compute(session: Session, scope: Scope, today: date | None = None) -> Report:
    """The report for ``scope``, with labels in the current locale."""
    p = people.compute(session, scope)
    outcome, map_outcomes, outcome_tables = outcomes.compute(session, scope)
    results = (
        *p.results,
        outcome["placements"],
        *(outcome[f"placements_{c.value}"] for c in outcomes.JOB_CONTRACTS),
        outcome["km_zero"],
        outcome["internships"],
        outcome["searches_alone"],
        outcome["digital_mothers"],
        outcome["digital_courses"],
        outcome["italian"],
        programme.bulletins(session, scope),
        programme.organisations_joined(session, scope),
        programme.meetings(session, scope, MeetingKind.INSTITUTION),
    )
    added = (
        *map_outcomes,
        *programme.map_figures(session, scope),
        programme.meetings(session, scope, MeetingKind.NETWORK),
        programme.meetings(session, scope, MeetingKind.TRAINING),
    )
    # The small-cell rule's second step runs over every figure at once: a group may span
    # sections (the women's share in the results, the fathers' in the profile).
    parts = [("results", _("Results"), results), ("profile", _("Beneficiary profile"), p.profile)]
    parts.append(("map", _("What the map adds"), added))
    figures = iter(suppress([f for _k, _t, group in parts for f in group]))
    sections = [
        Section(key, title, tuple(next(figures) for _f in group)) for key, title, group in parts
    ]
    return Report(
        scope=scope,
        sections=sections,
        tables=[*outcome_tables, *p.tables],
        generated_on=today or clock.today(),
        hub_name=p.hub_name,
        missing=p.missing,
        not_consenting=p.not_consenting,
    )
