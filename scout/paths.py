"""Where the project's files are, for every module that needs them (nothing imports the factory)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
TEMPLATES = ROOT / "templates"
TRANSLATIONS = ROOT / "translations"
MIGRATIONS = ROOT / "migrations"
GEODATA = ROOT / "geodata"
INSTANCE = ROOT / "instance"
