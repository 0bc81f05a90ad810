"""Command-line interface: ``flask --app scout geo ...``, ``users ...``, ``demo ...``,
``bulletin ...``."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from scout import clock, coverage
from scout.auth import create_user, issue_token, revoke_tokens
from scout.backup import BackupError, backup, restore
from scout.capture.imports import ImportFormatError, format_of, import_places
from scout.demo import DEMO_USERS, load_demo
from scout.errors import ImportFailed
from scout.extensions import db
from scout.geodata import load_all
from scout.models import Role, User
from scout.paths import ROOT
from scout.walking import overpass
from scout.walking.osm_import import current_network, import_osm, network_summary

geo = AppGroup("geo", help="Reference geodata and the walking network.")
users = AppGroup("users", help="Staff users and API tokens.")
demo = AppGroup("demo", help="Example data for trying the app.")
bulletin = AppGroup("bulletin", help="The weekly bulletin's e-mail outbox and subscribers.")
coverage_cli = AppGroup("coverage", help="Freshness of the records: expired offers.")
people = AppGroup("people", help="The people the programme serves: retention and keys.")


@people.command("purge")
@click.option("--months", type=int, default=None, help="Default: PEOPLE_RETENTION_MONTHS.")
@with_appcontext
def people_purge(months: int | None) -> None:
    """Anonymise the records closed more than the retention period ago (run it daily)."""
    from datetime import UTC, datetime

    from scout.people import retention

    months = months if months is not None else current_app.config["PEOPLE_RETENTION_MONTHS"]
    count = retention.purge(db.session, datetime.now(UTC), months)
    db.session.commit()
    click.echo(f"{count} record(s) anonymised (closed more than {months} months ago).")


@people.command("rotate-key")
@with_appcontext
def people_rotate_key() -> None:
    """Re-encrypt every stored home with the first key of SCOUT_PEOPLE_KEY."""
    from scout.models import Person
    from scout.people import crypto

    count = 0
    for person in db.session.scalars(select(Person).where(Person.home_encrypted.is_not(None))):
        person.home_encrypted = crypto.rotate(person.home_encrypted)
        count += 1
    db.session.commit()
    click.echo(f"{count} home(s) re-encrypted with the first key.")


@people.command("new-key")
def people_new_key() -> None:
    """Print a fresh key (for instance/people_key or a rotation)."""
    from scout.people import crypto

    click.echo(crypto.new_key())


report_group = AppGroup("report", help="The funder's figures report.")


@report_group.command("figures")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "pdf"]), default="json")
@click.option("--hub", type=int, help="Only this hub (its place id).")
@click.option("--municipio", type=click.IntRange(1, 9), help="Only this municipio.")
@click.option("--lang", type=click.Choice(["it", "en"]), default="it", help="PDF and labels.")
@click.option("--internal", is_flag=True, help="Do not hide counts under 3 (not for publishing).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: standard output; a PDF needs a file).",
)
def report_figures(
    date_from: Any,
    date_to: Any,
    fmt: str,
    hub: int | None,
    municipio: int | None,
    lang: str,
    internal: bool,
    output: Path | None,
) -> None:
    """The figures for a period (both days included) as JSON, CSV or PDF."""
    import json

    from scout import report as figures
    from scout.errors import ScoutError

    try:
        scope = figures.make_scope(date_from.date(), date_to.date(), hub, municipio)
    except ScoutError as exc:
        raise click.BadParameter(exc.message) from None
    if fmt == "pdf" and output is None:
        raise click.UsageError("a PDF needs --output FILE")
    with force_locale(lang):
        if fmt == "pdf":
            body: str | bytes = figures.to_pdf(
                lambda: figures.compute(db.session, scope), lang, internal
            )
        else:
            built = figures.compute(db.session, scope)
            body = (
                json.dumps(figures.to_json(built, internal), ensure_ascii=False, indent=1)
                if fmt == "json"
                else figures.to_csv(built, internal=internal)
            )
    if output is None:
        click.echo(body)
    elif isinstance(body, bytes):
        output.write_bytes(body)
    else:
        output.write_text(body, encoding="utf-8")


@bulletin.command("send")
@click.option("--limit", type=int, default=None, help="Send at most this many messages.")
def bulletin_send(limit: int | None) -> None:
    """Send the due messages of the outbox (safe to run often, e.g. every minute from cron;
    two runs at once never send the same message)."""
    from scout import bulletin as service

    report = service.deliver(limit=limit)
    click.echo(report.summary())
    if report.off:
        raise click.ClickException("set SCOUT_SMTP_URL to send e-mail")


@bulletin.command("forget")
@click.argument("address")
def bulletin_forget(address: str) -> None:
    """Erase a subscriber's address and every message queued or sent to it."""
    from scout import bulletin as service

    n = service.forget(address)
    db.session.commit()
    click.echo("address erased" if n else "no subscriber with that address")


