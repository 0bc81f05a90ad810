"""Backup and restore: the database (``pg_dump`` custom format) and the uploaded photos, in
one tar archive.

Archive layout::

    scout-backup/manifest.json   when, which server, schema revision, row count per table
    scout-backup/database.dump   pg_dump --format=custom
    scout-backup/uploads/...     the photo files of UPLOAD_FOLDER

``pg_dump`` and ``pg_restore`` are taken from ``/usr/lib/postgresql/<server major>/bin`` (a
client older than the server refuses to dump it), else from ``PG_BIN_DIR`` or the ``PATH``.
Restore goes into the configured database; it refuses one that already holds tables, or an
upload folder that already holds files, unless ``force`` is given (then the schema is
emptied first and the old upload folder is kept aside, renamed). The database part runs in
one transaction: it is restored entirely or not at all.

A backup taken while people work is consistent: one REPEATABLE READ transaction exports its
snapshot (``pg_export_snapshot``), reads the row counts and the photo rows in it, and keeps
it open while ``pg_dump --snapshot`` dumps exactly that state; the archive holds the file of
every photo row of that state (photo files are on disk before their row commits). The
archive is flushed to disk (``fsync``) before it is renamed into place.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from scout.extensions import db
from scout.paths import sync_file

logger = logging.getLogger(__name__)

PREFIX = "scout-backup"
FORMAT_VERSION = 1
# Schemas of extensions and the system: not "data" when deciding if a database is empty.
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "topology", "tiger", "tiger_data")
EXTENSION_TABLES = ("spatial_ref_sys",)


class BackupError(Exception):
    """A backup or restore could not be done; ``str()`` says why, for the operator."""


@dataclass(slots=True)
class BackupReport:
    path: Path
    tables: dict[str, int] = field(default_factory=dict)
    photos: int = 0
    size_bytes: int = 0
    # Photo rows whose file was not in the upload folder (lost before this backup).
    missing_photos: list[str] = field(default_factory=list)

    def line(self) -> str:
        out = (
            f"backup written to {self.path}: {len(self.tables)} tables, "
            f"{sum(self.tables.values())} rows, {self.photos} photo files, "
            f"{self.size_bytes / 1e6:.1f} MB"
        )
        if self.missing_photos:
            out += f"; {len(self.missing_photos)} photo rows have no file: " + ", ".join(
                self.missing_photos[:10]
            )
        return out


@dataclass(slots=True)
class RestoreReport:
    tables: dict[str, int] = field(default_factory=dict)
    photos: int = 0
    moved_aside: Path | None = None
    mismatches: list[str] = field(default_factory=list)

    def line(self) -> str:
        out = (
            f"restored {len(self.tables)} tables, {sum(self.tables.values())} rows, "
            f"{self.photos} photo files"
        )
        if self.moved_aside:
            out += f"; the previous photos are in {self.moved_aside}"
        return out


# --- helpers -----------------------------------------------------------------------------


def _libpq() -> tuple[str, dict[str, str]]:
    """The configured database as a libpq URL without password, and the environment that
    carries the password (so it never shows in the process list)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def pg_tool(name: str) -> str:
    """Path of ``pg_dump``/``pg_restore`` matching the server's major version."""
    version_num = int(db.session.scalar(text("SHOW server_version_num")))
    major = version_num // 10000
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin") / name]
    if current_app.config["PG_BIN_DIR"]:
        candidates.insert(0, Path(current_app.config["PG_BIN_DIR"]) / name)
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found (PostgreSQL {major} client tools are needed)")
    return found


def _run(args: list[str], env: dict[str, str]) -> None:
    # The arguments are the tool's path, fixed options, the configured URL and our own files.
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-10:])
        raise BackupError(f"{Path(args[0]).name} failed (exit {result.returncode}):\n{tail}")


def user_tables() -> list[tuple[str, str]]:
    """``(schema, table)`` of every data table (not the system's or PostGIS's own)."""
    rows = db.session.execute(
        text(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema <> ALL(:system) "
            "AND table_schema NOT LIKE 'pg\\_%' AND table_name <> ALL(:ext) "
            "ORDER BY 1, 2"
        ),
        {"system": list(SYSTEM_SCHEMAS), "ext": list(EXTENSION_TABLES)},
    ).all()
    return [(s, t) for s, t in rows]


def table_counts(conn: Connection | None = None) -> dict[str, int]:
    """Rows per data table, keyed ``schema.table`` (on ``conn``, else the session)."""
    run = conn if conn is not None else db.session
    out = {}
    for schema, table in user_tables():
        # Identifiers come from the catalogue, quoted; nothing user-supplied reaches the SQL.
        query = text(f'SELECT count(*) FROM "{schema}"."{table}"')  # noqa: S608
        out[f"{schema}.{table}"] = int(run.execute(query).scalar_one())
    return out


def _upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


# --- backup ------------------------------------------------------------------------------


