"""Rate-limit counters shared by every app process (scout/ratelimit.py is the storage)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from scout.models.base import Base


class RateLimitCounter(Base):
    """One fixed window of one limit: ``key`` (digests, never an address or an e-mail in
    clear), the hits so far and when the window ends."""

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

    def __repr__(self) -> str:
        return f"<RateLimitCounter {self.key} {self.hits}>"