@geo.command("load")
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path),
    default=ROOT / "geodata",
    show_default=True,
    help="Folder holding the geodata files.",
)
def geo_load(folder: Path) -> None:
    """Load municipi, NIL, schools and the OSM places to visit (safe to re-run)."""
    try:
        report = load_all(db.session, folder, current_app.config["SERVICE_MUNICIPI"])
        db.session.commit()
    except ImportFailed as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    click.echo(report.line())


@geo.command("import-places")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dataset", help="Name of the dataset (default: the file name without suffix).")
def geo_import_places(file: Path, dataset: str | None) -> None:
    """Import places from a CSV or GeoJSON file: all rows or none.

    Every row is checked first; if any is bad, each problem is listed and nothing is
    written. Importing the same dataset again updates its places instead of adding them.
    """
    fmt = format_of(file.name)
    dataset = dataset or file.stem
    with force_locale("en"):
        if not fmt:
            raise click.ClickException("use a .csv or .geojson file")
        try:
            report = import_places(db.session, file.read_bytes(), fmt, dataset)
        except ImportFormatError as exc:
            db.session.rollback()
            raise click.ClickException(f"{file}: {exc.args[0]}") from None
        if not report.ok:
            db.session.rollback()
            for error in report.errors:
                click.echo(f"{report.unit} {error}", err=True)
            raise click.ClickException(report.line())
        db.session.commit()
        click.echo(report.line())


@geo.command("import-osm")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def geo_import_osm(file: Path) -> None:
    """Import the walking network and addresses from an OSM extract (.osm.pbf, .osm, .osm.bz2),
    replacing the current one in one transaction."""
    try:
        report = import_osm(db.session, file, progress=click.echo)
        db.session.commit()
    except ImportFailed as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    click.echo(report.line())


@geo.command("fetch-osm")
@click.option("--url", default=None, help="Overpass API endpoint.")
def geo_fetch_osm(url: str | None) -> None:
    """Download the service area's streets and addresses from Overpass, then import them."""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            click.echo(
                f"downloading from {url or overpass.OVERPASS_URL} (this takes a minute or two)"
            )
            path = overpass.fetch_overpass(
                db.session, Path(tmp) / "overpass.osm", url=url or overpass.OVERPASS_URL
            )
            report = import_osm(db.session, path, source="Overpass API", progress=click.echo)
            db.session.commit()
        except ImportFailed as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from None
    click.echo(report.line())


@geo.command("network-info")
def geo_network_info() -> None:
    """Print the imported walking network's figures (or say that there is none)."""
    info = network_summary(db.session)
    if info is None:
        click.echo("no walking network imported: walking times are estimates (geo import-osm)")
        return
    date = info["osm_date"].date().isoformat() if info["osm_date"] else "unknown"
    click.echo(
        f"walking network {info['id']} from {info['source']}: {info['nodes']} nodes, "
        f"{info['edges']} edges ({info['steps']} steps, {info['total_km']} km), "
        f"covering {info['area_km2']} km² bbox {info['bbox']}, {info['addresses']} addresses, "
        f"OSM data of {date}, imported {info['imported_at']:%Y-%m-%d %H:%M} UTC "
        f"in {info['import_seconds']} s"
    )


