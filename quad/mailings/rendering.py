"""A mailing as email: rendered once per mailing, then one message per recipient.

The body is the committee's Markdown, sanitised with nh3 for the HTML part and sent as written for
the text part. Only the unsubscribe link differs between recipients, so it is a placeholder in the
rendered text that each message fills in.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
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


def build_message(rendered: RenderedMailing, delivery: Delivery, *, society_id: int) -> EmailMultiAlternatives:
    headers = {"Message-ID": message_id(delivery), "List-Id": rendered.list_id}
    text, html = rendered.text, rendered.html
    if rendered.news and delivery.user_id is not None:
        url = unsubscribe_url(delivery.user_id, society_id)
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
        to=[delivery.email],
        reply_to=list(rendered.reply_to) or None,
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message
