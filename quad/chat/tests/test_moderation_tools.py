"""The moderation and conversation tools on the pages: read-only for a period, editing and deleting your
own messages, reactions, mentions by display name, escaping whatever people type, one-click notices from
"the moderators" (W8, W10, O15), a private word with a member (W11, O16), and scrolling back."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import join, make_person
from quad.chat import services
from quad.chat.guidelines import NOTICE_GUIDELINES, NOTICE_NOT_TOLERATED, NOTICE_OFF_TOPIC
from quad.chat.models import (
    ChatGroup,
    GroupMember,
    Mention,
    Message,
    ModeratorThread,
    NoticeText,
    Reaction,
    ThreadMessage,
)
from quad.chat.tests.conftest import Clock, enter
from quad.core.emails import society_sender
from quad.core.models import AuditEvent

pytestmark = pytest.mark.django_db

REASON = "Insults in the Saturday thread."
POSTED_NOTICE = "Posted, from “the moderators”."
# What people type that a browser would run if a page let it through unescaped.
XSS = ("<img src=x onerror=alert(1)>", '"><script>alert(1)</script>')


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response
    return response.content.decode()


def group_url(group: ChatGroup, name: str = "chat:group") -> str:
    return reverse(name, kwargs={"pk": group.pk})


def member_url(name: str, member: GroupMember) -> str:
    return reverse(name, kwargs={"pk": member.group_id, "member_pk": member.pk})


def message_url(name: str, message: Message) -> str:
    return reverse(name, kwargs={"pk": message.pk})


def row(html: str, seq: int) -> str:
    """The row of message `seq` on a page."""
    found = re.search(rf'<li class="chat-message[^"]*" id="m{seq}".*?</li>', html, re.DOTALL)
    assert found, f"no row for message {seq}"
    return found.group(0)


def escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def newcomer(name: str, local: str, membership_type: Any, group: ChatGroup) -> GroupMember:
    """A new member of the society, in `group` with its guidelines accepted."""
    person = make_person(name, local)
    join(person, membership_type)
    return enter(person, group)


@pytest.fixture
def priya(membership_type: Any, group: ChatGroup) -> GroupMember:
    """A member called just "Priya" (not Priya President, who moderates), in the group."""
    return newcomer("Priya", "priya.member", membership_type, group)


@pytest.fixture
def socials(society: Any, committee_trained: Any) -> ChatGroup:
    """Another group of the same society, for off-topic talk."""
    return services.create_group(
        actor=committee_trained, society=society, name="Hiking socials", purpose="Pub after the walk."
    )


# --- Read-only for a period ------------------------------------------------------------------------


def test_moderator_makes_a_member_read_only_and_they_see_until_when_and_cannot_post(
    client: Client, group: ChatGroup, chatter: GroupMember, moderator: GroupMember, clock: Clock
) -> None:
    client.force_login(moderator.user)
    before = timezone.now()
    response = client.post(member_url("chat:read-only", chatter), {"days": "3", "reason": REASON})

    assert response["Location"] == group_url(group)
    chatter.refresh_from_db()
    assert chatter.read_only_until is not None
    assert before + datetime.timedelta(days=3) <= chatter.read_only_until <= timezone.now() + datetime.timedelta(days=3)
    assert chatter.read_only_reason == REASON
    until = timezone.localtime(chatter.read_only_until)
    assert messages_of(response) == [f"Mia Member can read but not post until {until:%-d %B, %H:%M}."]
    event = AuditEvent.objects.get(action="chat.member.read_only")
    assert event.actor == moderator.user
    assert event.data == {"member": chatter.user_id, "until": chatter.read_only_until.isoformat(), "reason": REASON}
    assert f"read-only until {until:%-d %b, %H:%M}" in page(client, group_url(group))  # the moderators' list

    client.force_login(chatter.user)
    html = page(client, group_url(group))
    assert f"A moderator has made you read-only in this group until {until:%H:%M on %-d %B}." in html
    assert REASON not in html  # they are told when it ends, not the moderators' note
    assert 'action="{}"'.format(group_url(group, "chat:post-message")) not in html
    assert client.post(group_url(group, "chat:post-message"), {"body": "Let me speak"}).status_code == 403
    assert not Message.objects.filter(group=group).exists()

    clock.travel_to(chatter.read_only_until + datetime.timedelta(minutes=1))
    html = page(client, group_url(group))
    assert "read-only" not in html
    assert 'action="{}"'.format(group_url(group, "chat:post-message")) in html


@pytest.mark.parametrize("reason", ["", "   "])
def test_read_only_needs_a_reason(
    client: Client, group: ChatGroup, chatter: GroupMember, moderator: GroupMember, reason: str
) -> None:
    client.force_login(moderator.user)
    response = client.post(member_url("chat:read-only", chatter), {"days": "1", "reason": reason})

    assert response["Location"] == group_url(group)
    assert messages_of(response) == ["Why (they see when it ends, not this): This field is required."]
    chatter.refresh_from_db()
    assert chatter.read_only_until is None
    assert not AuditEvent.objects.filter(action="chat.member.read_only").exists()


def test_read_only_is_only_for_the_periods_offered(
    client: Client, group: ChatGroup, chatter: GroupMember, moderator: GroupMember
) -> None:
    client.force_login(moderator.user)
    response = client.post(member_url("chat:read-only", chatter), {"days": "3650", "reason": REASON})

    assert response["Location"] == group_url(group)
    [refusal] = messages_of(response)
    assert refusal.startswith("For: Select a valid choice.")
    chatter.refresh_from_db()
    assert chatter.read_only_until is None


@pytest.mark.parametrize(("who", "status"), [("chatter", 403), ("student", 404), ("other_committee", 404)])
def test_only_moderators_make_members_read_only(
    request: pytest.FixtureRequest,
    client: Client,
    group: ChatGroup,
    chatter: GroupMember,
    moderator: GroupMember,
    priya: GroupMember,
    who: str,
    status: int,
) -> None:
    person = chatter.user if who == "chatter" else request.getfixturevalue(who)
    client.force_login(person)

    assert client.post(member_url("chat:read-only", priya), {"days": "1", "reason": REASON}).status_code == status
    priya.refresh_from_db()
    assert priya.read_only_until is None
    assert not AuditEvent.objects.filter(action="chat.member.read_only").exists()


def test_a_member_of_another_group_cannot_be_made_read_only_from_this_one(
    client: Client, group: ChatGroup, socials: ChatGroup, member: Any, moderator: GroupMember
) -> None:
    elsewhere = enter(member, socials)
    client.force_login(moderator.user)
    url = reverse("chat:read-only", kwargs={"pk": group.pk, "member_pk": elsewhere.pk})

    assert client.post(url, {"days": "1", "reason": REASON}).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.read_only_until is None


# --- Editing and deleting your own ----------------------------------------------------------------


def test_the_author_edits_their_message_and_the_row_says_edited(
    client: Client, group: ChatGroup, chatter: GroupMember
) -> None:
    message = services.post_message(chatter, "Meet at 9")
    client.force_login(chatter.user)

    response = client.post(message_url("chat:edit-message", message), {"body": "Meet at 9:30, station car park"})

    assert response["Location"] == f"{group_url(group)}#m{message.seq}"
    message.refresh_from_db()
    assert message.body == "Meet at 9:30, station car park"
    assert message.edited_at is not None
    shown = row(page(client, group_url(group)), message.seq)
    assert "Meet at 9:30, station car park" in shown
    assert "· edited" in shown
    assert f'action="{message_url("chat:edit-message", message)}"' in shown


@pytest.mark.parametrize(("who", "status"), [("moderator", 403), ("priya", 403), ("su_staff", 403), ("student", 404)])
def test_nobody_else_edits_or_deletes_a_message(
    request: pytest.FixtureRequest,
    client: Client,
    group: ChatGroup,
    chatter: GroupMember,
    moderator: GroupMember,
    priya: GroupMember,
    who: str,
    status: int,
) -> None:
    message = services.post_message(chatter, "Meet at 9")
    person = request.getfixturevalue(who)
    client.force_login(person.user if isinstance(person, GroupMember) else person)

    assert client.post(message_url("chat:edit-message", message), {"body": "Meet at 10"}).status_code == status
    assert client.post(message_url("chat:delete-message", message)).status_code == status
    message.refresh_from_db()
    assert (message.body, message.edited_at, message.deleted_at) == ("Meet at 9", None, None)
    if status == 403:  # they see the group, but no edit or delete form on someone else's message
        shown = row(page(client, group_url(group)), message.seq)
        assert message_url("chat:edit-message", message) not in shown
        assert message_url("chat:delete-message", message) not in shown


@pytest.mark.parametrize("gone", ["hidden", "deleted"])
def test_a_hidden_or_deleted_message_cannot_be_edited(
    client: Client, group: ChatGroup, chatter: GroupMember, moderator: GroupMember, gone: str
) -> None:
    message = services.post_message(chatter, "Something unkind")
    if gone == "hidden":
        services.hide_message(message, actor=moderator.user, reason="Unkind.")
    else:
        services.delete_message(message, actor=chatter.user)
    client.force_login(chatter.user)

    response = client.post(message_url("chat:edit-message", message), {"body": "Something kind"})

    assert response["Location"] == f"{group_url(group)}#m{message.seq}"
    assert messages_of(response) == ["This message was deleted or hidden."]
    message.refresh_from_db()
    assert (message.body, message.edited_at) == ("Something unkind", None)
    assert "Something kind" not in page(client, group_url(group))


def test_the_author_deletes_their_message_and_nobody_sees_it(
    client: Client, group: ChatGroup, chatter: GroupMember, priya: GroupMember
) -> None:
    message = services.post_message(chatter, "Wrong group, sorry")
    client.force_login(chatter.user)

    response = client.post(message_url("chat:delete-message", message))

    assert response["Location"] == group_url(group)
    assert messages_of(response) == ["Deleted. Nobody sees it now."]
    message.refresh_from_db()
    assert message.deleted_at is not None
    for reader in (chatter.user, priya.user):
        client.force_login(reader)
        shown = row(page(client, group_url(group)), message.seq)
        assert "Message deleted." in shown
        assert "Wrong group, sorry" not in shown


# --- Reactions -------------------------------------------------------------------------------------


def test_reactions_toggle_and_their_counts_show(
    client: Client, group: ChatGroup, chatter: GroupMember, moderator: GroupMember, priya: GroupMember
) -> None:
    message = services.post_message(chatter, "Summit reached!")
    react = message_url("chat:react", message)
    for person, emoji in ((moderator.user, "👍"), (priya.user, "👍"), (priya.user, "🎉")):
        client.force_login(person)
        assert client.post(react, {"emoji": emoji})["Location"] == f"{group_url(group)}#m{message.seq}"

    client.force_login(chatter.user)
    shown = row(page(client, group_url(group)), message.seq)
    assert '<span class="reaction">👍 2</span>' in shown
    assert '<span class="reaction">🎉 1</span>' in shown

    client.force_login(priya.user)
    client.post(react, {"emoji": "👍"})  # again: off
    shown = row(page(client, group_url(group)), message.seq)
    assert '<span class="reaction">👍 1</span>' in shown
    assert sorted(Reaction.objects.filter(message=message).values_list("user_id", "emoji")) == sorted(
        [(moderator.user_id, "👍"), (priya.user_id, "🎉")]
    )


def test_only_the_reactions_offered_are_taken(client: Client, group: ChatGroup, chatter: GroupMember) -> None:
    message = services.post_message(chatter, "Summit reached!")
    client.force_login(chatter.user)

    for emoji in ("", "💩", "<b>x</b>"):
        response = client.post(message_url("chat:react", message), {"emoji": emoji})
        assert messages_of(response)[-1] == "Choose one of the reactions offered."
    assert not Reaction.objects.exists()


def test_reacting_is_for_present_members_who_accepted_the_guidelines(
    client: Client, group: ChatGroup, chatter: GroupMember, su_staff: Any, student: Any, membership_type: Any
) -> None:
    message = services.post_message(chatter, "Summit reached!")
    unaccepted = make_person("Nia New", "nia.new")
    join(unaccepted, membership_type)
    services.join_group(unaccepted, group, token=group.invite_token)
    react = message_url("chat:react", message)

    for person, status in ((su_staff, 403), (unaccepted, 403), (student, 404)):
        client.force_login(person)
        assert client.post(react, {"emoji": "👍"}).status_code == status, person
    assert not Reaction.objects.exists()


def test_a_hidden_message_takes_no_reactions(
    client: Client, group: ChatGroup, chatter: GroupMember, moderator: GroupMember, priya: GroupMember
) -> None:
    message = services.post_message(chatter, "Something unkind")
    services.hide_message(message, actor=moderator.user, reason="Unkind.")
    client.force_login(priya.user)

    response = client.post(message_url("chat:react", message), {"emoji": "😢"})

    assert messages_of(response) == ["This message was deleted or hidden."]
    assert not Reaction.objects.exists()


# --- Mentions --------------------------------------------------------------------------------------


def test_mentioning_a_present_member_by_name_records_a_mention_shown_as_their_name(
    client: Client, group: ChatGroup, chatter: GroupMember, priya: GroupMember
) -> None:
    message = services.post_message(chatter, "Are you coming, @Priya? And @priya's boots?")

    assert message.body == f"Are you coming, @[{priya.user_id}]? And @[{priya.user_id}]'s boots?"
    assert list(Mention.objects.filter(message=message).values_list("user_id", flat=True)) == [priya.user_id]
    client.force_login(chatter.user)
    shown = row(page(client, group_url(group)), message.seq)
    assert f'Are you coming, <span class="mention" data-user="{priya.user_id}">@Priya</span>?' in shown
    assert "@[" not in shown


def test_the_longest_name_wins_and_a_name_is_not_a_prefix(
    group: ChatGroup, chatter: GroupMember, moderator: GroupMember, priya: GroupMember
) -> None:
    message = services.post_message(chatter, "@Priya President, is @Priyanka coming?")

    assert message.body == f"@[{moderator.user_id}], is @Priyanka coming?"
    assert list(Mention.objects.filter(message=message).values_list("user_id", flat=True)) == [moderator.user_id]


def test_the_name_of_someone_not_in_the_group_stays_plain_text(
    client: Client, group: ChatGroup, chatter: GroupMember, priya: GroupMember, student: Any
) -> None:
    services.leave_group(priya)

    message = services.post_message(chatter, "@Sam Student and @Priya, join us!")

    assert message.body == "@Sam Student and @Priya, join us!"
    assert not Mention.objects.exists()
    client.force_login(chatter.user)
    assert "@Sam Student and @Priya, join us!" in row(page(client, group_url(group)), message.seq)


@pytest.mark.parametrize("name", ["Ana (she/her)", "Jo+ [Chair]", ".*", "Zed \\1 $^", "Bo|b"])
def test_names_with_regex_characters_are_matched_as_written_and_nowhere_else(
    group: ChatGroup, chatter: GroupMember, membership_type: Any, name: str
) -> None:
    named = newcomer(name, "regex.person", membership_type, group)

    plain = services.post_message(chatter, "@everyone @a @Bo @Ana @Jo @Zed see you at 10")
    assert not Mention.objects.filter(message=plain).exists()
    assert plain.body == "@everyone @a @Bo @Ana @Jo @Zed see you at 10"

    mentioned = services.post_message(chatter, f"Thanks @{name}!")
    assert mentioned.body == f"Thanks @[{named.user_id}]!"
    assert list(Mention.objects.filter(message=mentioned).values_list("user_id", flat=True)) == [named.user_id]


def test_editing_saves_the_mentions_again_and_the_edit_box_shows_names(
    client: Client, group: ChatGroup, chatter: GroupMember, moderator: GroupMember, priya: GroupMember
) -> None:
    message = services.post_message(chatter, "@Priya can you bring the map?")
    client.force_login(chatter.user)
    shown = row(page(client, group_url(group)), message.seq)
    assert ">@Priya can you bring the map?</textarea>" in shown

    client.post(message_url("chat:edit-message", message), {"body": "@Priya President can you bring the map?"})

    message.refresh_from_db()
    assert message.body == f"@[{moderator.user_id}] can you bring the map?"
    assert list(Mention.objects.filter(message=message).values_list("user_id", flat=True)) == [moderator.user_id]


# --- Escaping what people type ----------------------------------------------------------------------


@pytest.mark.parametrize("payload", XSS)
def test_a_display_name_and_a_message_that_look_like_html_are_shown_as_text_everywhere(
    client: Client,
    group: ChatGroup,
    chatter: GroupMember,
    moderator: GroupMember,
    membership_type: Any,
    payload: str,
) -> None:
    evil = newcomer(payload, "eve.evil", membership_type, group)
    said = services.post_message(evil, f"{payload} <script>alert(2)</script>")
    services.post_message(chatter, f"@{payload} no thanks", reply_to=said)
    assert Mention.objects.filter(user=evil.user).exists()
    thread = services.open_thread(evil, actor=moderator.user, body=f"About {payload}")
    services.reply_in_thread(thread, actor=evil.user, body=f"Me? {payload}")

    pages = {
        moderator.user: [
            group_url(group),  # with the members list, read-only and remove forms, private conversations
            group_url(group, "chat:messages") + "?after=0",
            group_url(group, "chat:messages") + f"?before={said.seq + 2}",
            member_url("chat:start-thread", evil),
            thread.get_absolute_url(),
        ],
        evil.user: [group_url(group), thread.get_absolute_url()],
        chatter.user: [group_url(group)],
    }
    for person, urls in pages.items():
        client.force_login(person)
        for url in urls:
            html = page(client, url)
            assert payload not in html, url
            assert "<script>alert(2)" not in html, url
            assert escaped(payload) in html or escaped(payload).replace('"', "&quot;") in html, url


@pytest.mark.parametrize("payload", XSS)
def test_notice_wording_and_a_suggested_groups_name_are_shown_as_text(
    client: Client,
    group: ChatGroup,
    society: Any,
    committee_trained: Any,
    chatter: GroupMember,
    moderator: GroupMember,
    payload: str,
) -> None:
    social = services.create_group(actor=committee_trained, society=society, name=payload, purpose="Pub.")
    client.force_login(moderator.user)
    client.post(group_url(group, "chat:notices"), {"kind": "off_topic", "text": f"{payload} try {{social}}"})
    client.post(group_url(group, "chat:post-notice"), {"kind": "off_topic", "social": str(social.pk)})
    notice = Message.objects.get(group=group, kind=Message.Kind.NOTICE)

    for person, url in (
        (moderator.user, group_url(group, "chat:notices")),
        (moderator.user, group_url(group)),  # the list of groups to suggest names it too
        (chatter.user, group_url(group)),
        (chatter.user, group_url(group, "chat:messages") + "?after=0"),
    ):
        client.force_login(person)
        html = page(client, url)
        assert payload not in html, url
    client.force_login(chatter.user)
    assert "try “" in row(page(client, group_url(group)), notice.seq)


# --- One-click notices ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["guidelines", "off_topic", "not_tolerated"])
def test_a_moderator_posts_each_notice_in_one_click_as_from_the_moderators(
    client: Client, group: ChatGroup, chatter: GroupMember, moderator: GroupMember, kind: str
) -> None:
    client.force_login(moderator.user)
    html = page(client, group_url(group))
    assert f'<input type="hidden" name="kind" value="{kind}">' in html

    response = client.post(group_url(group, "chat:post-notice"), {"kind": kind})

    assert response["Location"] == group_url(group)
    assert messages_of(response) == [POSTED_NOTICE]
    notice = Message.objects.get(group=group)
    assert notice.kind == Message.Kind.NOTICE
    event = AuditEvent.objects.get(action="chat.notice.posted")
    assert (event.actor, event.data) == (moderator.user, {"kind": kind})
    client.force_login(chatter.user)
    shown = row(page(client, group_url(group)), notice.seq)
    assert "chat-notice" in shown
    assert "<strong>The moderators</strong>" in shown


def test_a_notice_never_names_the_moderator_who_posted_it(
    client: Client, group: ChatGroup, chatter: GroupMember, moderator: GroupMember
) -> None:
    notice = services.post_notice(group, actor=moderator.user, kind="not_tolerated")
    reply = services.post_message(chatter, "Sorry, everyone.", reply_to=notice)

    client.force_login(chatter.user)
    html = page(client, group_url(group))
    shown = row(html, notice.seq)
    assert "The moderators" in shown
    assert "Priya President" not in shown
    assert ">PP<" not in shown
    assert f'data-author="{moderator.user_id}"' not in shown
    assert "Priya President" not in row(html, reply.seq)
    assert "Priya President" not in page(client, group_url(group) + f"?reply={notice.seq}")


def test_the_guidelines_notice_includes_the_current_guidelines(
    client: Client, group: ChatGroup, moderator: GroupMember, committee_trained: Any
) -> None:
    services.update_guidelines(group, actor=committee_trained, text="1. Be kind.\n2. No selling tickets on.")
    client.force_login(moderator.user)

    client.post(group_url(group, "chat:post-notice"), {"kind": "guidelines"})

    notice = Message.objects.get(group=group)
    assert notice.body == f"{NOTICE_GUIDELINES}\n\n1. Be kind.\n2. No selling tickets on."


def test_the_off_topic_notice_names_the_group_suggested_and_the_groups_purpose(
    client: Client, group: ChatGroup, socials: ChatGroup, chatter: GroupMember, moderator: GroupMember
) -> None:
    client.force_login(moderator.user)
    choices = re.search(r'<select id="social-group".*?</select>', page(client, group_url(group)), re.DOTALL)
    assert choices is not None
    assert f'<option value="{socials.pk}">Hiking socials</option>' in choices.group(0)
    assert f'<option value="{group.pk}">' not in choices.group(0)  # not the group itself

    response = client.post(group_url(group, "chat:post-notice"), {"kind": "off_topic", "social": str(socials.pk)})

    assert messages_of(response) == [POSTED_NOTICE]
    notice = Message.objects.get(group=group)
    assert notice.body == NOTICE_OFF_TOPIC.replace("{purpose}", "Planning our weekend walks.").replace(
        "{social}", "“Hiking socials”"
    )
    client.force_login(chatter.user)
    assert "“Hiking socials” is the place for it." in row(page(client, group_url(group)), notice.seq)


def test_the_off_topic_notice_without_a_group_suggests_a_social_group(
    client: Client, group: ChatGroup, moderator: GroupMember
) -> None:
    client.force_login(moderator.user)
    client.post(group_url(group, "chat:post-notice"), {"kind": "off_topic"})

    assert "if you'd like to carry on about this, a social group is the place for it." in Message.objects.get().body


@pytest.mark.parametrize("suggested", ["other_society", "rep_group", "itself"])
def test_the_off_topic_notice_refuses_a_group_of_another_society(
    request: pytest.FixtureRequest,
    client: Client,
    group: ChatGroup,
    moderator: GroupMember,
    other_committee: Any,
    suggested: str,
) -> None:
    if suggested == "other_society":
        social = services.create_group(
            actor=other_committee, society=request.getfixturevalue("other_society"), name="Chess pub", purpose="Pub."
        )
    elif suggested == "rep_group":
        social = request.getfixturevalue("rep_group")
    else:
        social = group
    client.force_login(moderator.user)

    response = client.post(group_url(group, "chat:post-notice"), {"kind": "off_topic", "social": str(social.pk)})

    assert response["Location"] == group_url(group)
    assert messages_of(response) == ["Suggest another group of the same society."]
    assert not Message.objects.filter(group=group).exists()
    assert not AuditEvent.objects.filter(action="chat.notice.posted").exists()


def test_an_unknown_notice_is_refused(client: Client, group: ChatGroup, moderator: GroupMember) -> None:
    client.force_login(moderator.user)
    for kind in ("", "shout", "{social}"):
        response = client.post(group_url(group, "chat:post-notice"), {"kind": kind})
        assert messages_of(response)[-1] == "Choose one of the notices offered."
    assert not Message.objects.exists()


def test_moderators_edit_a_notices_wording_and_the_button_posts_it(
    client: Client, group: ChatGroup, socials: ChatGroup, moderator: GroupMember
) -> None:
    client.force_login(moderator.user)
    notices = group_url(group, "chat:notices")
    html = page(client, notices)
    for default in (NOTICE_GUIDELINES, NOTICE_NOT_TOLERATED):
        assert escaped(default).replace("'", "&#x27;") in html

    response = client.post(notices, {"kind": "off_topic", "text": "Please take this to {social}, thanks!"})

    assert response["Location"] == notices
    assert messages_of(response) == ["Saved. The button posts this wording from now on."]
    assert NoticeText.objects.get(group=group, kind="off_topic").updated_by == moderator.user
    event = AuditEvent.objects.get(action="chat.notice.edited")
    assert (event.actor, event.data) == (moderator.user, {"kind": "off_topic"})
    assert "Please take this to {social}, thanks!" in page(client, notices)
    client.post(group_url(group, "chat:post-notice"), {"kind": "off_topic", "social": str(socials.pk)})
    assert Message.objects.get(group=group).body == "Please take this to “Hiking socials”, thanks!"


@pytest.mark.parametrize(
    ("kind", "text", "refusal"),
    [
        (
            "off_topic",
            "Please stay on topic.",
            "Keep {social} in the off-topic notice: it is where the group you suggest is named.",
        ),
        ("not_tolerated", "   ", "Write the notice, or keep the one offered."),
        ("shout", "STOP", "Choose one of the notices offered."),
    ],
)
def test_a_notices_wording_is_refused_without_what_it_needs(
    client: Client, group: ChatGroup, moderator: GroupMember, kind: str, text: str, refusal: str
) -> None:
    client.force_login(moderator.user)

    response = client.post(group_url(group, "chat:notices"), {"kind": kind, "text": text})

    assert messages_of(response) == [refusal]
    assert not NoticeText.objects.exists()
    assert not AuditEvent.objects.filter(action="chat.notice.edited").exists()


@pytest.mark.parametrize(("who", "status"), [("chatter", 403), ("student", 404), ("other_committee", 404)])
def test_only_moderators_post_notices_or_edit_their_wording(
    request: pytest.FixtureRequest, client: Client, group: ChatGroup, chatter: GroupMember, who: str, status: int
) -> None:
    client.force_login(chatter.user if who == "chatter" else request.getfixturevalue(who))
    notices = group_url(group, "chat:notices")

    assert client.get(notices).status_code == status
    assert client.post(notices, {"kind": "off_topic", "text": "Go to {social}"}).status_code == status
    assert client.post(group_url(group, "chat:post-notice"), {"kind": "not_tolerated"}).status_code == status
    assert not NoticeText.objects.exists()
    assert not Message.objects.exists()


# --- A private word with a member -----------------------------------------------------------------


def test_a_moderator_writes_privately_and_only_the_member_is_emailed(
    client: Client,
    group: ChatGroup,
    chatter: GroupMember,
    moderator: GroupMember,
    priya: GroupMember,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(moderator.user)
    write = member_url("chat:start-thread", chatter)
    html = page(client, write)
    assert "Hi Mia Member," in html
    assert "We&#x27;re the moderators of “Hiking Society”." in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(write, {"body": "Hi Mia, please keep it kind. — the moderators"})

    thread = ModeratorThread.objects.get()
    assert response["Location"] == thread.get_absolute_url()
    assert (thread.group, thread.member, thread.opened_by) == (group, chatter.user, moderator.user)
    assert messages_of(response) == ["Sent privately to Mia Member; they are emailed that it is there."]
    event = AuditEvent.objects.get(action="chat.thread.opened")
    assert (event.actor, event.data) == (moderator.user, {"member": chatter.user_id, "thread": thread.pk})
    [email] = mailoutbox
    assert email.to == [chatter.user.email]
    assert not email.cc and not email.bcc
    assert email.from_email == society_sender("Hiking Society")
    assert email.subject == "A message from the moderators of Hiking Society"
    assert thread.get_absolute_url() in email.body
    everything = email.body + "".join(str(content) for content, _ in email.alternatives) + str(email.reply_to)
    for other in (moderator.user, priya.user):
        assert other.email not in everything
        assert other.display_name not in everything


def test_the_plain_text_email_shows_names_as_written(
    society: Any,
    committee_trained: Any,
    membership_type: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    walks = services.create_group(actor=committee_trained, society=society, name="Walks & Talks", purpose="Walks.")
    siobhan = newcomer("Siobhán O'Neil", "siobhan.oneil", membership_type, walks)

    with django_capture_on_commit_callbacks(execute=True):
        services.open_thread(siobhan, actor=committee_trained, body="Please keep it kind.")

    [email] = mailoutbox
    assert email.subject == "A message from the moderators of Walks & Talks"
    assert "Hi Siobhán O'Neil," in email.body
    assert "“Walks & Talks”" in email.body


def test_the_member_sees_the_moderators_never_which_moderator(
    client: Client, group: ChatGroup, chatter: GroupMember, moderator: GroupMember
) -> None:
    thread = services.open_thread(chatter, actor=moderator.user, body="Please keep it kind.")

    client.force_login(chatter.user)
    html = page(client, thread.get_absolute_url())
    assert "From the moderators of Hiking Society" in html
    assert "<strong>The moderators</strong>" in html
    assert "Please keep it kind." in html
    assert "Priya President" not in html
    assert "The moderators wrote to you privately" in page(client, group_url(group))

    client.force_login(moderator.user)
    html = page(client, thread.get_absolute_url())
    assert "Private conversation with Mia Member" in html
    assert "Priya President (moderator)" in html  # moderators see which of them wrote


@pytest.mark.parametrize(
    ("who", "status"),
    [("priya", 404), ("student", 404), ("other_committee", 404), ("committee_untrained", 404), ("su_staff", 200)],
)
def test_only_the_member_and_the_groups_moderators_open_a_private_thread(
    request: pytest.FixtureRequest,
    client: Client,
    group: ChatGroup,
    chatter: GroupMember,
    moderator: GroupMember,
    priya: GroupMember,
    who: str,
    status: int,
) -> None:
    thread = services.open_thread(chatter, actor=moderator.user, body="Please keep it kind.")
    person = request.getfixturevalue(who)
    client.force_login(person.user if isinstance(person, GroupMember) else person)

    response = client.get(thread.get_absolute_url())

    assert response.status_code == status
    assert (b"Please keep it kind." in response.content) is (status == 200)
    response = client.post(thread.get_absolute_url(), {"body": "Union staff here."})
    assert response.status_code == (302 if status == 200 else status)
    assert ThreadMessage.objects.filter(body="Union staff here.").exists() is (status == 200)
    if who == "priya":
        assert "wrote to you privately" not in page(client, group_url(group))


def test_the_member_replies_and_only_a_moderators_answer_emails_them(
    client: Client,
    group: ChatGroup,
    chatter: GroupMember,
    moderator: GroupMember,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    thread = services.open_thread(chatter, actor=moderator.user, body="Please keep it kind.")
    client.force_login(chatter.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(thread.get_absolute_url(), {"body": "Sorry, it was a bad day."})

    assert response["Location"] == thread.get_absolute_url()
    reply = ThreadMessage.objects.get(body="Sorry, it was a bad day.")
    assert (reply.author, reply.from_moderators) == (chatter.user, False)
    assert mailoutbox == []
    client.force_login(moderator.user)
    assert "Sorry, it was a bad day." in page(client, thread.get_absolute_url())

    with django_capture_on_commit_callbacks(execute=True):
        client.post(thread.get_absolute_url(), {"body": "Thanks, Mia. Take care."})

    assert [email.to for email in mailoutbox] == [[chatter.user.email]]
    assert [(e.data["from_moderators"]) for e in AuditEvent.objects.filter(action="chat.thread.reply")] == [True, False]


def test_members_cannot_write_privately_to_each_other_as_the_moderators(
    client: Client, group: ChatGroup, chatter: GroupMember, priya: GroupMember
) -> None:
    client.force_login(chatter.user)
    write = member_url("chat:start-thread", priya)

    assert client.get(write).status_code == 403
    assert client.post(write, {"body": "Behave."}).status_code == 403
    assert not ModeratorThread.objects.exists()


def test_a_moderator_cannot_write_to_themselves(client: Client, group: ChatGroup, moderator: GroupMember) -> None:
    client.force_login(moderator.user)

    response = client.post(member_url("chat:start-thread", moderator), {"body": "Note to self."})

    assert response.status_code == 200
    assert "Choose someone else." in response.content.decode()
    assert not ModeratorThread.objects.exists()


# --- Scrolling back ----------------------------------------------------------------------------------


@pytest.fixture
def long_history(settings: Any, group: ChatGroup, chatter: GroupMember) -> ChatGroup:
    """110 messages, "Walk 1" to "Walk 110"."""
    settings.CHAT_RATE_LIMIT_PER_MINUTE = 1000
    for n in range(1, 111):
        services.post_message(chatter, f"Walk {n}")
    return group


def seqs_in(html: str) -> list[int]:
    return [int(seq) for seq in re.findall(r'<li class="chat-message[^"]*" id="m(\d+)"', html)]


def test_the_group_page_shows_the_latest_fifty_and_scrolling_back_the_fifty_before(
    client: Client, long_history: ChatGroup, chatter: GroupMember, django_assert_num_queries: Any
) -> None:
    client.force_login(chatter.user)
    html = page(client, group_url(long_history))
    assert seqs_in(html) == list(range(61, 111))
    assert "?before=61" in html

    # Pinned: the session and user, the group and the reader's access (with the platform-suspension
    # check conduct registers), then the page of messages with their mentions and reactions in one
    # query each, however many rows there are.
    with django_assert_num_queries(10):
        html = page(client, group_url(long_history, "chat:messages") + "?before=61")

    assert seqs_in(html) == list(range(11, 61))
    assert "Walk 11<" in html and "Walk 61<" not in html
    assert "?before=11" in html
    assert "This is the start of the group." not in html


def test_scrolling_back_to_the_first_message_says_it_is_the_start_of_the_group(
    client: Client, long_history: ChatGroup, chatter: GroupMember
) -> None:
    client.force_login(chatter.user)

    html = page(client, group_url(long_history, "chat:messages") + "?before=11")

    assert seqs_in(html) == list(range(1, 11))
    assert "This is the start of the group." in html
    assert "?before=" not in html


def test_scrolling_back_past_the_first_message_says_it_is_the_start_of_the_group(
    client: Client, long_history: ChatGroup, chatter: GroupMember
) -> None:
    client.force_login(chatter.user)

    html = page(client, group_url(long_history, "chat:messages") + "?before=1")

    assert seqs_in(html) == []
    assert "This is the start of the group." in html
    assert "?before=" not in html


def test_scrolling_back_shows_nothing_to_outsiders_or_before_accepting(
    client: Client, long_history: ChatGroup, student: Any, membership_type: Any
) -> None:
    url = group_url(long_history, "chat:messages") + "?before=61"
    client.force_login(student)
    assert client.get(url).status_code == 404

    unaccepted = make_person("Nia New", "nia.new")
    join(unaccepted, membership_type)
    services.join_group(unaccepted, long_history, token=long_history.invite_token)
    client.force_login(unaccepted)
    response = client.get(url)
    assert response.status_code == 204
    assert b"Walk" not in response.content