@geo.command("ensure-network")
def geo_ensure_network() -> None:
    """For `make run`: fetch the network when none is imported and the machine is online;
    otherwise say that times are estimates and how to import one. Never fails."""
    if current_network(db.session) is not None:
        geo_network_info.callback()  # type: ignore[misc]
        return
    if not overpass.is_online():
        click.echo(
            "offline and no walking network imported: walking times are estimates. Import one "
            "with `flask --app scout geo fetch-osm` (online) or `geo import-osm FILE`."
        )
        return
    try:
        geo_fetch_osm.callback(url=None)  # type: ignore[misc]
    except click.ClickException as exc:
        click.echo(f"{exc.message}; walking times are estimates for now.")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="")
@click.password_option(help="Prompted for when not given.")
def users_create(email: str, role: str, name: str, password: str) -> None:
    """Create a staff user."""
    if db.session.scalar(select(User).where(User.email == email.strip().lower())):
        raise click.ClickException(f"a user with e-mail {email} already exists")
    if len(password) < 10:
        raise click.ClickException("the password must have at least 10 characters")
    user = create_user(email, password, Role(role), name=name)
    db.session.commit()
    click.echo(f"created {user.role.value} {user.email}")


@users.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="A label to recognise the token by.")
def users_token(email: str, name: str) -> None:
    """Print a new API token for EMAIL (shown once; only its hash is kept)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    token = issue_token(user, name)
    db.session.commit()
    click.echo(token)


@users.command("revoke-token")
@click.argument("email")
@click.option("--all", "revoke_all", is_flag=True, help="Revoke every token of the user.")
@click.option("--token-id", type=int, help="Revoke only this token (its number on the user page).")
def users_revoke_token(email: str, revoke_all: bool, token_id: int | None) -> None:
    """Revoke API tokens of EMAIL: one (--token-id N) or all (--all). Safe to re-run."""
    if revoke_all == (token_id is not None):
        raise click.UsageError("give exactly one of --all or --token-id N")
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    if token_id is not None and not any(t.id == token_id for t in user.tokens):
        raise click.ClickException(f"{user.email} has no token {token_id}")
    count = revoke_tokens(user, token_id=token_id)
    db.session.commit()
    click.echo(f"revoked {count} token(s) of {user.email}")


@demo.command("load")
def demo_load() -> None:
    """Add the example organisations, offers, courses and demo users (safe to re-run)."""
    added = load_demo(db.session)
    db.session.commit()
    click.echo(f"demo data: {added} example organisations added")
    for email, password, role, _name in DEMO_USERS:
        click.echo(f"  {role.value:<12} {email}  password: {password}")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write the database (pg_dump) and the uploaded photos to FILE, one tar archive."""
    try:
        report = backup(file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(report.line())


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Replace a database that already has tables (and move existing photos aside).",
)
@with_appcontext
def restore_command(file: Path, force: bool) -> None:
    """Restore a backup made by `backup` into the configured database and upload folder."""
    try:
        report = restore(file, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    for problem in report.mismatches:
        click.echo(f"warning: {problem}", err=True)
    click.echo(report.line())
    if report.mismatches:
        raise click.ClickException("the restored data differs from the backup's manifest")


@coverage_cli.command("close-expired")
@with_appcontext
def close_expired_command() -> None:
    """Mark closed the open offers past their expiry date (readers already leave them out)."""
    closed = coverage.close_expired(clock.today())
    db.session.commit()
    click.echo(f"closed {closed} expired offer(s)")


def register(app: Flask) -> None:
    for group in (geo, users, demo, bulletin, coverage_cli, people, report_group):
        app.cli.add_command(group)
    for command in (backup_command, restore_command):
        app.cli.add_command(command)
