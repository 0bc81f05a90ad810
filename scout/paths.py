"""Where the project's files are, for every module that needs them (nothing imports the factory)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
TEMPLATES = ROOT / "templates"
TRANSLATIONS = ROOT / "translations"
MIGRATIONS = ROOT / "migrations"
GEODATA = ROOT / "geodata"
INSTANCE = ROOT / "instance"


def sync_file(path: Path) -> None:
    """Flush a written file to disk, then its folder's entry (its name) too."""
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a new or renamed file's name) to disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path: Path, data: bytes) -> None:
    """Write a new file ``path`` and have it on disk (contents and name) before returning."""
    with path.open("xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    sync_folder(path.parent)
