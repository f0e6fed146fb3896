"""Emailing a group's invite link and its QR code to the people who may join (guidance W1, W5, W9).

A society group's invite goes to the society's current members, sent in the society's name; a union rep
group's goes to the students staff chose. Nobody is emailed twice for the same link: an InviteSend row is
written for each person in the transaction that queues their email, with the group's row locked, so a
second press of the button (or two moderators pressing at once) emails only people who have not had it.
A new link (services.rotate_invite) starts afresh.
"""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from quad.chat.errors import ChatError
from quad.chat.models import ChatGroup, GroupMember, Guidelines, InviteSend, RepEligibility
from quad.chat.services import _scope, blocked
from quad.core import audit
from quad.core.emails import queue_email, society_sender
from quad.core.quiet_hours import describe, quiet_until
from quad.memberships.queries import current_members

User = get_user_model()


def _after_check() -> None:
    """Nothing; a seam where the concurrency tests hold a sender between choosing whom to email and
    recording it, where two presses at once would race without the group's lock."""


def invite_url(group: ChatGroup) -> str:
    """The group's current invite link, absolute (for email and the QR code)."""
    return settings.SITE_URL + reverse("chat:invite", kwargs={"token": group.invite_token})


def invite_qr_svg(group: ChatGroup, *, scale: int = 4, fluid: bool = False) -> str:
    """The invite link as an inline SVG QR code, as events draws ticket codes (no network, no files).

    `fluid` leaves out the fixed width and height (a viewBox instead), so the page's CSS can size it. It
    has no title: whoever shows it wraps it in an element with role="img" and a label, said once."""
    return str(
        segno.make(invite_url(group), error="m").svg_inline(
            scale=scale,
            dark="#1b1f24",
            light="#ffffff",
            omitsize=fluid,
        )
    )


def eligible_for_invite(group: ChatGroup) -> list[Any]:
    """Who the invite email goes to: a society group's current members, or the students staff chose for
    a rep group; with an email address, able to join now, and never in the group before (present, left
    or removed: someone who left chose to, and removal is for good)."""
    if group.kind == ChatGroup.Kind.SOCIETY and group.society is not None:
        chosen = User.objects.filter(pk__in=current_members(group.society).values("user_id"))
    else:
        chosen = User.objects.filter(pk__in=RepEligibility.objects.filter(group=group).values("user_id"))
    been_in = GroupMember.objects.filter(group=group).values("user_id")
    people = chosen.filter(is_active=True).exclude(email="").exclude(pk__in=been_in).order_by("pk")
    return [person for person in people if person.is_student and not blocked(person)]


def rep_groups() -> QuerySet[ChatGroup]:
    """The union's open rep groups, each with how many are in it and how many staff chose."""
    present = Q(members__left_at__isnull=True, members__removed_at__isnull=True)
    return ChatGroup.objects.filter(kind=ChatGroup.Kind.REP, archived_at__isnull=True).annotate(
        member_count=Count("members", filter=present, distinct=True),
        eligible_count=Count("eligible", distinct=True),
    )


def email_invite(group: ChatGroup, *, actor: Any) -> int:
    """Queue the invite email to everyone eligible who has not had this link yet; how many were emailed."""
    if group.archived_at is not None:
        raise ChatError("This group has closed.")
    if until := quiet_until():
        raise ChatError(
            f"It is quiet hours ({describe()}): email the invite after {timezone.localtime(until):%H:%M}, "
            "so nobody is woken by it."
        )
    with transaction.atomic():
        # The group's row is the lock: a second press waits for the first, then finds its InviteSend rows.
        # Only the group's row: PostgreSQL refuses to lock the nullable side of the join to the society.
        locked = ChatGroup.objects.select_for_update(of=("self",)).select_related("society").get(pk=group.pk)
        people = eligible_for_invite(locked)
        if not people:
            who = "current members" if locked.kind == ChatGroup.Kind.SOCIETY else "chosen students"
            raise ChatError(f"Nobody to email: all the group's {who} are in it already, or there are none yet.")
        had = set(InviteSend.objects.filter(group=locked, token=locked.invite_token).values_list("user_id", flat=True))
        fresh = [person for person in people if person.pk not in had]
        _after_check()
        if not fresh:
            raise ChatError(
                "Everyone who may join has been emailed this invite link already. "
                "To send it again, make a new invite link first."
            )
        InviteSend.objects.bulk_create(
            [InviteSend(group=locked, user=person, token=locked.invite_token, sent_by=actor) for person in fresh]
        )
        invite_email(locked, fresh)
        audit.record(
            "chat.invite.emailed", actor=actor, target=locked, scope=_scope(locked), data={"count": len(fresh)}
        )
    return len(fresh)


def invite_email(group: ChatGroup, people: list[Any]) -> None:
    """The invite: what the group is for, its guidelines, the link and its QR code. One message each."""
    guidelines = Guidelines.objects.filter(group=group).order_by("-version").first()
    society = group.society
    queue_email(
        "chat/emails/invite",
        to=[person.email for person in people],
        context={
            "group": group,
            "society": society,
            "guidelines": guidelines.text if guidelines else "",
            "url": invite_url(group),
            "qr": invite_qr_svg(group, scale=4),
        },
        from_email=society_sender(society.name) if society is not None else None,
    )
