"""Who the bulletin is mailed to: public subscribers (double opt-in), partner organisations
and staff.

Addresses are personal data. They are never shown publicly, never logged, deleted on
unsubscribe and by :func:`forget`. A partner or staff address that unsubscribed is
remembered only as a keyed hash (:class:`~scout.models.MailSuppression`), so the lists are
not refilled with it.

Services ``flush()`` and never ``commit()``; the view commits once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import delete, select

from scout.bulletin.common import LANGUAGES
from scout.bulletin.outbox import enqueue
from scout.extensions import db
from scout.models import (
    MailSuppression,
    Organisation,
    OutboxKind,
    Subscriber,
    SubscriberList,
    SubscriberStatus,
    User,
    utcnow,
)


class InvalidAddress(ValueError):
    """Not an e-mail address we can send to."""


def normalise(address: str) -> str:
    """The address as stored and compared: validated, lower-cased (raises InvalidAddress)."""
    try:
        valid = validate_email((address or "").strip(), check_deliverability=False)
    except EmailNotValidError as err:
        raise InvalidAddress(str(err)) from None
    return valid.normalized.lower()


def address_hash(address: str) -> str:
    key = str(current_app.config["SECRET_KEY"] or "").encode()
    return hmac.new(key, address.lower().encode(), hashlib.sha256).hexdigest()


def _token() -> str:
    return secrets.token_urlsafe(32)


def by_token(token: str) -> Subscriber | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Subscriber).where(Subscriber.token == token))


def subscribe(address: str, language: str, consent_text: str, base_url: str) -> int | None:
    """A public subscription waiting for confirmation; a confirmation mail is queued.

    Answers the same way whatever the address's state, so the form tells nobody who is
    subscribed: an already confirmed address gets nothing; a pending one gets its
    confirmation again (its consent renewed). Returns the queued message's id, if any.
    """
    email = normalise(address)
    language = language if language in LANGUAGES else "it"
    found = db.session.scalar(select(Subscriber).where(Subscriber.email == email))
    if found is not None and found.status == SubscriberStatus.CONFIRMED:
        return None
    if found is None:
        found = Subscriber(email=email, token=_token(), audience=SubscriberList.PUBLIC)
        db.session.add(found)
    found.language = language
    found.status = SubscriberStatus.PENDING
    found.consent_at = utcnow()
    found.consent_text = consent_text
    db.session.flush()
    row = enqueue(OutboxKind.CONFIRM, found, None, base_url)
    return row.id if row else None


def confirm(subscriber: Subscriber) -> None:
    """Double opt-in done: she gets the next bulletins."""
    if subscriber.status != SubscriberStatus.CONFIRMED:
        subscriber.status = SubscriberStatus.CONFIRMED
        subscriber.confirmed_at = utcnow()
    db.session.execute(
        delete(MailSuppression).where(
            MailSuppression.address_hash == address_hash(subscriber.email)
        )
    )
    db.session.flush()


def unsubscribe(subscriber: Subscriber) -> None:
    """Delete the address and every message still queued for it. A partner or staff address
    is remembered as a hash so the lists are not refilled with it."""
    if subscriber.audience != SubscriberList.PUBLIC:
        suppressed = address_hash(subscriber.email)
        if db.session.get(MailSuppression, suppressed) is None:
            db.session.add(MailSuppression(address_hash=suppressed))
    db.session.delete(subscriber)
    db.session.flush()


def forget(address: str) -> int:
    """Erase an address (a data-subject request): its subscription and its queued and sent
    messages. Returns how many subscriptions were deleted (0 or 1)."""
    try:
        email = normalise(address)
    except InvalidAddress:
        email = (address or "").strip().lower()
    found = db.session.scalar(select(Subscriber).where(Subscriber.email == email))
    if found is None:
        return 0
    db.session.delete(found)
    db.session.flush()
    return 1


def _suppressed() -> set[str]:
    return set(db.session.scalars(select(MailSuppression.address_hash)))


def sync_lists() -> dict[SubscriberList, int]:
    """Refresh the partner and staff lists from the partner organisations' and active staff
    users' own addresses (skipping addresses that unsubscribed or subscribed publicly).
    Returns the size of each list."""
    suppressed = _suppressed()
    existing = {s.email: s for s in db.session.scalars(select(Subscriber))}
    wanted: dict[tuple[str, int], str] = {}
    for org_id, email in db.session.execute(
        select(Organisation.id, Organisation.email).where(
            Organisation.is_partner.is_(True), Organisation.email.is_not(None)
        )
    ):
        wanted[("partner", org_id)] = email
    for user_id, email in db.session.execute(
        select(User.id, User.email).where(User.active.is_(True))
    ):
        wanted[("staff", user_id)] = email
    keep: set[int] = set()
    for (kind, ref), raw in wanted.items():
        try:
            email = normalise(raw)
        except InvalidAddress:
            continue
        if address_hash(email) in suppressed:
            continue
        sub = existing.get(email)
        if sub is not None and sub.audience == SubscriberList.PUBLIC:
            continue  # she subscribed herself: keep her own choice of language
        if sub is None:
            sub = Subscriber(email=email, token=_token(), language="it")
            db.session.add(sub)
            existing[email] = sub
        sub.audience = SubscriberList.PARTNER if kind == "partner" else SubscriberList.STAFF
        sub.organisation_id = ref if kind == "partner" else None
        sub.user_id = ref if kind == "staff" else None
        sub.status = SubscriberStatus.CONFIRMED
        sub.confirmed_at = sub.confirmed_at or utcnow()
        db.session.flush()
        keep.add(sub.id)
    for sub in existing.values():  # no longer a partner, or no longer staff
        if sub.audience != SubscriberList.PUBLIC and sub.id not in keep:
            db.session.delete(sub)
    db.session.flush()
    return list_sizes()


def list_sizes() -> dict[SubscriberList, int]:
    """Confirmed recipients per list (what the coordinator sees: counts, never addresses)."""
    from sqlalchemy import func

    rows = db.session.execute(
        select(Subscriber.audience, func.count())
        .where(Subscriber.status == SubscriberStatus.CONFIRMED)
        .group_by(Subscriber.audience)
    ).all()
    sizes = dict.fromkeys(SubscriberList, 0)
    sizes.update({audience: n for audience, n in rows})
    return sizes
