"""Rendering and sending email: every email has subject, text and HTML templates side by side.

Apps write one function per email (their emails.py) that picks the templates and the
context; this module renders them and queues the send after the transaction commits,
so a rolled-back change never sends anything.
"""

from __future__ import annotations

from email.headerregistry import Address
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string


def render_email(template_prefix: str, context: dict[str, Any]) -> tuple[str, str, str]:
    full = {"UNION_NAME": settings.UNION_NAME, "SITE_URL": settings.SITE_URL, **context}
    # Newlines in a subject would inject headers; a subject is one line.
    subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", full).split())
    text = render_to_string(f"{template_prefix}.txt", full)
    html = render_to_string(f"{template_prefix}.html", full)
    return subject, text, html


def one_line(value: str) -> str:
    """A header value on one line: newlines and other control characters would inject headers."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())


def society_sender(name: str) -> str:
    """`"Chess Society" <societies@union…>`: the society's name as the sender name, the union's domain
    in the address (so mail passes the union's SPF and DKIM), quoted and encoded safely."""
    username, _, domain = settings.MAILINGS_FROM_EMAIL.rpartition("@")
    return str(Address(display_name=one_line(name)[:78], username=username, domain=domain))


def send_now(
    *,
    to: list[str],
    subject: str,
    text: str,
    html: str,
    reply_to: list[str] | None = None,
    from_email: str | None = None,
) -> None:
    message = EmailMultiAlternatives(
        subject=one_line(subject),
        body=text,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to or None,
    )
    message.attach_alternative(html, "text/html")
    message.send()


def queue_email(
    template_prefix: str,
    *,
    to: list[str],
    context: dict[str, Any],
    from_email: str | None = None,
    reply_to: list[str] | None = None,
) -> None:
    """Render now; send from the background worker once the current transaction commits.

    One message per recipient, so nobody learns another person's address. Essential mail
    (receipts, refunds, event changes, election notices) goes this way, whatever a member's
    news preferences; society news goes through mailings.
    """
    from quad.core.tasks import send_email

    recipients = sorted({address for address in to if address})
    if not recipients:
        return
    subject, text, html = render_email(template_prefix, context)

    def enqueue() -> None:
        for address in recipients:
            send_email.enqueue(
                to=[address], subject=subject, text=text, html=html, from_email=from_email, reply_to=reply_to
            )

    transaction.on_commit(enqueue)
