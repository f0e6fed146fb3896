"""Who may do what in a group chat. Every chat view and socket event asks these.

- Read and post: a present member (joined, not left or removed) who has accepted the current
  guidelines; posting also needs them not read-only, and moderator rights in an announcements group.
- Moderate: union staff in every group; in a society group, a current committee member whose position
  has the moderate power and whose GDPR training is valid; in a union rep group, its moderators (reps).
- Join: see services.check_can_join (eligibility is a rule of the domain, not of the request).
- Ask the union to invite more people to a rep group: that group's own moderators (reps). Decide those
  requests: union staff.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone

from quad.chat.models import ChatGroup, GroupMember, Guidelines, InviteRequest, Message, ModeratorThread
from quad.core.permissions import forbidden, not_found
from quad.societies.models import Power, Society
from quad.societies.queries import access_terms

# Higher apps (conduct: platform-wide suspension) register checks here (through services): a function of the user that
# returns why they may not take part in any chat, or "" if they may.
Block = Callable[[Any], str]
_blocks: list[Block] = []


def register_block(check: Block) -> None:
    if check not in _blocks:
        _blocks.append(check)


def blocked(user: Any) -> str:
    return next((reason for check in _blocks if (reason := check(user))), "")


@dataclass
class ChatAccess:
    group: ChatGroup
    member: GroupMember | None
    moderator: bool
    current_version: int
    block: str = ""  # why this person may take part in no chat at all (a platform suspension), or ""

    @property
    def is_member(self) -> bool:
        return self.member is not None and self.member.is_present

    @property
    def needs_to_accept(self) -> bool:
        return self.is_member and self.member is not None and self.member.accepted_version != self.current_version

    @property
    def can_read(self) -> bool:
        return self.moderator or (self.is_member and not self.needs_to_accept)

    @property
    def read_only_until(self) -> Any:
        if self.member is None or self.member.read_only_until is None:
            return None
        return self.member.read_only_until if self.member.read_only_until > timezone.now() else None

    @property
    def can_post(self) -> bool:
        """Members post (moderators too, once they have joined like everyone else); union staff who
        watch a group without joining it read and moderate but do not post."""
        if not self.is_member or self.needs_to_accept or self.block:
            return False
        if self.moderator:
            return True
        return self.read_only_until is None and not self.group.announcements_only

    def refusal(self) -> str:
        if self.block:
            return self.block
        if not self.is_member:
            return "Join this group to read and post."
        if self.needs_to_accept:
            if self.member is not None and self.member.accepted_version:
                return "The group's guidelines have changed: read and accept them to carry on."
            return "Read and accept the group's guidelines to carry on."
        if self.read_only_until is not None:
            until = timezone.localtime(self.read_only_until)
            return f"A moderator has made you read-only in this group until {until:%H:%M on %-d %B}."
        if self.group.announcements_only:
            return "Only moderators post in this group; you can read and react."
        return "You cannot post here."


def current_version(group: ChatGroup) -> int:
    return Guidelines.objects.filter(group=group).order_by("-version").values_list("version", flat=True).first() or 0


def is_moderator(user: Any, group: ChatGroup) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_union_staff:
        return True
    if group.kind == ChatGroup.Kind.SOCIETY and group.society is not None:
        if group.society.status != Society.Status.ACTIVE:
            return False
        terms = access_terms(user, group.society)
        return (
            bool(terms)
            and bool(getattr(terms[0], "trained", False))
            and any(Power.MODERATE in t.position.powers for t in terms)
        )
    return GroupMember.objects.filter(
        group=group, user=user, role=GroupMember.Role.MODERATOR, left_at__isnull=True, removed_at__isnull=True
    ).exists()


def chat_access(user: Any, group: ChatGroup) -> ChatAccess:
    member = GroupMember.objects.filter(group=group, user=user).first() if user.is_authenticated else None
    return ChatAccess(
        group=group,
        member=member,
        moderator=is_moderator(user, group),
        current_version=current_version(group),
        block=blocked(user) if user.is_authenticated else "",
    )


def get_group_for_reader(user: Any, pk: int) -> ChatAccess:
    """A group's messages: its present members who accepted the guidelines, and its moderators. To
    anyone else the group does not exist (404): guessing ids reveals nothing."""
    group = get_object_or_404(ChatGroup.objects.select_related("society"), pk=pk, archived_at__isnull=True)
    access = chat_access(user, group)
    if not (access.is_member or access.moderator):
        raise not_found()
    return access


def get_group_for_poster(user: Any, pk: int) -> ChatAccess:
    access = get_group_for_reader(user, pk)
    if not access.can_post:
        raise forbidden(access.refusal())
    return access


def get_group_for_moderator(user: Any, pk: int) -> ChatAccess:
    group = get_object_or_404(ChatGroup.objects.select_related("society"), pk=pk)
    access = chat_access(user, group)
    if not access.moderator:
        if access.is_member:
            raise forbidden("Only the group's moderators can do that.")
        raise not_found()
    return access


# --- Sockets ---------------------------------------------------------------------------------------
# What each socket event needs. The consumer asks `authorize_event` for every frame a client sends,
# with the member row read afresh, so a removal or a read-only spell applies to an open socket at once.
SOCKET_EVENTS = {
    "ping": "connected",  # keep-alive: answered without asking the database
    "read": "read",
    "react": "member",
    "delete": "member",
    "edit": "post",
    "post": "post",
}


class SocketRefused(Exception):
    """A socket event refused, with the words to show; `close` when the socket must close (4403)."""

    def __init__(self, message: str, *, close: bool = False) -> None:
        super().__init__(message)
        self.close = close


def socket_access(user: Any, group_id: int) -> ChatAccess | None:
    """Opening a group's socket: the same people who may read its messages, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    group = ChatGroup.objects.select_related("society").filter(pk=group_id, archived_at__isnull=True).first()
    if group is None:
        return None
    access = chat_access(user, group)
    return access if access.can_read and not access.block else None


