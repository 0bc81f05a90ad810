"""Fixtures of the bulletin tests: stubbed walks from the hubs, a hub, a coordinator, and a
real SMTP server (aiosmtpd) the app sends to."""

from __future__ import annotations

import pytest

from scout import walking
from scout.models import OrgKind, Role
from tests.factories import VIA_PADOVA
from tests.smtp import smtp  # noqa: F401 (fixture)

FAR = 3600.0  # seconds: an hour's walk, never km zero


@pytest.fixture
def walks(monkeypatch):
    """``walks[place_id] = seconds``: the stubbed walk from any hub to that place."""
    seconds: dict[int, float] = {}

    def walk_to(origin, targets, profile=walking.Profile.STANDARD):
        return walking.WalkAnswer(
            estimate=True,
            walks={
                k: walking.Walk(metres=seconds.get(k, FAR) * 1.25, seconds=seconds.get(k, FAR))
                for k in targets
            },
        )

    monkeypatch.setattr(walking, "walk_to", walk_to)
    return seconds


@pytest.fixture
def hub(make_place):
    return make_place("Hub Test", lon=VIA_PADOVA[0], lat=VIA_PADOVA[1], org_kind=OrgKind.HUB)


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.COORDINATOR)


@pytest.fixture
def nocsrf(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
