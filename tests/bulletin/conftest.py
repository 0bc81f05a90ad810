"""Fixtures of the bulletin tests: stubbed walks from the hubs, a hub, a coordinator, and a
real SMTP server (aiosmtpd) the app sends to."""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from scout import walking
from scout.models import OrgKind, Role
from tests.factories import VIA_PADOVA

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


class Inbox:
    """What a real SMTP server received (aiosmtpd), one parsed message per delivery."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook)
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


class SmtpServer:
    """An SMTP server on 127.0.0.1 that the test can take down and bring back."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.inbox = Inbox()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app, monkeypatch):
    """A running SMTP server, configured as the app's ``SMTP_URL``."""
    server = SmtpServer()
    server.start()
    monkeypatch.setitem(app.config, "SMTP_URL", server.url)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT_S", 5)
    yield server
    server.stop()
