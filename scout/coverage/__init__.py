"""Coverage: what the scouts have mapped and verified, and what is due again.

:mod:`.freshness` knows when a person last verified a place, offer or resource, which are due
to be re-verified, and closes expired offers.
"""

from __future__ import annotations

from scout.coverage.freshness import (
    Freshness,
    close_expired,
    due_places,
    is_due,
    of,
    off_the_map,
    offer_open,
    still_valid,
    to_visit_or_due,
)

__all__ = [
    "Freshness",
    "close_expired",
    "due_places",
    "is_due",
    "of",
    "off_the_map",
    "offer_open",
    "still_valid",
    "to_visit_or_due",
]
