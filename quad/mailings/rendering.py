"""A mailing as email: rendered once per mailing, then one message per recipient.

The body is the committee's Markdown, sanitised with nh3 for the HTML part and sent as written for
the text part. Only the unsubscribe link differs between recipients, so it is a placeholder in the
rendered text that each message fills in.

For SMTP the mailing is also encoded once (`wire_mailing`): the MIME bytes Django would send, with
the recipient's address, Message-ID, date and unsubscribe token as placeholders that each message
fills in (`WireMailing.data_for`), instead of building and flattening a MIME tree per recipient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import formatdate

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.urls import reverse

from quad.core.emails import one_line, render_email, society_sender
from quad.core.markdown import render_markdown
from quad.mailings.models import Delivery, Mailing

UNSUBSCRIBE_PLACEHOLDER = "QUAD-UNSUBSCRIBE-URL"
UNSUBSCRIBE_SALT = "quad.mailings.unsubscribe"


@dataclass(frozen=True)
class RenderedMailing:
    subject: str
    text: str
    html: str
    from_email: str
    reply_to: tuple[str, ...]
    list_id: str
    news: bool


def render_mailing(mailing: Mailing) -> RenderedMailing:
    society = mailing.society
    news = mailing.kind == Mailing.Kind.NEWS
    subject, text, html = render_email(
        "mailings/emails/mailing",
        {
            "mailing": mailing,
            "society": society,
            "subject": one_line(mailing.subject),
            "body_html": render_markdown(mailing.body),
            "body_text": mailing.body,
            "article_url": f"{settings.SITE_URL}{mailing.article.get_absolute_url()}" if mailing.article else "",
            "news": news,
            "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
            "society_url": f"{settings.SITE_URL}{society.get_absolute_url()}",
        },
    )
    return RenderedMailing(
        subject=subject,
        text=text,
        html=html,
        from_email=society_sender(society.name),
        reply_to=(society.contact_email,) if society.contact_email else (),
        list_id=list_id(society.name, society.slug),
        news=news,
    )


def list_id(name: str, slug: str) -> str:
    """RFC 2919 List-Id: `"Hiking Society" <hiking-society.union.example.ac.uk>`."""
    label = one_line(name).replace('"', "").replace("\\", "")[:60]
    return f'"{label}" <{slug}.{settings.UNION_EMAIL_DOMAIN}>'


def unsubscribe_token(user_id: int, society_id: int) -> str:
    return signing.dumps([user_id, society_id], salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, int]:
    """(user id, society id) from a link we signed; signing.BadSignature for anything else."""
    value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(part, int) for part in value)):
        raise signing.BadSignature("Not an unsubscribe token")
    return value[0], value[1]


def unsubscribe_url(user_id: int, society_id: int) -> str:
    token = unsubscribe_token(user_id, society_id)
    return f"{settings.SITE_URL}{reverse('mailings:unsubscribe', kwargs={'token': token})}"


def message_id(delivery: Delivery) -> str:
    """The same for every attempt at one delivery, so a resend after an interruption is recognisably
    the same message to the recipient's mail system."""
    return f"<quad.mailing.{delivery.mailing_id}.{delivery.pk}@{settings.UNION_EMAIL_DOMAIN}>"


def _message(
    rendered: RenderedMailing, *, to: str, message_id: str, url: str | None, date: str | None = None
) -> EmailMultiAlternatives:
    headers = {"Message-ID": message_id, "List-Id": rendered.list_id}
    if date is not None:
        headers["Date"] = date
    text, html = rendered.text, rendered.html
    if url is not None:
        text = text.replace(UNSUBSCRIBE_PLACEHOLDER, url)
        html = html.replace(UNSUBSCRIBE_PLACEHOLDER, url)
        # RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to the link.
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        headers["Precedence"] = "bulk"
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=text,
        from_email=rendered.from_email,
        to=[to],
        reply_to=list(rendered.reply_to) or None,
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def build_message(rendered: RenderedMailing, delivery: Delivery, *, society_id: int) -> EmailMultiAlternatives:
    url = unsubscribe_url(delivery.user_id, society_id) if rendered.news and delivery.user_id is not None else None
    return _message(rendered, to=delivery.email, message_id=message_id(delivery), url=url)


