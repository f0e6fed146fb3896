"""The socket event × role matrix: for every event a client can send on a group's socket, and for every
kind of person, whether the permission helper lets it through, refuses it (the socket stays open), or
closes the socket. It fails on an event without an expectation, like the URL matrix.

The consumer asks `authorize_event` for every frame (test_sockets.py shows it obeying a refusal and a
closure over a real socket); this matrix pins down what the helper answers.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from quad.chat import services
from quad.chat.models import ChatGroup
from quad.chat.permissions import SOCKET_EVENTS, SocketRefused, authorize_event, socket_access
from quad.chat.tests.conftest import enter

pytestmark = pytest.mark.django_db

OK, REFUSED, CLOSED = "ok", "refused", "closed"
ROLES = (
    "anonymous",
    "student_not_member",
    "society_member_not_joined",
    "joined_not_accepted",
    "member",
    "read_only",
    "left",
    "removed",
    "moderator",
    "staff_watching",
    "other_committee",
)
ALL_CLOSED = dict.fromkeys(SOCKET_EVENTS, CLOSED) | {"ping": OK}
EXPECTED: dict[str, dict[str, str]] = {
    # Who cannot open the socket at all; if one were open, every event but ping closes it.
    "anonymous": ALL_CLOSED,
    "student_not_member": ALL_CLOSED,
    "society_member_not_joined": ALL_CLOSED,
    "joined_not_accepted": ALL_CLOSED,
    "left": ALL_CLOSED,
    "removed": ALL_CLOSED,
    "other_committee": ALL_CLOSED,
    "member": dict.fromkeys(SOCKET_EVENTS, OK),
    "read_only": {"ping": OK, "read": OK, "react": OK, "delete": OK, "edit": REFUSED, "post": REFUSED},
    "moderator": dict.fromkeys(SOCKET_EVENTS, OK),
    # Staff read and moderate every group without joining: they read, but post nothing as members.
    "staff_watching": {"ping": OK, "read": OK, "react": REFUSED, "delete": REFUSED, "edit": REFUSED, "post": REFUSED},
}
CAN_OPEN = {"member", "read_only", "moderator", "staff_watching"}


def person(role: str, group: ChatGroup, cast: dict[str, Any]) -> Any:
    if role == "anonymous":
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser()
    if role == "student_not_member":
        return cast["student"]
    if role == "society_member_not_joined":
        return cast["member"]
    if role == "joined_not_accepted":
        services.join_group(cast["member"], group, token=group.invite_token)
        return cast["member"]
    if role == "member":
        return enter(cast["member"], group).user
    if role == "read_only":
        joined = enter(cast["member"], group)
        until = timezone.now() + datetime.timedelta(days=1)
        services.make_read_only(joined, actor=cast["committee_trained"], until=until, reason="cool off")
        return joined.user
    if role == "left":
        joined = enter(cast["member"], group)
        services.leave_group(joined)
        return joined.user
    if role == "removed":
        joined = enter(cast["member"], group)
        services.remove_member(joined, actor=cast["committee_trained"], reason="abuse")
        return joined.user
    if role == "moderator":
        return enter(cast["committee_trained"], group).user
    if role == "staff_watching":
        return cast["su_staff"]
    if role == "other_committee":
        return cast["other_committee"]
    raise AssertionError(role)


def outcome(user: Any, group: ChatGroup, event: str) -> str:
    try:
        authorize_event(user, group.pk, event)
    except SocketRefused as refused:
        return CLOSED if refused.close else REFUSED
    return OK


def test_every_event_and_role_has_an_expectation() -> None:
    assert set(EXPECTED) == set(ROLES)
    for role, events in EXPECTED.items():
        assert set(events) == set(SOCKET_EVENTS), role


@pytest.mark.parametrize("role", ROLES)
def test_socket_event_matrix(
    role: str,
    group: ChatGroup,
    student: Any,
    member: Any,
    committee_trained: Any,
    su_staff: Any,
    other_committee: Any,
) -> None:
    cast = {
        "student": student,
        "member": member,
        "committee_trained": committee_trained,
        "su_staff": su_staff,
        "other_committee": other_committee,
    }
    user = person(role, group, cast)
    assert (socket_access(user, group.pk) is not None) == (role in CAN_OPEN), "opening the socket"
    found = {event: outcome(user, group, event) for event in SOCKET_EVENTS}
    assert found == EXPECTED[role]


def test_an_unknown_event_is_refused(group: ChatGroup, member: Any) -> None:
    user = enter(member, group).user
    assert outcome(user, group, "subscribe_all") == REFUSED
