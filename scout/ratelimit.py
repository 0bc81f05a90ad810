"""Rate-limit storage in PostgreSQL, so that every worker and machine counts together.

`limits <https://limits.readthedocs.io>`_ (under Flask-Limiter) ships storages for memory,
Redis, Memcached and MongoDB; this adds one for the database the app already has, registered
for ``postgresql://`` and ``postgresql+psycopg://`` URIs: ``RATELIMIT_STORAGE_URI`` defaults
to the app's own database, so ``make run`` needs no other server. Set it to ``redis://...``
(with the ``redis`` package installed) to count in Redis instead.

Fixed windows only (Flask-Limiter's default strategy): one row per key and window, counted
with one atomic ``INSERT ... ON CONFLICT DO UPDATE``, on its own small connection pool and
committed at once (a limit must hold even when the request's own transaction rolls back).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from limits.storage import Storage
from sqlalchemy import Engine, case, create_engine, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import SQLAlchemyError

from scout.models import RateLimitCounter

TABLE = RateLimitCounter.__table__
SWEEP = 100  # expired windows removed per counted hit, so that the table stays small


class DatabaseStorage(Storage):
    STORAGE_SCHEME = ["postgresql", "postgresql+psycopg"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        url = uri or ""
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        self.url = url
        self.options = {"pool_size": 2, "max_overflow": 2, **options}
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(
                self.url, pool_pre_ping=True, hide_parameters=True, **self.options
            )
        return self._engine

    def close(self) -> None:
        """Close the pool's connections (tests, or a process about to exit)."""
        if self._engine is not None:
            self._engine.dispose()

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = func.now()
        ends = now + timedelta(seconds=expiry)
        stmt = insert(TABLE).values(key=key, hits=amount, expires_at=ends)
        expired = TABLE.c.expires_at <= now
        stmt = stmt.on_conflict_do_update(
            index_elements=[TABLE.c.key],
            set_={
                "hits": case((expired, stmt.excluded.hits), else_=TABLE.c.hits + amount),
                "expires_at": case((expired, stmt.excluded.expires_at), else_=TABLE.c.expires_at),
            },
        ).returning(TABLE.c.hits)
        stale = select(TABLE.c.key).where(TABLE.c.expires_at < now).limit(SWEEP)
        with self.engine.begin() as conn:
            hits = conn.execute(stmt).scalar_one()
            conn.execute(delete(TABLE).where(TABLE.c.key.in_(stale)))
        return int(hits)

    def get(self, key: str) -> int:
        query = select(TABLE.c.hits).where(TABLE.c.key == key, TABLE.c.expires_at > func.now())
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def get_expiry(self, key: str) -> float:
        query = select(TABLE.c.expires_at).where(TABLE.c.key == key)
        with self.engine.connect() as conn:
            ends: datetime | None = conn.execute(query).scalar()
        return ends.timestamp() if ends and ends > datetime.now(UTC) else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as conn:
            return conn.execute(delete(TABLE)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(TABLE).where(TABLE.c.key == key))
