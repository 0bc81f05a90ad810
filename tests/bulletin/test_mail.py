"""The bulletin by e-mail (issue 17), against a real SMTP server (aiosmtpd) started here:
double opt-in, one mail per subscriber on publish, one-click unsubscribe (RFC 8058), an SMTP
outage that loses nothing and sends nothing twice, partner and staff lists, forgetting."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from scout import bulletin as service
from scout.extensions import db
from scout.models import (
    Bulletin,
    MailOutbox,
    MailSuppression,
    OutboxStatus,
    Subscriber,
    SubscriberStatus,
)
from tests.factories import milan_today

TODAY = milan_today()


@pytest.fixture
def offers(make_place, make_offer, hub, walks):
    near = make_place("Bar Vicino", lon=9.2260, lat=45.4990)
    walks[near.id] = 600
    make_offer(near, "Barista mattina", expires_on=TODAY + timedelta(days=10))


def _subscribe(client, email: str, language: str = "it") -> str:
    page = client.post(
        "/bollettino/iscriviti", data={"email": email, "language": language, "consent": "y"}
    )
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def _html(message) -> str:
    return message.get_body(("html",)).get_content()


def _link(message, kind: str) -> str:
    """The path of the confirm or unsubscribe link in a mail's text part."""
    url = re.search(rf"https?://\S+/bollettino/{kind}/\S+", _text(message))[0]
    return urlsplit(url).path


def _confirm(client, smtp, email: str) -> None:
    (mail,) = [m for m in smtp.inbox.to(email) if "/bollettino/conferma/" in _text(m)]
    path = _link(mail, "conferma")
    page = client.get(path)
    assert "Conferma l'iscrizione" in page.get_data(as_text=True)  # a button, not yet done
    done = client.post(path)
    assert 'id="confirmed"' in done.get_data(as_text=True)


def _publish(login, coordinator, **lists) -> Bulletin:
    client = login(coordinator)
    client.post("/admin/bulletins/new", data={"week": TODAY.isoformat()})
    draft = db.session.scalar(select(Bulletin).order_by(Bulletin.id.desc()))
    answer = client.post(
        f"/admin/bulletins/{draft.id}",
        data={"action": "publish", "keep": [i.id for i in draft.items], **lists},
    )
    assert answer.status_code == 302
    db.session.refresh(draft)
    assert draft.is_published
    return draft


def _bulletin_mails(smtp, email: str | None = None):
    mails = smtp.inbox.messages if email is None else smtp.inbox.to(email)
    return [m for m in mails if m["Subject"].startswith(("Bollettino", "Job bulletin"))]


