"""Her home, encrypted at rest: a MultiFernet token of the address text and the point.

The keys come from ``PEOPLE_KEY`` (``SCOUT_PEOPLE_KEY``): comma-separated Fernet keys, the
first encrypts, every one decrypts. Rotation (docs/people.md): put a new key first, run
``flask people rotate-key``, then drop the old key. The clear home exists only in this
process's memory, for the request that needs it (a walk, the edit form); it is never logged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class KeyMissing(RuntimeError):
    """No ``SCOUT_PEOPLE_KEY``: a person's home can be neither stored nor read."""


@dataclass(frozen=True, slots=True)
class Home:
    """Where she lives: the address as chosen (may be empty for a point) and the point."""

    address: str
    lon: float
    lat: float

    def __repr__(self) -> str:  # never print where she lives, even in a traceback
        return "<Home (encrypted at rest)>"


def new_key() -> str:
    """A fresh key, for ``instance/people_key`` or a rotation."""
    return Fernet.generate_key().decode()


def _fernet(keys: str | None = None) -> MultiFernet:
    raw = keys if keys is not None else current_app.config.get("PEOPLE_KEY")
    parts = [k.strip() for k in str(raw or "").split(",") if k.strip()]
    if not parts:
        raise KeyMissing("SCOUT_PEOPLE_KEY is not set: people's homes cannot be encrypted.")
    return MultiFernet([Fernet(k.encode()) for k in parts])


def encrypt_home(home: Home, keys: str | None = None) -> bytes:
    payload = {"address": home.address, "lon": round(home.lon, 7), "lat": round(home.lat, 7)}
    return _fernet(keys).encrypt(json.dumps(payload).encode())


def decrypt_home(token: bytes | None, keys: str | None = None) -> Home | None:
    """Her home, or None when none is stored. A token no key opens raises ``InvalidToken``."""
    if not token:
        return None
    data = json.loads(_fernet(keys).decrypt(bytes(token)))
    return Home(str(data.get("address") or ""), float(data["lon"]), float(data["lat"]))


def rotate(token: bytes, keys: str | None = None) -> bytes:
    """The token re-encrypted with the first key (``MultiFernet.rotate``)."""
    return _fernet(keys).rotate(bytes(token))


__all__ = [
    "Home",
    "InvalidToken",
    "KeyMissing",
    "decrypt_home",
    "encrypt_home",
    "new_key",
    "rotate",
]