def authorize_event(user: Any, group_id: int, event: str) -> ChatAccess | None:
    """Whether `user` may send `event` on `group_id`'s socket now; raises SocketRefused if not.
    Returns the fresh access (None for events answered without the database)."""
    need = SOCKET_EVENTS.get(event)
    if need is None:
        raise SocketRefused("Unknown event.")
    if need == "connected":
        return None
    access = socket_access(user, group_id)
    if access is None:
        raise SocketRefused("You can no longer read this group.", close=True)
    if need == "member" and not access.is_member:
        raise SocketRefused("Join this group to do that.")
    if need == "post" and not access.can_post:
        raise SocketRefused(access.refusal())
    return access


def get_thread(user: Any, pk: int) -> tuple[ModeratorThread, bool]:
    """A private thread: for the member it is with and for the group's moderators; (thread, as_moderator).
    To anyone else it does not exist."""
    thread = get_object_or_404(ModeratorThread.objects.select_related("group__society", "member"), pk=pk)
    if is_moderator(user, thread.group):
        return thread, True
    if getattr(user, "pk", None) == thread.member_id:
        return thread, False
    raise not_found()


def get_message_for_author(user: Any, pk: int) -> Message:
    """Editing or deleting a message: its author, while they can still read its group. To anyone who
    cannot read the group it does not exist; to another reader it is not theirs to change (403)."""
    message = get_object_or_404(Message.objects.select_related("group"), pk=pk)
    get_group_for_reader(user, message.group_id)
    if message.author_id != user.pk:
        raise forbidden("You can change only your own messages.")
    return message


def get_message_for_reactor(user: Any, pk: int) -> Message:
    """Reacting: present members who accepted the guidelines (staff watching without joining may not)."""
    message = get_object_or_404(Message.objects.select_related("group"), pk=pk)
    access = get_group_for_reader(user, message.group_id)
    if not access.is_member or access.needs_to_accept:
        raise forbidden(access.refusal())
    return message


def get_group_for_staff(user: Any, pk: int) -> ChatAccess:
    """Choosing a union group's moderators: union staff. The group's other moderators are refused (403)."""
    access = get_group_for_moderator(user, pk)
    if not getattr(user, "is_union_staff", False):
        raise forbidden("Only union staff choose a union group's moderators.")
    return access


# --- Rep groups' invite requests ---------------------------------------------------------------------


def asks_for_invites(access: ChatAccess) -> bool:
    """A rep group's own moderators (reps, by their role in it) may ask the union to let more people join.
    Union staff moderate every group but choose who may join directly, so they have nothing to ask."""
    return (
        access.group.kind == ChatGroup.Kind.REP
        and access.group.archived_at is None
        and access.is_member
        and access.member is not None
        and access.member.role == GroupMember.Role.MODERATOR
        and not access.block
    )


def decides_invite_requests(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_union_staff", False))


def get_rep_group_for_invite_request(user: Any, pk: int) -> ChatAccess:
    """Asking the union to invite people to a rep group: its moderators. Its other members and union staff
    may see the group but not ask (403); to anyone else it does not exist (404)."""
    group = get_object_or_404(ChatGroup, pk=pk, kind=ChatGroup.Kind.REP, archived_at__isnull=True)
    access = chat_access(user, group)
    if asks_for_invites(access):
        return access
    if getattr(user, "is_union_staff", False):
        raise forbidden("Union staff choose who may join on the group's page; there is nothing to ask.")
    if access.is_member:
        raise forbidden(access.block or "Only the group's moderators can ask the union to invite people.")
    raise not_found()


def get_invite_request_for_decision(user: Any, pk: int) -> InviteRequest:
    """Approving or declining an invite request: union staff (the views also ask for two-factor sign-in)."""
    if not decides_invite_requests(user):
        raise forbidden("Only union staff decide who may join a union group.")
    return get_object_or_404(InviteRequest.objects.select_related("group", "requested_by"), pk=pk)
