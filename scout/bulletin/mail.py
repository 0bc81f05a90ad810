"""The messages themselves: the confirmation of a subscription and the bulletin, each as plain
text and HTML, in the subscriber's language, with one-click unsubscribe (RFC 8058).

Rendered when sent, from the outbox row (the bulletin from its frozen snapshot), under a
request context for the row's ``base_url`` so every link is absolute.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import urlsplit

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from scout.bulletin.render import render_text, template_helpers
from scout.models import MailOutbox, OutboxKind


def _links(row: MailOutbox) -> dict[str, str]:
    sub = row.subscriber
    links = {
        "unsubscribe": url_for("bulletin.unsubscribe", token=sub.token, _external=True),
        "subscribe": url_for("bulletin.subscribe", _external=True),
        "confirm": url_for("bulletin.confirm", token=sub.token, _external=True),
    }
    if row.bulletin is not None and row.bulletin.number is not None:
        number, lang = row.bulletin.number, sub.language
        links["page"] = url_for("bulletin.show", number=number, lang=lang, _external=True)
        links["pdf"] = url_for("bulletin.pdf", number=number, lang=lang, _external=True)
    return links


def build_message(row: MailOutbox) -> EmailMessage:
    """The MIME message of an outbox row (multipart/alternative: text, then HTML)."""
    sub = row.subscriber
    lang = sub.language
    with current_app.test_request_context(base_url=row.base_url), force_locale(lang):
        links = _links(row)
        direction = "rtl" if lang in current_app.config["RTL_LANGUAGES"] else "ltr"
        if row.kind == OutboxKind.CONFIRM:
            subject = _("Confirm your subscription to the job bulletin")
            context = {"links": links, "lang": lang, "dir": direction}
            text = render_template("bulletin/mail/confirm.txt", **context)
            html = render_template("bulletin/mail/confirm.html", subject=subject, **context)
        else:
            snapshot = row.bulletin.snapshot or {}
            subject = _("Job bulletin no. %(n)s", n=snapshot.get("number"))
            body = Markup(  # noqa: S704 (our own autoescaped template's output)
                render_template(
                    "bulletin/_body.html",
                    s=snapshot,
                    lang=lang,
                    preview=False,
                    **template_helpers(),
                )
            )
            text = (
                render_text(snapshot, url=links["page"])
                + "\n"
                + render_template("bulletin/mail/bulletin.txt", links=links)
            )
            html = render_template(
                "bulletin/mail/bulletin.html",
                subject=subject,
                body=body,
                links=links,
                lang=lang,
                dir=direction,
            )
    host = urlsplit(row.base_url).hostname or "localhost"
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = sub.email
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = row.message_id
    message["List-Id"] = f"<bollettino.{host}>"
    message["List-Unsubscribe"] = f"<{links['unsubscribe']}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Content-Language"] = lang
    if row.kind == OutboxKind.BULLETIN:
        message["Precedence"] = "bulk"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
