from __future__ import annotations

from django_tasks import task

from quad.core import emails


@task()
def send_email(*, to: list[str], subject: str, text: str, html: str) -> None:
    emails.send_now(to=to, subject=subject, text=text, html=html)