# --- The mailing as SMTP sends it, encoded once ---------------------------------------------------

TO_PLACEHOLDER = "quad-recipient@placeholder.invalid"
MESSAGE_ID_PLACEHOLDER = "<quad-message-id@placeholder.invalid>"
DATE_PLACEHOLDER = "QUAD-DATE-PLACEHOLDER"
TOKEN_PLACEHOLDER = "QUAD-UNSUBSCRIBE-TOKEN"
LINE_LIMIT = 998  # RFC 5322; Django quoted-printable-encodes a part with a longer line
# Addresses Django's SMTP backend sends as they are: a dot-atom local part at an ASCII host name.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
PLAIN_ADDRESS = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


@dataclass(frozen=True)
class WireMailing:
    """A mailing's MIME bytes, encoded once, with per-recipient placeholders."""

    envelope_from: str
    template: bytes
    news: bool
    token_lines: tuple[tuple[int, int], ...]  # (length, placeholders) of each line holding the token

    def data_for(self, delivery: Delivery, *, society_id: int) -> bytes | None:
        """The bytes Django's SMTP backend would send this recipient (bar the MIME boundary, which is
        the mailing's), or None when the message must be built in full: an address Django would
        rewrite, a news message without a member to unsubscribe, or a line the token would take past
        the limit."""
        if not PLAIN_ADDRESS.fullmatch(delivery.email):
            return None
        data = (
            self.template.replace(TO_PLACEHOLDER.encode(), delivery.email.encode())
            .replace(MESSAGE_ID_PLACEHOLDER.encode(), message_id(delivery).encode())
            .replace(DATE_PLACEHOLDER.encode(), _date().encode())
        )
        if not self.news:
            return data
        if delivery.user_id is None:
            return None
        token = unsubscribe_token(delivery.user_id, society_id)
        growth = len(token) - len(TOKEN_PLACEHOLDER)
        if any(length + count * growth > LINE_LIMIT for length, count in self.token_lines):
            return None
        return data.replace(TOKEN_PLACEHOLDER.encode(), token.encode())


def _date() -> str:
    return formatdate(localtime=settings.EMAIL_USE_LOCALTIME)


def wire_mailing(rendered: RenderedMailing) -> WireMailing | None:
    """The mailing encoded once for SMTP, or None if its parts would not go as written (a line past
    998 characters makes Django quoted-printable-encode a part) or its text holds a placeholder:
    then every message is built in full."""
    url = None
    if rendered.news:
        url = f"{settings.SITE_URL}{reverse('mailings:unsubscribe', kwargs={'token': TOKEN_PLACEHOLDER})}"
    message = _message(rendered, to=TO_PLACEHOLDER, message_id=MESSAGE_ID_PLACEHOLDER, url=url, date=DATE_PLACEHOLDER)
    mime = message.message()
    for part in mime.walk():
        if not part.is_multipart() and part["Content-Transfer-Encoding"] not in {"7bit", "8bit"}:
            return None
    template = mime.as_bytes(linesep="\r\n")
    placeholder = TOKEN_PLACEHOLDER.encode()
    token_lines = tuple((len(line), line.count(placeholder)) for line in template.split(b"\r\n") if placeholder in line)
    expected = {TO_PLACEHOLDER: 1, MESSAGE_ID_PLACEHOLDER: 1, DATE_PLACEHOLDER: 1}
    if any(template.count(text.encode()) != count for text, count in expected.items()):
        return None
    if url is not None:
        links = template.count(url.encode())
        if links == 0 or template.count(placeholder) != links:
            return None  # the token would be put somewhere other than the link
    return WireMailing(
        envelope_from=sanitize_address(message.from_email, message.encoding or settings.DEFAULT_CHARSET),
        template=template,
        news=rendered.news,
        token_lines=token_lines,
    )
