"""The durable mail outbox: every message is a row before it is a mail.

A message is queued in the same transaction as what causes it (a subscription, a
publication), so a crash never loses one. :func:`deliver` takes one due row at a time with
``FOR UPDATE SKIP LOCKED``, hands it to the SMTP server and marks it sent in that same
transaction: two senders (the app after publishing, ``flask bulletin send`` from cron) never
take the same row, and a row marked sent is never sent again. If the process dies between
the server's acceptance and the commit, the row is sent again later with the same
``Message-ID``, which mail systems use to drop the duplicate. An SMTP outage only postpones
the due rows, with a backoff that doubles up to ``MAIL_RETRY_MAX_S``; after
``MAIL_MAX_ATTEMPTS`` a row is marked failed, and the coordinator sees all of it.

Unlike the other services, :func:`deliver` commits: each message is its own transaction.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import case, func, select, update
from sqlalchemy.dialects.postgresql import insert

from scout.extensions import db
from scout.models import (
    Bulletin,
    MailOutbox,
    OutboxKind,
    OutboxStatus,
    Subscriber,
    SubscriberList,
    SubscriberStatus,
    utcnow,
)

logger = logging.getLogger(__name__)


def sending_enabled() -> bool:
    return bool(current_app.config.get("SMTP_URL"))


def base_url(request_root: str | None) -> str:
    """Where the links of a queued message will point."""
    configured = current_app.config.get("PUBLIC_URL")
    return (configured or request_root or "http://localhost/").rstrip("/") + "/"


def _message_id(base: str) -> str:
    return make_msgid(domain=urlsplit(base).hostname or "localhost")


def enqueue(
    kind: OutboxKind, subscriber: Subscriber, bulletin: Bulletin | None, base: str
) -> MailOutbox | None:
    """Queue one message (a confirmation is queued only if none is waiting already)."""
    if kind == OutboxKind.CONFIRM:
        waiting = db.session.scalar(
            select(MailOutbox).where(
                MailOutbox.subscriber_id == subscriber.id,
                MailOutbox.kind == OutboxKind.CONFIRM,
                MailOutbox.status == OutboxStatus.PENDING,
            )
        )
        if waiting is not None:
            waiting.next_attempt_at = utcnow()
            return waiting
    row = MailOutbox(
        kind=kind,
        subscriber_id=subscriber.id,
        bulletin_id=bulletin.id if bulletin else None,
        message_id=_message_id(base),
        base_url=base,
        next_attempt_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    return row


def enqueue_bulletin(bulletin: Bulletin, audiences: set[SubscriberList], base: str) -> int:
    """One message per confirmed subscriber of ``audiences``; never two for the same
    subscriber and bulletin (the unique constraint, ON CONFLICT DO NOTHING)."""
    subscribers = db.session.scalars(
        select(Subscriber.id).where(
            Subscriber.status == SubscriberStatus.CONFIRMED,
            Subscriber.audience.in_(sorted(audiences)),
        )
    ).all()
    if not subscribers:
        return 0
    now = utcnow()
    rows = [
        {
            "kind": OutboxKind.BULLETIN,
            "subscriber_id": sid,
            "bulletin_id": bulletin.id,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "message_id": _message_id(base),
            "base_url": base,
        }
        for sid in subscribers
    ]
    stmt = (
        insert(MailOutbox)
        .values(rows)
        .on_conflict_do_nothing(constraint="uq_mail_outbox_bulletin_subscriber")
    )
    result = db.session.execute(stmt.returning(MailOutbox.id))
    return len(result.all())


# --- delivery -----------------------------------------------------------------------------


@dataclass(slots=True)
class DeliveryReport:
    off: bool = False  # SMTP_URL is not set
    sent: int = 0
    postponed: int = 0
    failed: int = 0
    error: str | None = None  # the last SMTP or connection error, for the operator
    seen: set[int] = field(default_factory=set)

    def summary(self) -> str:
        if self.off:
            return "sending is off (SCOUT_SMTP_URL is not set)"
        text = f"{self.sent} sent, {self.postponed} postponed, {self.failed} failed"
        return text + (f" (last error: {self.error})" if self.error else "")


def _connect(url: str) -> smtplib.SMTP:
    parts = urlsplit(url)
    timeout = current_app.config["MAIL_TIMEOUT_S"]
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        conn: smtplib.SMTP = smtplib.SMTP_SSL(
            host, parts.port or 465, timeout=timeout, context=ssl.create_default_context()
        )
    elif parts.scheme in ("smtp", "smtp+starttls"):
        conn = smtplib.SMTP(
            host, parts.port or (587 if "starttls" in parts.scheme else 25), timeout=timeout
        )
        if parts.scheme == "smtp+starttls":
            conn.starttls(context=ssl.create_default_context())
    else:
        raise ValueError(f"unknown SMTP URL scheme {parts.scheme!r}")
    if parts.username:
        conn.login(unquote(parts.username), unquote(parts.password or ""))
    return conn


def _backoff(attempts: int) -> timedelta:
    cfg = current_app.config
    return timedelta(
        seconds=min(cfg["MAIL_RETRY_BASE_S"] * 2 ** max(attempts - 1, 0), cfg["MAIL_RETRY_MAX_S"])
    )


def _claim(now: datetime, seen: set[int], ids: set[int] | None) -> MailOutbox | None:
    query = (
        select(MailOutbox)
        .where(MailOutbox.status == OutboxStatus.PENDING, MailOutbox.next_attempt_at <= now)
        .order_by(MailOutbox.next_attempt_at, MailOutbox.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if seen:
        query = query.where(MailOutbox.id.not_in(seen))
    if ids is not None:
        query = query.where(MailOutbox.id.in_(ids))
    return db.session.scalar(query)


def _postpone(row: MailOutbox, error: str, now: datetime) -> bool:
    """Count a failed try; True if the row is now failed for good."""
    row.attempts += 1
    row.last_error = error[:500]
    if row.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        row.status = OutboxStatus.FAILED
        return True
    row.next_attempt_at = now + _backoff(row.attempts)
    return False


def _postpone_all(now: datetime, error: str, seen: set[int], ids: set[int] | None) -> int:
    """The server is unreachable: every other due row waits as long as the first one."""
    conds = [MailOutbox.status == OutboxStatus.PENDING, MailOutbox.next_attempt_at <= now]
    if seen:
        conds.append(MailOutbox.id.not_in(seen))
    if ids is not None:
        conds.append(MailOutbox.id.in_(ids))
    base = current_app.config["MAIL_RETRY_BASE_S"]
    cap = current_app.config["MAIL_RETRY_MAX_S"]
    delay = func.least(base * func.power(2, MailOutbox.attempts), cap)
    result = db.session.execute(
        update(MailOutbox)
        .where(*conds)
        .values(
            attempts=MailOutbox.attempts + 1,
            last_error=error[:500],
            next_attempt_at=now + func.make_interval(0, 0, 0, 0, 0, 0, delay),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def deliver(
    now: datetime | None = None, limit: int | None = None, ids: set[int] | None = None
) -> DeliveryReport:
    """Send the due messages (at most ``limit``; only ``ids`` if given), one transaction each."""
    from scout.bulletin.mail import build_message

    report = DeliveryReport()
    url = current_app.config.get("SMTP_URL")
    if not url:
        report.off = True
        return report
    now = now or utcnow()
    conn: smtplib.SMTP | None = None
    try:
        while limit is None or len(report.seen) < limit:
            row = _claim(now, report.seen, ids)
            if row is None:
                break
            report.seen.add(row.id)
            try:
                message: EmailMessage = build_message(row)
                if conn is None:
                    conn = _connect(url)
                conn.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as err:
                report.error = _describe(err)
                _postpone(row, report.error, now)
                row.status = OutboxStatus.FAILED  # refused for good: retrying will not help
                report.failed += 1
            except (OSError, smtplib.SMTPException) as err:
                report.error = _describe(err)
                if _postpone(row, report.error, now):
                    report.failed += 1
                else:
                    report.postponed += 1
                conn = _close(conn)
                report.postponed += _postpone_all(now, report.error, report.seen, ids)
                db.session.commit()
                logger.warning("SMTP unavailable, mail postponed: %s", report.error)
                break
            else:
                row.status = OutboxStatus.SENT
                row.sent_at = utcnow()
                row.attempts += 1
                row.last_error = None
                report.sent += 1
            db.session.commit()
    finally:
        _close(conn)
    return report


def _describe(err: BaseException) -> str:
    if isinstance(err, smtplib.SMTPResponseException):
        return f"SMTP {err.smtp_code}: {err.smtp_error.decode(errors='replace')}"
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _msg in err.recipients.values()})
        return "recipient refused (SMTP " + ", ".join(map(str, codes)) + ")"
    return f"{type(err).__name__}: {err}"


def _close(conn: smtplib.SMTP | None) -> None:
    if conn is None:
        return None
    try:
        conn.quit()
    except (OSError, smtplib.SMTPException):
        conn.close()
    return None


# --- what the coordinator sees --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    sent: int
    waiting: int
    failed: int
    next_attempt_at: datetime | None
    max_attempts: int
    last_error: str | None


def delivery_status(bulletin_ids: list[int]) -> dict[int, DeliveryStatus]:
    """Per bulletin: sent, waiting (and when the next try is, after how many), failed."""
    if not bulletin_ids:
        return {}
    rows = db.session.execute(
        select(
            MailOutbox.bulletin_id,
            func.count().filter(MailOutbox.status == OutboxStatus.SENT),
            func.count().filter(MailOutbox.status == OutboxStatus.PENDING),
            func.count().filter(MailOutbox.status == OutboxStatus.FAILED),
            func.min(MailOutbox.next_attempt_at).filter(MailOutbox.status == OutboxStatus.PENDING),
            func.max(MailOutbox.attempts).filter(MailOutbox.status != OutboxStatus.SENT),
            func.max(MailOutbox.last_error).filter(MailOutbox.status != OutboxStatus.SENT),
        )
        .where(MailOutbox.bulletin_id.in_(bulletin_ids))
        .group_by(MailOutbox.bulletin_id)
    ).all()
    return {bid: DeliveryStatus(*rest) for bid, *rest in rows}


def retry_now(bulletin: Bulletin | None = None) -> int:
    """Make waiting and failed messages due now (the coordinator's "retry now")."""
    conds: list[Any] = [MailOutbox.status != OutboxStatus.SENT]
    if bulletin is not None:
        conds.append(MailOutbox.bulletin_id == bulletin.id)
    result = db.session.execute(
        update(MailOutbox)
        .where(*conds)
        .values(
            status=OutboxStatus.PENDING,
            next_attempt_at=utcnow(),
            attempts=case((MailOutbox.status == OutboxStatus.FAILED, 0), else_=MailOutbox.attempts),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return result.rowcount or 0
