"""The mailing as SMTP sends it, encoded once: each recipient's bytes are what Django would have built."""

from __future__ import annotations

import email
from email.message import Message
from typing import Any

import pytest

from quad.mailings import services
from quad.mailings.models import Delivery, Mailing
from quad.mailings.rendering import build_message, render_mailing, wire_mailing
from quad.mailings.tests.conftest import write

pytestmark = pytest.mark.django_db


def started(mailing: Mailing, actor: Any, django_capture_on_commit_callbacks: Any) -> list[Delivery]:
    with django_capture_on_commit_callbacks(execute=False):  # deliveries snapshotted, nothing sent
        services.send_mailing(mailing, actor=actor)
    return list(Delivery.objects.filter(mailing=mailing).order_by("pk"))


def parts(data: bytes) -> tuple[list[tuple[str, str]], list[tuple[str, Any]]]:
    """Headers (the boundary and Date left out) and each part's content type and bytes."""
    message = email.message_from_bytes(data)
    headers = [(name, value) for name, value in message.items() if name not in {"Date", "Content-Type"}]
    leaves: list[Message] = [part for part in message.walk() if not part.is_multipart()]
    return headers, [(part.get_content_type(), part.get_payload(decode=True)) for part in leaves]


def django_bytes(mailing: Mailing, delivery: Delivery) -> bytes:
    message = build_message(render_mailing(mailing), delivery, society_id=mailing.society_id)
    return message.message().as_bytes(linesep="\r\n")


@pytest.mark.parametrize("kind", [Mailing.Kind.NEWS, Mailing.Kind.ESSENTIAL])
def test_each_recipient_gets_the_bytes_django_would_build(
    kind: str, society: Any, members: list[Any], committee_trained: Any, django_capture_on_commit_callbacks: Any
) -> None:
    society.contact_email = "hiking@union.example.ac.uk"
    society.save()
    audience = Mailing.Audience.MEMBERS if kind == Mailing.Kind.NEWS else Mailing.Audience.COMMITTEE
    mailing = write(society, committee_trained, kind=kind, audience=audience, body="Caf\u00e9 at **9am**, \u00a35.")
    deliveries = started(mailing, committee_trained, django_capture_on_commit_callbacks)
    wire = wire_mailing(render_mailing(mailing))
    assert wire is not None

    for delivery in deliveries:
        data = wire.data_for(delivery, society_id=society.pk)
        assert data is not None
        assert parts(data) == parts(django_bytes(mailing, delivery))
        assert email.message_from_bytes(data)["Date"]
    if kind == Mailing.Kind.NEWS:
        first, second = (wire.data_for(d, society_id=society.pk) for d in deliveries[:2])
        assert first is not None and second is not None
        assert (
            email.message_from_bytes(first)["List-Unsubscribe"] != email.message_from_bytes(second)["List-Unsubscribe"]
        )
    else:
        assert all(b"List-Unsubscribe" not in (wire.data_for(d, society_id=society.pk) or b"") for d in deliveries)


def test_what_django_would_rewrite_is_built_in_full(
    society: Any, members: list[Any], committee_trained: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mailing = write(society, committee_trained)
    delivery, *_ = started(mailing, committee_trained, django_capture_on_commit_callbacks)
    wire = wire_mailing(render_mailing(mailing))
    assert wire is not None

    delivery.email = "\u00e9lodie@student.example.ac.uk"  # not a plain address: Django encodes it
    assert wire.data_for(delivery, society_id=society.pk) is None
    delivery.email = members[0].email
    delivery.user_id = None  # news to someone who is no longer a member cannot offer to unsubscribe
    assert wire.data_for(delivery, society_id=society.pk) is None


def test_a_line_past_the_limit_makes_every_message_built_in_full(
    society: Any, members: list[Any], committee_trained: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mailing = write(society, committee_trained, body="word " * 300)  # Django quoted-printable-encodes the text
    started(mailing, committee_trained, django_capture_on_commit_callbacks)

    assert wire_mailing(render_mailing(mailing)) is None


def test_a_placeholder_in_the_text_makes_every_message_built_in_full(
    society: Any, members: list[Any], committee_trained: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mailing = write(society, committee_trained, body="Our code word is QUAD-UNSUBSCRIBE-TOKEN.")
    started(mailing, committee_trained, django_capture_on_commit_callbacks)

    assert wire_mailing(render_mailing(mailing)) is None
