"""The private PostgreSQL clusters of ``scripts/pg.sh``, started from a copy of the script in a
checkout of their own, on a free port: ``make run``'s keeps fsync on and answers only with its
generated password; only the tests' cluster trades durability for speed; ``make run`` and
``make load`` take their ports from the environment."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from scout.paths import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Checkout:
    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port

    def pg(self, *args: str, cluster: str = "run") -> str:
        env = {**os.environ, "SCOUT_PG_PORT": str(self.port), "SCOUT_PG_CLUSTER": cluster}
        result = subprocess.run(
            ["sh", str(self.root / "scripts" / "pg.sh"), *args],  # noqa: S607
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()


@pytest.fixture
def checkout(tmp_path: Path) -> Iterator[Checkout]:
    root = tmp_path / "scout"
    (root / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "pg.sh", root / "scripts" / "pg.sh")
    co = Checkout(root, _free_port())
    yield co
    for cluster, name in (("run", "postgres"), ("test", "postgres-test")):
        co.pg("stop", cluster=cluster)
        place = root / "instance" / name
        if place.is_symlink():
            shutil.rmtree(place.resolve(), ignore_errors=True)


def _setting(url: str, name: str) -> str:
    with psycopg.connect(url, connect_timeout=10) as conn:
        return conn.execute(f"SHOW {name}").fetchone()[0]


def test_make_runs_cluster_is_durable_and_answers_only_with_its_password(checkout):
    checkout.pg("start")
    url = checkout.pg("url", "postgres")

    assert _setting(url, "fsync") == "on"
    assert _setting(url, "synchronous_commit") == "on"
    assert _setting(url, "full_page_writes") == "on"
    # Another local user (or program) without the password is refused.
    for guess in (
        f"postgresql://postgres@127.0.0.1:{checkout.port}/postgres",
        f"postgresql://postgres:postgres@127.0.0.1:{checkout.port}/postgres",
    ):
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(guess, connect_timeout=10)
    secret = checkout.root / "instance" / "postgres-password"
    assert secret.read_text().strip() in url
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    sockets = (checkout.root / "instance" / "postgres").resolve() / "run"
    assert stat.S_IMODE(sockets.stat().st_mode) == 0o700

    # Started again (every `make run` does), it keeps the same password and settings.
    checkout.pg("start")
    assert checkout.pg("url", "postgres") == url
    assert _setting(url, "fsync") == "on"


def test_only_the_test_cluster_runs_without_fsync_and_it_has_no_tcp_port(checkout):
    checkout.pg("start", cluster="test")
    url = checkout.pg("url", "postgres", cluster="test")

    assert _setting(url, "fsync") == "off"
    assert _setting(url, "listen_addresses") == ""
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{checkout.port}/postgres", connect_timeout=5
        )
    sockets = (checkout.root / "instance" / "postgres-test").resolve() / "run"
    assert stat.S_IMODE(sockets.stat().st_mode) == 0o700


def test_make_run_and_make_load_ports_come_from_the_environment():
    env = {**os.environ, "SCOUT_PORT": "8123", "SCOUT_HOST": "0.0.0.0"}  # noqa: S104
    dry = subprocess.run(
        ["make", "-n", "-s", "-C", str(ROOT), "run"],  # noqa: S607
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "flask run --host 0.0.0.0 --port 8123" in dry.stdout
    assert "http://0.0.0.0:8123" in dry.stdout

    env = {**os.environ, "SCOUT_LOAD_PORT": "8124", "SCOUT_LOAD_PG_PORT": "54400"}
    ports = subprocess.run(
        [sys.executable, "-c", "import bench.load as b; print(b.APP_PORT, b.PG_PORT)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert ports.stdout.split() == ["8124", "54400"]


def test_the_generated_secret_key_is_readable_by_its_owner_only(checkout):
    """``make`` writes instance/secret_key on first use: it signs every session, so no other
    user of the hub's laptop may read it (and an older, world-readable copy is tightened)."""
    shutil.copy(ROOT / "Makefile", checkout.root / "Makefile")
    env = {k: v for k, v in os.environ.items() if k != "SCOUT_SECRET_KEY"}
    env["SCOUT_PG_PORT"] = str(checkout.port)
    key = checkout.root / "instance" / "secret_key"
    for _ in range(2):
        subprocess.run(
            # Any recipe run by make gets the key in its environment: one that does nothing.
            ["make", "-s", "-C", str(checkout.root), "--eval", "noop: ; @true", "noop"],  # noqa: S607
            env=env,
            capture_output=True,
            check=True,
        )
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert len(key.read_text().strip()) == 64
        key.chmod(0o644)  # a copy made before this change
