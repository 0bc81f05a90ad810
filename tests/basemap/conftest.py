"""Fixtures of the basemap tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def with_municipio_1(app, monkeypatch):
    """The Milan sample lies in Municipio 1, outside the served area: widen the area to it."""
    monkeypatch.setitem(app.config, "SERVICE_MUNICIPI", [1, 2, 3])
