from __future__ import annotations

from typing import Any

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from quad.chat.models import ChatGroup, GroupMember, InviteRequest, Mention, Message

PAGE = 50


def groups_of(user: Any) -> QuerySet[GroupMember]:
    """The groups a person is in, each with its unread count (visible messages after their last read)."""
    return (
        GroupMember.objects.filter(user=user, left_at__isnull=True, removed_at__isnull=True)
        .select_related("group__society")
        .annotate(
            unread=Count(
                "group__messages",
                filter=Q(
                    group__messages__seq__gt=F("last_read_seq"),
                    group__messages__hidden_at__isnull=True,
                    group__messages__deleted_at__isnull=True,
                ),
            )
        )
        .order_by("group__name")
    )


def society_groups(society: Any) -> QuerySet[ChatGroup]:
    return ChatGroup.objects.filter(society=society, archived_at__isnull=True).annotate(
        member_count=Count("members", filter=Q(members__left_at__isnull=True, members__removed_at__isnull=True))
    )


def with_row_details(found: QuerySet[Message]) -> QuerySet[Message]:
    """What a message's row shows: author, the message it replies to, mentions and reactions."""
    author_in_group = GroupMember.objects.filter(group_id=OuterRef("group_id"), user_id=OuterRef("author_id"))
    return (
        found.select_related("author", "reply_to__author")
        .prefetch_related(
            Prefetch("mentions", queryset=Mention.objects.select_related("user")),
            Prefetch("reply_to__mentions", queryset=Mention.objects.select_related("user")),
            "reactions",
        )
        .annotate(author_member_pk=Subquery(author_in_group.values("pk")[:1]))
    )


def messages(group: ChatGroup, *, after: int = 0, before: int | None = None, limit: int = PAGE) -> list[Message]:
    """Messages in order: after a sequence number (catching up), or the page before one (scrolling
    back). Hidden and deleted messages are included, for the template to show as such without text."""
    found = with_row_details(Message.objects.filter(group=group))
    if before is not None:
        return list(reversed(found.filter(seq__lt=before).order_by("-seq")[:limit]))
    if after:
        return list(found.filter(seq__gt=after).order_by("seq")[:limit])
    return list(reversed(found.order_by("-seq")[:limit]))


def present_members(group: ChatGroup) -> QuerySet[GroupMember]:
    """For moderators: who is in the group now, by display name."""
    return (
        GroupMember.objects.filter(group=group, left_at__isnull=True, removed_at__isnull=True)
        .select_related("user")
        .order_by("user__display_name")
    )


def pending_invite_requests() -> QuerySet[InviteRequest]:
    """Rep groups' invite requests waiting for union staff, oldest first."""
    return (
        InviteRequest.objects.filter(status=InviteRequest.Status.PENDING)
        .select_related("group", "requested_by")
        .order_by("created_at", "id")
    )


def invite_requests_for(group: ChatGroup, *, limit: int = 10) -> QuerySet[InviteRequest]:
    """A rep group's latest invite requests and their answers, for its moderators."""
    return (
        InviteRequest.objects.filter(group=group).select_related("requested_by").order_by("-created_at", "-id")[:limit]
    )
