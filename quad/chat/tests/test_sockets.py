"""The chat socket: who may open it, what travels over it, and what a client may send.

Each test opens real sockets on the ASGI application (origin check, session cookie, routing, the
consumer and the per-process hub) with an in-memory channel layer; see sockets.py.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from quad.chat import consumers, services
from quad.chat.models import ChatGroup, GroupMember, Message
from quad.chat.tests.conftest import enter
from quad.chat.tests.sockets import Socket, db, fresh_layer, run, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["fresh_layer"]


def test_a_member_receives_what_another_posts_with_display_names_only(
    group: ChatGroup, chatter: GroupMember, moderator: GroupMember
) -> None:
    reader_cookie = session_cookie(chatter.user)

    async def scene() -> None:
        reader = Socket(reader_cookie, group.pk)
        assert await reader.connect()
        hello = await reader.frame()
        assert hello == {"t": "hello", "last_seq": 0}
        await db(services.post_message, moderator, "Walk on Saturday, meet at 9.")
        frame = await reader.frame_of("msg")
        assert frame["seq"] == 1
        assert "Walk on Saturday, meet at 9." in frame["html"]
        assert moderator.user.display_name in frame["html"]
        for address in (moderator.user.email, chatter.user.email):
            assert address not in frame["html"]
        await reader.close()

    run(scene)


def test_posting_over_the_socket_saves_first_then_acknowledges_with_the_sequence_number(
    group: ChatGroup, chatter: GroupMember, moderator: GroupMember
) -> None:
    cookies = session_cookie(chatter.user), session_cookie(moderator.user)

    async def scene() -> None:
        poster, reader = Socket(cookies[0], group.pk), Socket(cookies[1], group.pk)
        assert await poster.connect() and await reader.connect()
        await poster.send({"type": "post", "body": "Who has a spare map?", "ref": "a1"})
        ack = await poster.frame_of("ack")
        assert ack == {"t": "ack", "ref": "a1", "seq": 1}
        saved = await db(lambda: Message.objects.get(group=group, seq=1).body)
        assert saved == "Who has a spare map?"
        assert "Who has a spare map?" in (await reader.frame_of("msg"))["html"]
        await poster.close()
        await reader.close()

    run(scene)


@pytest.mark.parametrize("who", ["anonymous", "visitor", "other_member", "not_accepted", "left", "wrong_origin"])
def test_those_who_may_not_read_the_group_cannot_open_its_socket(
    who: str, group: ChatGroup, member: Any, visitor: Any, student: Any
) -> None:
    origin = "http://testserver"
    cookie: str | None = None
    if who == "visitor":
        cookie = session_cookie(visitor)
    elif who == "other_member":
        cookie = session_cookie(student)  # a student, not a member of the society
    elif who == "not_accepted":
        services.join_group(member, group, token=group.invite_token)
        cookie = session_cookie(member)
    elif who == "left":
        services.leave_group(enter(member, group))
        cookie = session_cookie(member)
    elif who == "wrong_origin":
        enter(member, group)
        cookie, origin = session_cookie(member), "https://evil.example"

    async def scene() -> None:
        assert not await Socket(cookie, group.pk, origin=origin).connect()

    run(scene)


def test_guessing_a_group_id_opens_nothing(chatter: GroupMember, rep_group: ChatGroup) -> None:
    cookie = session_cookie(chatter.user)

    async def scene() -> None:
        assert not await Socket(cookie, rep_group.pk).connect()  # exists; not theirs
        assert not await Socket(cookie, 999_999).connect()  # does not exist

    run(scene)


def test_union_staff_watch_a_group_without_joining_it(group: ChatGroup, su_staff: Any, chatter: GroupMember) -> None:
    cookie = session_cookie(su_staff)

    async def scene() -> None:
        watcher = Socket(cookie, group.pk)
        assert await watcher.connect()
        await db(services.post_message, chatter, "Hello all")
        assert "Hello all" in (await watcher.frame_of("msg"))["html"]
        await watcher.send({"type": "post", "body": "Staff do not post here", "ref": "s"})
        refused = await watcher.frame_of("error")
        assert refused["message"] == "Join this group to read and post."
        await watcher.close()

    run(scene)


def test_removing_a_member_closes_their_open_socket_and_reconnecting_is_refused(
    group: ChatGroup, chatter: GroupMember, moderator: GroupMember
) -> None:
    cookie = session_cookie(chatter.user)

    async def scene() -> None:
        sock = Socket(cookie, group.pk)
        assert await sock.connect()
        await sock.frame_of("hello")
        await db(services.remove_member, chatter, actor=moderator.user, reason="Abuse after a warning")
        closing = await sock.frame_of("closed")
        assert closing["reason"] == "removed"
        assert await sock.closed_with() == consumers.CLOSE_REFUSED
        assert not await Socket(cookie, group.pk).connect()

    run(scene)


def test_a_removal_that_reached_no_hub_still_stops_the_next_frame(
    group: ChatGroup, chatter: GroupMember, moderator: GroupMember
) -> None:
    """Every frame is authorised afresh: even if the kick were lost, the removed member's next event
    closes the socket rather than posting."""
    cookie = session_cookie(chatter.user)

    async def scene() -> None:
        sock = Socket(cookie, group.pk)
        assert await sock.connect()
        await db(lambda: GroupMember.objects.filter(pk=chatter.pk).update(removed_at=timezone.now()))
        await sock.send({"type": "post", "body": "still here?", "ref": "x"})
        assert await sock.closed_with() == consumers.CLOSE_REFUSED
        assert await db(lambda: Message.objects.filter(group=group).count()) == 0

    run(scene)


def test_a_read_only_member_is_told_until_when_and_the_socket_stays_open(
    group: ChatGroup, chatter: GroupMember, moderator: GroupMember
) -> None:
    until = timezone.now() + datetime.timedelta(days=1)
    services.make_read_only(chatter, actor=moderator.user, until=until, reason="Cool off")
    cookie = session_cookie(chatter.user)

    async def scene() -> None:
        sock = Socket(cookie, group.pk)
        assert await sock.connect()
        await sock.send({"type": "post", "body": "let me talk", "ref": "r"})
        refused = await sock.frame_of("error")
        assert refused["ref"] == "r"
        assert refused["message"].startswith("A moderator has made you read-only in this group until ")
        await sock.send({"type": "ping"})
        assert (await sock.frame_of("pong")) == {"t": "pong"}
        await sock.close()

    run(scene)


@pytest.mark.parametrize(
    ("frame", "words"),
    [
        ("not json", "That frame is not JSON."),
        ("[1, 2]", 'A frame is a JSON object with a "type".'),
        ('{"type": 5}', 'A frame is a JSON object with a "type".'),
        ('{"type": "drop_tables"}', "Unknown event."),
        ('{"type": "post", "body": ' + '"' + "x" * 17_000 + '"}', "Frames are at most 16000 characters."),
        ('{"type": "post", "body": 12}', '"body" must be text.'),
        ('{"type": "post", "body": "' + "y" * 4001 + '"}', "Messages are at most 4000 characters; this one has 4001."),
        ('{"type": "react", "seq": "1; drop", "emoji": "x"}', 'Say which message by its "seq".'),
        ('{"type": "edit", "seq": 99, "body": "x"}', "There is no such message in this group."),
        ('{"type": "react", "seq": true, "emoji": "👍"}', 'Say which message by its "seq".'),
    ],
)
def test_malformed_frames_are_refused_to_the_sender_alone(
    frame: str, words: str, group: ChatGroup, chatter: GroupMember, moderator: GroupMember
) -> None:
    cookies = session_cookie(chatter.user), session_cookie(moderator.user)

    async def scene() -> None:
        sender, other = Socket(cookies[0], group.pk), Socket(cookies[1], group.pk)
        assert await sender.connect() and await other.connect()
        await other.frame_of("hello")
        await sender.send(frame)
        assert (await sender.frame_of("error"))["message"] == words
        assert await other.nothing()  # the rest of the group notices nothing
        await sender.send({"type": "post", "body": "still works", "ref": "ok"})
        assert (await sender.frame_of("ack"))["seq"] == 1
        await sender.close()
        await other.close()

    run(scene)


def test_binary_frames_are_refused(group: ChatGroup, chatter: GroupMember) -> None:
    cookie = session_cookie(chatter.user)

    async def scene() -> None:
        sock = Socket(cookie, group.pk)
        assert await sock.connect()
        await sock.send_bytes(b"\x00\x01")
        assert (await sock.frame_of("error"))["message"] == "Send text frames of JSON."
        await sock.close()

    run(scene)


def test_a_client_that_keeps_sending_junk_is_closed(group: ChatGroup, chatter: GroupMember) -> None:
    cookie = session_cookie(chatter.user)

    async def scene() -> None:
        sock = Socket(cookie, group.pk)
        assert await sock.connect()
        for _ in range(consumers.MAX_BAD_FRAMES + 1):
            await sock.send("junk")
        assert await sock.closed_with() == consumers.CLOSE_BAD_CLIENT

    run(scene)


def test_flooding_over_the_socket_meets_the_rate_limit(settings: Any, group: ChatGroup, chatter: GroupMember) -> None:
    settings.CHAT_RATE_LIMIT_PER_MINUTE = 3
    cookie = session_cookie(chatter.user)

    async def scene() -> None:
        sock = Socket(cookie, group.pk)
        assert await sock.connect()
        replies = []
        for n in range(5):
            await sock.send({"type": "post", "body": f"spam {n}", "ref": f"f{n}"})
            reply = await sock.frame()
            while reply["t"] not in ("ack", "error"):
                reply = await sock.frame()
            replies.append(reply["t"])
        assert replies == ["ack", "ack", "ack", "error", "error"]
        assert await db(lambda: Message.objects.filter(group=group).count()) == 3
        await sock.close()

    run(scene)


def test_edits_deletions_reactions_and_hiding_reach_open_sockets(
    group: ChatGroup, chatter: GroupMember, moderator: GroupMember
) -> None:
    cookies = session_cookie(chatter.user), session_cookie(moderator.user)

    async def scene() -> None:
        author, reader = Socket(cookies[0], group.pk), Socket(cookies[1], group.pk)
        assert await author.connect() and await reader.connect()
        await author.send({"type": "post", "body": "Meet at 9", "ref": "p"})
        await author.frame_of("ack")
        await reader.frame_of("msg")
        await author.send({"type": "edit", "seq": 1, "body": "Meet at 10", "ref": "e"})
        assert "Meet at 10" in (await reader.frame_of("update"))["html"]
        assert "Meet at 10" in (await author.frame_of("update"))["html"]  # the author's own edit, first
        await reader.send({"type": "react", "seq": 1, "emoji": "👍", "ref": "r"})
        assert "👍 1" in (await author.frame_of("update"))["html"]
        message = await db(Message.objects.get, group=group, seq=1)
        await db(services.hide_message, message, actor=moderator.user, reason="test")
        hidden = (await author.frame_of("update"))["html"]
        assert "Hidden by a moderator." in hidden and "Meet at 10" not in hidden
        await author.close()
        await reader.close()

    run(scene)


def test_others_cannot_edit_or_delete_a_message(group: ChatGroup, chatter: GroupMember, moderator: GroupMember) -> None:
    services.post_message(moderator, "Committee message")
    cookie = session_cookie(chatter.user)

    async def scene() -> None:
        sock = Socket(cookie, group.pk)
        assert await sock.connect()
        await sock.send({"type": "edit", "seq": 1, "body": "hijacked", "ref": "e"})
        assert (await sock.frame_of("error"))["message"] == "You can edit only your own messages."
        await sock.send({"type": "delete", "seq": 1, "ref": "d"})
        assert (await sock.frame_of("error"))["message"] == "You can delete only your own messages."
        assert await db(lambda: Message.objects.get(group=group, seq=1).body) == "Committee message"
        await sock.close()

    run(scene)


def test_script_in_a_message_travels_escaped(group: ChatGroup, chatter: GroupMember, moderator: GroupMember) -> None:
    cookie = session_cookie(moderator.user)

    async def scene() -> None:
        reader = Socket(cookie, group.pk)
        assert await reader.connect()
        await db(services.post_message, chatter, '<script>alert(1)</script><img src=x onerror="alert(2)">')
        html = (await reader.frame_of("msg"))["html"]
        assert "<script>" not in html and "<img" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    run(scene)


def test_a_socket_that_falls_too_far_behind_is_closed_not_waited_for() -> None:
    consumer = consumers.ChatConsumer()
    consumer.closed = False
    kicked: list[int] = []
    consumer.kick = lambda code, reason: kicked.append(code)  # type: ignore[method-assign]

    async def scene() -> None:
        import asyncio

        consumer.outbox = asyncio.Queue(maxsize=consumers.OUTBOX)
        for n in range(consumers.OUTBOX):
            consumer.deliver(f"frame {n}")
        assert kicked == []
        consumer.deliver("one too many")
        assert kicked == [consumers.CLOSE_TOO_SLOW]

    run(scene)