def test_subscribe_confirm_publish_one_mail_each_with_working_unsubscribe(
    app, client, login, coordinator, smtp, offers, nocsrf, monkeypatch
):
    assert "Quasi fatto: controlla la tua casella di posta." in _subscribe(
        client, "Anna@Example.org", "en"
    )
    _subscribe(client, "bruna@example.org", "it")
    _subscribe(client, "never.confirms@example.org", "it")

    # The confirmation mails, in the chosen language, with a one-click unsubscribe.
    (anna_confirm,) = smtp.inbox.to("anna@example.org")
    assert anna_confirm["Subject"] == "Confirm your subscription to the job bulletin"
    assert anna_confirm["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert smtp.inbox.to("bruna@example.org")[0]["Subject"].startswith("Conferma")
    _confirm(client, smtp, "anna@example.org")
    _confirm(client, smtp, "bruna@example.org")
    anna = db.session.scalar(select(Subscriber).where(Subscriber.email == "anna@example.org"))
    assert anna.status == SubscriberStatus.CONFIRMED
    assert anna.consent_at is not None
    assert anna.consent_text.startswith("I agree that the programme keeps my e-mail address")

    bulletin = _publish(login, coordinator)

    # Exactly one bulletin mail per confirmed subscriber, none for the unconfirmed one.
    assert len(_bulletin_mails(smtp, "anna@example.org")) == 1
    assert len(_bulletin_mails(smtp, "bruna@example.org")) == 1
    assert _bulletin_mails(smtp, "never.confirms@example.org") == []
    (mail,) = _bulletin_mails(smtp, "anna@example.org")
    assert mail["Subject"] == f"Job bulletin no. {bulletin.number}"
    assert mail.get_content_type() == "multipart/alternative"
    assert "Barista mattina" in _text(mail)
    assert "Barista mattina" in _html(mail)
    pdf = f"/bollettino/{bulletin.number}.pdf?lang=en"
    assert pdf in _text(mail)
    assert pdf.replace("?", "?") in _html(mail)
    assert client.get(pdf).mimetype == "application/pdf"
    unsubscribe = re.fullmatch(r"<(.+)>", mail["List-Unsubscribe"])[1]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert urlsplit(unsubscribe).path == _link(mail, "disiscriviti")

    # Running the sender again sends nothing more.
    result = app.test_cli_runner().invoke(args=["bulletin", "send"])
    assert result.exit_code == 0, result.output
    assert "0 sent" in result.output
    assert len(_bulletin_mails(smtp)) == 2

    # One-click unsubscribe as a mail client does it: a POST, no session, no CSRF token.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    stranger = app.test_client()
    assert stranger.post(urlsplit(unsubscribe).path, data={}).status_code == 400  # no body
    assert db.session.scalar(select(Subscriber).where(Subscriber.email == "anna@example.org"))
    one_click = stranger.post(urlsplit(unsubscribe).path, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 204
    assert (
        db.session.scalar(select(Subscriber).where(Subscriber.email == "anna@example.org")) is None
    )
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)

    _publish(login, coordinator)
    assert len(_bulletin_mails(smtp, "anna@example.org")) == 1  # nothing new for her
    assert len(_bulletin_mails(smtp, "bruna@example.org")) == 2


def test_smtp_down_during_publish_loses_nothing_and_sends_once_when_back(
    app, client, login, coordinator, smtp, offers, nocsrf
):
    for email in ("carla@example.org", "dina@example.org"):
        _subscribe(client, email)
        _confirm(client, smtp, email)
    smtp.stop()

    bulletin = _publish(login, coordinator)

    rows = db.session.scalars(select(MailOutbox).where(MailOutbox.bulletin_id == bulletin.id)).all()
    assert len(rows) == 2
    assert {r.status for r in rows} == {OutboxStatus.PENDING}
    assert all(r.attempts == 1 and r.last_error for r in rows)
    assert all(r.next_attempt_at > r.created_at for r in rows)  # backoff
    page = login(coordinator).get("/admin/bulletins").get_data(as_text=True)
    assert "2 in attesa" in page
    assert "Ultimo errore" in page

    # Back up: the next run before the retry time sends nothing; "retry now" sends each once.
    smtp.start()
    result = app.test_cli_runner().invoke(args=["bulletin", "send"])
    assert "0 sent" in result.output
    assert _bulletin_mails(smtp) == []
    login(coordinator).post(f"/admin/bulletins/{bulletin.id}/retry-mail")
    assert len(_bulletin_mails(smtp, "carla@example.org")) == 1
    assert len(_bulletin_mails(smtp, "dina@example.org")) == 1
    app.test_cli_runner().invoke(args=["bulletin", "send"])
    service.retry_now(bulletin)
    service.deliver()
    assert len(_bulletin_mails(smtp)) == 2
    page = login(coordinator).get("/admin/bulletins").get_data(as_text=True)
    assert "2 inviati" in page


def test_backoff_doubles_and_a_late_run_sends_what_is_due(app, client, smtp, nocsrf):
    smtp.stop()
    _subscribe(client, "elena@example.org")
    (row,) = db.session.scalars(select(MailOutbox)).all()
    first = row.next_attempt_at
    assert row.attempts == 1
    service.deliver(now=first)
    db.session.refresh(row)
    assert row.attempts == 2
    assert row.next_attempt_at - first == timedelta(seconds=2 * app.config["MAIL_RETRY_BASE_S"])
    smtp.start()
    report = service.deliver(now=row.next_attempt_at)
    assert report.sent == 1
    assert len(smtp.inbox.to("elena@example.org")) == 1


def test_unsubscribed_address_gets_nothing_and_is_deleted(
    client, login, coordinator, smtp, offers, nocsrf
):
    _subscribe(client, "franca@example.org")
    _confirm(client, smtp, "franca@example.org")
    (confirmation,) = smtp.inbox.to("franca@example.org")
    path = _link(confirmation, "disiscriviti")
    assert 'id="unsubscribe-submit"' in client.get(path).get_data(as_text=True)
    done = client.post(path).get_data(as_text=True)
    assert 'id="unsubscribed"' in done

    _publish(login, coordinator)
    assert _bulletin_mails(smtp, "franca@example.org") == []
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
    assert db.session.scalar(select(func.count()).select_from(MailOutbox)) == 0


def test_the_form_tells_nobody_who_is_subscribed(client, smtp, nocsrf):
    _subscribe(client, "gina@example.org")
    _confirm(client, smtp, "gina@example.org")
    again = _subscribe(client, "gina@example.org")
    assert "Quasi fatto" in again
    assert len(smtp.inbox.to("gina@example.org")) == 1  # no second mail to a subscriber


def test_bad_input_is_explained_next_to_the_field(client, smtp, nocsrf):
    page = client.post("/bollettino/iscriviti", data={"email": "not an address", "language": "it"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="email-error"' in html
    assert "Inserisci un indirizzo e-mail valido." in html
    assert 'id="consent-error"' in html
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
    assert smtp.inbox.messages == []


def test_partners_and_staff_are_recipient_lists_and_may_leave_them(
    app, login, coordinator, smtp, offers, make_org, nocsrf
):
    make_org("Parrocchia San Luca", email="sanluca@example.org", is_partner=True)
    make_org("Non partner", email="other@example.org", is_partner=False)

    _publish(login, coordinator, send_partners="1", send_staff="1")
    assert len(_bulletin_mails(smtp, "sanluca@example.org")) == 1
    assert len(_bulletin_mails(smtp, coordinator.email)) == 1
    assert _bulletin_mails(smtp, "other@example.org") == []

    (mail,) = _bulletin_mails(smtp, "sanluca@example.org")
    app.test_client().post(
        urlsplit(re.fullmatch(r"<(.+)>", mail["List-Unsubscribe"])[1]).path,
        data={"List-Unsubscribe": "One-Click"},
    )
    assert db.session.scalar(select(func.count()).select_from(MailSuppression)) == 1
    _publish(login, coordinator, send_partners="1")
    assert len(_bulletin_mails(smtp, "sanluca@example.org")) == 1  # not put back on the list
    assert len(_bulletin_mails(smtp, coordinator.email)) == 1  # staff not ticked this time


def test_sending_off_without_smtp_url(app, client, login, coordinator, offers, nocsrf):
    assert not app.config["SMTP_URL"]
    page = client.get("/bollettino/iscriviti").get_data(as_text=True)
    assert 'id="subscribe-off"' in page
    assert 'id="subscribe-form"' not in page
    _subscribe(client, "hilde@example.org")
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
    admin = login(coordinator).get("/admin/bulletins").get_data(as_text=True)
    assert 'id="sending-off"' in admin
    _publish(login, coordinator)
    assert db.session.scalar(select(func.count()).select_from(MailOutbox)) == 0
    result = app.test_cli_runner().invoke(args=["bulletin", "send"])
    assert result.exit_code != 0
    assert "SCOUT_SMTP_URL" in result.output


def test_forget_erases_the_address_and_its_messages(app, client, smtp, nocsrf):
    _subscribe(client, "ivana@example.org")
    result = app.test_cli_runner().invoke(args=["bulletin", "forget", "IVANA@example.org"])
    assert "address erased" in result.output
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
    assert db.session.scalar(select(func.count()).select_from(MailOutbox)) == 0


def test_addresses_are_never_public(client, login, coordinator, smtp, offers, nocsrf):
    _subscribe(client, "lucia.private@example.org")
    _confirm(client, smtp, "lucia.private@example.org")
    bulletin = _publish(login, coordinator)
    for path in (
        "/bollettino/",
        f"/bollettino/{bulletin.number}",
        f"/bollettino/{bulletin.number}.txt",
        "/bollettino/feed.atom",
        "/bollettino/iscriviti",
        "/admin/bulletins",
    ):
        assert "lucia.private" not in login(coordinator).get(path).get_data(as_text=True)