def backup(target: Path) -> BackupReport:
    """Write the database and the photos to ``target`` (a tar file), atomically, from one
    snapshot of the database even while others write to it."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    url, env = _libpq()
    pg_dump = pg_tool("pg_dump")
    tables = user_tables()
    server = db.session.scalar(text("SHOW server_version"))
    db.session.rollback()  # end the catalogue reads; the snapshot below is what counts

    uploads = _upload_folder()
    with (
        tempfile.TemporaryDirectory(prefix="scout-backup-", dir=target.parent) as tmp,
        db.engine.connect() as conn,
    ):
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            report = BackupReport(path=target, tables=table_counts(conn))
            revisions, photo_names = [], []
            if any(t == "alembic_version" for _s, t in tables):
                revisions = sorted(conn.scalars(text("SELECT version_num FROM alembic_version")))
            if ("public", "photo") in tables:
                photo_names = sorted(conn.scalars(text("SELECT filename FROM photo")))
            dump = Path(tmp) / "database.dump"
            # The snapshot stays exported while this transaction is open: keep it open.
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    "--file",
                    str(dump),
                    "--dbname",
                    url,
                ],
                env,
            )
        photos = [name for name in photo_names if (uploads / name).is_file()]
        report.missing_photos = [name for name in photo_names if name not in set(photos)]
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "server_version": server,
            "alembic_revisions": revisions,
            "tables": report.tables,
            "photos": photos,
        }
        partial = Path(tmp) / "archive.tar"
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(f"{PREFIX}/manifest.json")
            info.size = len(data)
            info.mtime = int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=f"{PREFIX}/database.dump")
            for name in photos:
                tar.add(uploads / name, arcname=f"{PREFIX}/uploads/{name}")
        sync_file(partial)
        os.replace(partial, target)
        sync_file(target)  # the new name in the target folder
    report.photos = len(photos)
    report.size_bytes = target.stat().st_size
    if report.missing_photos:
        logger.warning("backup: %d photo rows have no file", len(report.missing_photos))
    logger.info("backup written: %d tables, %d photos", len(report.tables), report.photos)
    return report


# --- restore -----------------------------------------------------------------------------


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember(f"{PREFIX}/manifest.json")
        handle = tar.extractfile(member)
        manifest = json.loads(handle.read()) if handle else None
    except (KeyError, ValueError) as exc:
        raise BackupError("not a scout backup (no readable manifest.json)") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise BackupError("not a scout backup of a known format")
    return manifest


def _wipe_schema() -> None:
    """Drop every data schema (with the extensions in it) and recreate ``public``."""
    schemas = db.session.scalars(
        text(
            "SELECT nspname FROM pg_namespace WHERE nspname <> ALL(:system) "
            "AND nspname NOT LIKE 'pg\\_%'"
        ),
        {"system": ["pg_catalog", "information_schema"]},
    ).all()
    for schema in schemas:
        db.session.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    for (name,) in db.session.execute(
        text("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'")
    ).all():
        db.session.execute(text(f'DROP EXTENSION IF EXISTS "{name}" CASCADE'))
    db.session.execute(text("CREATE SCHEMA public"))
    db.session.commit()


def restore(source: Path, force: bool = False) -> RestoreReport:
    """Restore ``source`` (made by :func:`backup`) into the configured database and upload
    folder. Raises :class:`BackupError`, before changing anything, when the database already
    has tables or the folder files (unless ``force``) or the archive is not a backup."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    uploads = _upload_folder()
    if not tarfile.is_tarfile(source):
        raise BackupError(f"{source}: not a tar archive")
    with (
        tarfile.open(source, "r") as tar,
        tempfile.TemporaryDirectory(prefix="scout-restore-") as tmp,
    ):
        manifest = _read_manifest(tar)
        names = set(tar.getnames())
        if f"{PREFIX}/database.dump" not in names:
            raise BackupError("the archive holds no database.dump")
        existing_tables = user_tables()
        existing_files = _files(uploads)
        if not force and existing_tables:
            raise BackupError(
                f"the database already holds {len(existing_tables)} tables; "
                "restore into an empty database, or pass --force to replace its contents"
            )
        if not force and existing_files:
            raise BackupError(
                f"{uploads} already holds {len(existing_files)} files; "
                "empty it, or pass --force to move them aside"
            )
        tar.extractall(tmp, filter="data")
        staged = Path(tmp) / PREFIX

        url, env = _libpq()
        pg_restore = pg_tool("pg_restore")
        if existing_tables:
            _wipe_schema()
        db.session.remove()
        db.engine.dispose()  # no pooled connection may hold locks on what is restored
        _run(
            [
                pg_restore,
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                "--no-privileges",
                "--dbname",
                url,
                str(staged / "database.dump"),
            ],
            env,
        )

        report = RestoreReport(tables=table_counts())
        for name, count in manifest.get("tables", {}).items():
            if report.tables.get(name) != count:
                got = report.tables.get(name)
                report.mismatches.append(f"{name}: {got} rows, expected {count}")
        db.session.rollback()

        photos = staged / "uploads"
        if existing_files:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            report.moved_aside = uploads.with_name(f"{uploads.name}.before-restore-{stamp}")
            uploads.rename(report.moved_aside)
        uploads.mkdir(parents=True, exist_ok=True)
        if photos.is_dir():
            for path in _files(photos):
                dest = uploads / path.relative_to(photos)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(path), dest)
                report.photos += 1
        missing = [p for p in manifest.get("photos", []) if not (uploads / p).is_file()]
        report.mismatches.extend(f"photo missing: {p}" for p in missing)
    logger.info("restore done: %d tables, %d photos", len(report.tables), report.photos)
    return report
