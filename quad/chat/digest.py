"""The mention digest (guidance W14, W15): one email to each person mentioned in a message they have not
read for CHAT_DIGEST_AFTER_MINUTES, listing those mentions; never in quiet hours, never for a muted group.

Each person's pending mentions are claimed with their rows locked and marked notified in the same
transaction that queues the email, so a second run (or two at once) sends nothing more. A mention that is
not worth an email (the group is muted, the message read, hidden or deleted, the person gone) is marked
notified without one: it is never looked at again. The digest names people by display name only.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from quad.chat.models import GroupMember, Mention
from quad.chat.services import MENTION
from quad.core.emails import queue_email
from quad.core.quiet_hours import quiet_until

User = get_user_model()

EXCERPT_CHARACTERS = 200


def send_digests(*, now: datetime.datetime | None = None) -> int:
    """Email every person with mentions waiting; how many emails were queued. In quiet hours, nothing:
    the mentions wait for the first run after them."""
    now = now or timezone.now()
    if quiet_until(now) is not None:
        return 0
    cutoff = now - datetime.timedelta(minutes=settings.CHAT_DIGEST_AFTER_MINUTES)
    waiting = Mention.objects.filter(notified_at__isnull=True, message__created_at__lte=cutoff)
    people = sorted(set(waiting.values_list("user_id", flat=True)))
    return sum(_send_digest(user_id, cutoff=cutoff, now=now) for user_id in people)


def _send_digest(user_id: int, *, cutoff: datetime.datetime, now: datetime.datetime) -> bool:
    with transaction.atomic():
        # Locked and skipped if another run holds them (PostgreSQL; SQLite's IMMEDIATE transactions queue
        # writers), and read again here, so a mention is claimed by one run only.
        pending = list(
            Mention.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(user_id=user_id, notified_at__isnull=True, message__created_at__lte=cutoff)
            .select_related("user", "message__group__society", "message__author")
            .order_by("message__created_at", "pk")
        )
        if not pending:
            return False
        groups = {mention.message.group_id for mention in pending}
        memberships = {m.group_id: m for m in GroupMember.objects.filter(user_id=user_id, group_id__in=groups)}
        worth = [mention for mention in pending if _worth_telling(mention, memberships.get(mention.message.group_id))]
        Mention.objects.filter(pk__in=[mention.pk for mention in pending]).update(notified_at=now)
        person = pending[0].user
        if not worth or not person.is_active or not person.email:
            return False
        mention_digest(person, worth)
    return True


def _worth_telling(mention: Mention, member: GroupMember | None) -> bool:
    message = mention.message
    return (
        member is not None
        and member.is_present
        and not member.muted
        and member.last_read_seq < message.seq
        and message.is_visible
        and message.group.archived_at is None
    )


def _excerpt(body: str, names: dict[int, str]) -> str:
    """The message's start, with mentions as @display name (never an address)."""
    text = MENTION.sub(lambda found: "@" + (names.get(int(found.group(1))) or "someone"), body)
    return Truncator(" ".join(text.split())).chars(EXCERPT_CHARACTERS)


def mention_digest(person: Any, mentions: list[Mention]) -> None:
    ids = {int(pk) for mention in mentions for pk in MENTION.findall(mention.message.body)}
    names = dict(User.objects.filter(pk__in=ids).values_list("pk", "display_name"))
    items = []
    for mention in mentions:
        message, group = mention.message, mention.message.group
        items.append(
            {
                "group": group.name,
                # Named when it says something the group's name does not.
                "society": group.society.name if group.society and group.society.name != group.name else "",
                # display_name, never str(user), which falls back to the email address.
                "author": (message.author.display_name if message.author is not None else "") or "Someone",
                "at": message.created_at,
                "excerpt": _excerpt(message.body, names),
                "url": settings.SITE_URL + reverse("chat:group", kwargs={"pk": group.pk}) + f"#m{message.seq}",
            }
        )
    queue_email(
        "chat/emails/mention_digest",
        to=[person.email],
        context={
            "name": person.display_name,
            "mentions": items,
            "my_groups_url": settings.SITE_URL + reverse("chat:my-groups"),
        },
    )
