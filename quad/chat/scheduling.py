"""Messages written in quiet hours and kept for the morning (guidance W15).

A ScheduledPost waits until the group's quiet hours end; `post_due_messages` (every minute) posts each
exactly once: the row is claimed with its lock and the message it became is saved on it in the same
transaction. A post whose author may no longer post when its time comes (they left, were removed or made
read-only, or the guidelines changed and they have not accepted them) is dropped without a word.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from quad.chat.errors import ChatError
from quad.chat.models import GroupMember, ScheduledPost
from quad.chat.permissions import chat_access
from quad.chat.services import _clean_body, group_quiet_until, post_message

# Waiting posts one member may have in one group: enough for a thought or two, not a queue of spam.
MAX_WAITING = 5
# Posts the job takes on in one run; the rest wait a minute more.
BATCH = 200

# Each due post is claimed with its row locked (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's
# IMMEDIATE transactions queue the runs). Tests turn the lock off to show the double post it prevents, and
# widen the window between claiming a post and posting it through _after_claim.
LOCK_FOR_CLAIM = True


def _after_claim() -> None:
    """Nothing; a seam where the concurrency tests hold a run between claiming a post and posting it."""


def schedule_message(member: GroupMember, body: str) -> ScheduledPost:
    """Keep `body` for the end of the group's quiet hours (or post it within a minute, if they are over)."""
    access = chat_access(member.user, member.group)
    if not access.can_post:
        raise ChatError(access.refusal())
    body = _clean_body(body)
    group = member.group
    waiting = ScheduledPost.objects.filter(group=group, author_id=member.user_id, message__isnull=True).count()
    if waiting >= MAX_WAITING:
        raise ChatError(
            f"You have {waiting} messages waiting for the morning in this group already. "
            "Cancel one, or post this one anyway."
        )
    send_at = group_quiet_until(group) or timezone.now()
    return ScheduledPost.objects.create(group=group, author_id=member.user_id, body=body, send_at=send_at)


def waiting_posts(group: Any, user: Any) -> list[ScheduledPost]:
    """A member's own posts waiting for the morning in a group, soonest first."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(ScheduledPost.objects.filter(group=group, author=user, message__isnull=True).order_by("send_at", "pk"))


def cancel_scheduled(scheduled: ScheduledPost, *, actor: Any) -> None:
    if scheduled.author_id != actor.pk:
        raise ChatError("You can cancel only your own messages.")
    deleted, _ = ScheduledPost.objects.filter(pk=scheduled.pk, message__isnull=True).delete()
    if not deleted:
        raise ChatError("It has been posted already.")


def post_due_messages(*, now: datetime.datetime | None = None) -> int:
    """Post every scheduled message whose time has come; how many were posted."""
    now = now or timezone.now()
    due = (
        ScheduledPost.objects.filter(message__isnull=True, send_at__lte=now)
        .order_by("send_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    return sum(_post_one(pk) for pk in list(due))


def _post_one(pk: int) -> bool:
    with transaction.atomic():
        # Another run skips a claimed post (PostgreSQL) or waits its turn (SQLite) and finds it posted.
        posts = (
            ScheduledPost.objects.select_for_update(skip_locked=True) if LOCK_FOR_CLAIM else ScheduledPost.objects.all()
        )
        scheduled = posts.filter(pk=pk, message__isnull=True).first()
        if scheduled is None:
            return False
        member = (
            GroupMember.objects.select_related("group", "user")
            .filter(group_id=scheduled.group_id, user_id=scheduled.author_id)
            .first()
        )
        if (
            member is None
            or member.group.archived_at is not None
            or not chat_access(member.user, member.group).can_post
        ):
            scheduled.delete()
            return False
        _after_claim()
        try:
            message = post_message(member, scheduled.body, in_quiet_hours=True)
        except ChatError:
            # Flooding or slow mode: nothing was saved. It goes at the next run.
            return False
        scheduled.message = message
        scheduled.save(update_fields=["message"])
    return True
