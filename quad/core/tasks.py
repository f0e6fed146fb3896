from __future__ import annotations

from django_tasks import task

from quad.core import emails


@task()
def send_email(
    *,
    to: list[str],
    subject: str,
    text: str,
    html: str,
    from_email: str | None = None,
    reply_to: list[str] | None = None,
) -> None:
    emails.send_now(to=to, subject=subject, text=text, html=html, from_email=from_email, reply_to=reply_to)
