"""The pages: following an invite link and joining, the group page and posting, catching up by sequence
number, escaping what people write, hidden messages, quiet hours, leaving and muting, and the committee's
page of the society's groups."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from quad.chat import services
from quad.chat.models import ChatGroup, GroupMember, Message
from quad.chat.tests.conftest import Clock, a_working_day, local

pytestmark = pytest.mark.django_db

NOT_A_MEMBER = "This group is for members of Hiking Society — join the society first."


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response
    return response.content.decode()


def invite_url(group: ChatGroup) -> str:
    return reverse("chat:invite", kwargs={"token": group.invite_token})


def group_url(group: ChatGroup, name: str = "chat:group") -> str:
    return reverse(name, kwargs={"pk": group.pk})


def post(client: Client, group: ChatGroup, body: str, **fields: str) -> Any:
    return client.post(group_url(group, "chat:post-message"), {"body": body, **fields})


# --- Joining by the invite link --------------------------------------------------------------------


def test_member_reads_purpose_and_guidelines_then_joins_and_posts(
    client: Client, group: ChatGroup, member: Any
) -> None:
    client.force_login(member)
    html = page(client, invite_url(group))
    assert "Planning our weekend walks." in html
    assert "Please be kind and respectful to others in the group." in html
    assert "display name only" in html
    assert 'name="accept"' in html

    response = client.post(invite_url(group), {"accept": "yes"})
    assert response.status_code == 302
    assert response["Location"] == group_url(group)
    joined = GroupMember.objects.get(group=group, user=member)
    assert joined.accepted_version == 1

    html = page(client, group_url(group))
    assert 'action="{}"'.format(group_url(group, "chat:post-message")) in html
    response = post(client, group, "Who is coming on Saturday?")
    assert response.status_code == 302
    assert response["Location"] == group_url(group)
    assert "Who is coming on Saturday?" in page(client, group_url(group))
    assert Message.objects.get(group=group).author == member


def test_joining_without_ticking_accept_asks_for_the_guidelines_on_the_group_page(
    client: Client, group: ChatGroup, member: Any
) -> None:
    client.force_login(member)
    client.post(invite_url(group), {})
    html = page(client, group_url(group))
    assert "I accept them" in html
    assert 'action="{}"'.format(group_url(group, "chat:post-message")) not in html
    assert client.get(group_url(group, "chat:messages")).status_code == 204


def test_student_who_is_not_a_member_is_told_to_join_the_society_and_gets_no_form(
    client: Client, group: ChatGroup, student: Any
) -> None:
    client.force_login(student)
    html = page(client, invite_url(group))
    assert NOT_A_MEMBER in html
    assert 'name="accept"' not in html
    assert "Join the group" not in html
    response = client.post(invite_url(group), {"accept": "yes"})
    assert response["Location"] == invite_url(group)
    assert messages_of(response) == [NOT_A_MEMBER]
    assert not GroupMember.objects.filter(group=group, user=student).exists()


def test_signed_out_visitor_sees_the_purpose_and_is_asked_to_sign_in(client: Client, group: ChatGroup) -> None:
    html = page(client, invite_url(group))
    assert "Planning our weekend walks." in html
    assert "Sign in to join" in html
    assert 'name="accept"' not in html


def test_old_invite_link_stops_working_after_a_new_one_is_made(
    client: Client, group: ChatGroup, moderator: GroupMember, member: Any
) -> None:
    old = invite_url(group)
    client.force_login(moderator.user)
    response = client.post(group_url(group, "chat:rotate-invite"))
    assert response["Location"] == group_url(group)
    group.refresh_from_db()
    assert invite_url(group) != old
    client.force_login(member)
    assert client.get(old).status_code == 404
    assert client.post(old, {"accept": "yes"}).status_code == 404
    assert page(client, invite_url(group))


def test_removed_member_cannot_rejoin_with_old_link(
    client: Client, group: ChatGroup, chatter: GroupMember, moderator: GroupMember
) -> None:
    client.force_login(moderator.user)
    url = reverse("chat:remove-member", kwargs={"pk": group.pk, "member_pk": chatter.pk})
    response = client.post(url, {"reason": "Abusive messages."})
    assert response["Location"] == group_url(group)
    chatter.refresh_from_db()
    assert chatter.removed_at is not None

    client.force_login(chatter.user)
    assert client.get(group_url(group)).status_code == 404
    html = page(client, invite_url(group))
    assert "You were removed from this group, so its invite links no longer admit you." in html
    assert 'name="accept"' not in html
    client.post(invite_url(group), {"accept": "yes"})
    chatter.refresh_from_db()
    assert chatter.removed_at is not None


# --- The group page and catching up ----------------------------------------------------------------


def test_catch_up_returns_only_the_messages_after_the_one_asked_for(
    client: Client, group: ChatGroup, chatter: GroupMember
) -> None:
    for text in ("First walk", "Second walk", "Third walk"):
        services.post_message(chatter, text)
    client.force_login(chatter.user)
    html = page(client, group_url(group, "chat:messages") + "?after=1")
    assert "First walk" not in html
    assert "Second walk" in html
    assert "Third walk" in html
    assert "?after=3" in html  # the next poll asks for what comes after the last one shown
    html = page(client, group_url(group, "chat:messages") + "?after=3")
    assert "walk" not in html


def test_catch_up_shows_nothing_to_someone_not_in_the_group(
    client: Client, group: ChatGroup, chatter: GroupMember, student: Any, committee_untrained: Any
) -> None:
    services.post_message(chatter, "Members only")
    for outsider in (student, committee_untrained):
        client.force_login(outsider)
        response = client.get(group_url(group, "chat:messages") + "?after=0")
        assert response.status_code == 404
        assert b"Members only" not in response.content
        assert client.get(group_url(group)).status_code == 404


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"])
def test_what_people_write_is_escaped(client: Client, group: ChatGroup, chatter: GroupMember, text: str) -> None:
    services.post_message(chatter, text)
    client.force_login(chatter.user)
    for url in (group_url(group), group_url(group, "chat:messages") + "?after=0"):
        html = page(client, url)
        assert text not in html, url
        assert text.replace("<", "&lt;").replace(">", "&gt;") in html, url


def test_hidden_message_shows_a_note_to_members_and_its_text_to_moderators(
    client: Client, group: ChatGroup, chatter: GroupMember, moderator: GroupMember, su_staff: Any
) -> None:
    message = services.post_message(chatter, "Something unkind")
    client.force_login(moderator.user)
    response = client.post(reverse("chat:hide-message", kwargs={"pk": message.pk}), {"reason": "Unkind."})
    assert response["Location"] == group_url(group)
    message.refresh_from_db()
    assert message.hidden_by == moderator.user

    client.force_login(chatter.user)
    for url in (group_url(group), group_url(group, "chat:messages") + "?after=0"):
        html = page(client, url)
        assert "Hidden by a moderator." in html
        assert "Something unkind" not in html
    for watcher in (moderator.user, su_staff):
        client.force_login(watcher)
        html = page(client, group_url(group))
        assert "Hidden by a moderator." in html
        assert "Something unkind" in html
        assert "Why: Unkind." in html


def test_member_cannot_hide_messages(client: Client, group: ChatGroup, chatter: GroupMember) -> None:
    message = services.post_message(chatter, "Mine")
    client.force_login(chatter.user)
    assert client.post(reverse("chat:hide-message", kwargs={"pk": message.pk}), {"reason": "x"}).status_code == 403
    message.refresh_from_db()
    assert message.hidden_at is None


# --- Posting ---------------------------------------------------------------------------------------


def test_quiet_hours_ask_before_posting_and_post_it_now_anyway_posts(
    client: Client, group: ChatGroup, chatter: GroupMember, settings: Any, clock: Clock
) -> None:
    settings.QUIET_HOURS_START = datetime.time(22, 0)
    settings.QUIET_HOURS_END = datetime.time(8, 0)
    clock.travel_to(local(a_working_day(), 23, 30))
    client.force_login(chatter.user)
    response = post(client, group, "Late thought: <bring torches>")
    assert response.status_code == 200
    html = response.content.decode()
    assert "It is quiet hours" in html
    assert "08:00" in html
    assert "Post it now anyway" in html
    assert "Late thought: &lt;bring torches&gt;" in html
    assert not Message.objects.filter(group=group).exists()

    response = post(client, group, "Late thought: <bring torches>", post_anyway="on")
    assert response["Location"] == group_url(group)
    assert Message.objects.get(group=group).body == "Late thought: <bring torches>"


def test_oversized_message_is_refused_and_nothing_saved(client: Client, group: ChatGroup, chatter: GroupMember) -> None:
    client.force_login(chatter.user)
    response = post(client, group, "x" * 4001)
    assert response["Location"] == group_url(group)
    [refusal] = messages_of(response)
    assert "4000" in refusal
    assert not Message.objects.filter(group=group).exists()
    assert post(client, group, "x" * 4000)["Location"] == group_url(group)
    assert Message.objects.filter(group=group).count() == 1


def test_moderator_who_has_not_joined_reads_but_does_not_post(
    client: Client, group: ChatGroup, chatter: GroupMember, committee_trained: Any
) -> None:
    services.post_message(chatter, "Hello all")
    client.force_login(committee_trained)
    html = page(client, group_url(group))
    assert "Hello all" in html
    assert 'action="{}"'.format(group_url(group, "chat:post-message")) not in html
    assert post(client, group, "From the committee").status_code == 403
    assert Message.objects.filter(group=group).count() == 1


# --- Leaving and muting ----------------------------------------------------------------------------


def test_leaving_takes_the_group_off_the_list_and_closes_it(
    client: Client, group: ChatGroup, chatter: GroupMember
) -> None:
    client.force_login(chatter.user)
    assert "Hiking Society" in page(client, reverse("chat:my-groups"))
    response = client.post(group_url(group, "chat:leave-group"))
    assert response["Location"] == reverse("chat:my-groups")
    assert messages_of(response) == ["You left “Hiking Society”."]
    chatter.refresh_from_db()
    assert chatter.left_at is not None
    assert "You are in no group chats yet." in page(client, reverse("chat:my-groups"))
    assert client.get(group_url(group)).status_code == 404
    assert post(client, group, "Still here?").status_code == 404


def test_muting_and_unmuting(client: Client, group: ChatGroup, chatter: GroupMember) -> None:
    client.force_login(chatter.user)
    response = client.post(group_url(group, "chat:mute-group"), {"muted": "yes"})
    assert response["Location"] == group_url(group)
    chatter.refresh_from_db()
    assert chatter.muted
    assert "Unmute" in page(client, group_url(group))
    assert ">muted<" in page(client, reverse("chat:my-groups"))
    client.post(group_url(group, "chat:mute-group"), {"muted": "no"})
    chatter.refresh_from_db()
    assert not chatter.muted


# --- The committee's page --------------------------------------------------------------------------


def test_committee_page_lists_groups_with_their_invite_links(
    client: Client, society: Any, group: ChatGroup, chatter: GroupMember, committee_untrained: Any
) -> None:
    client.force_login(committee_untrained)
    html = page(client, reverse("chat:society-groups", kwargs={"slug": society.slug}))
    assert "Hiking Society" in html
    assert invite_url(group) in html
    assert "Opening and moderating groups needs" in html
    assert "Open the group" not in html


def test_trained_president_opens_a_group(client: Client, society: Any, committee_trained: Any) -> None:
    client.force_login(committee_trained)
    url = reverse("chat:society-groups", kwargs={"slug": society.slug})
    assert "Open the group" in page(client, url)
    response = client.post(url, {"name": "Announcements", "purpose": "News from the committee."})
    assert response["Location"] == url
    assert messages_of(response) == ["“Announcements” is open. Share its invite link with your members."]
    made = ChatGroup.objects.get(society=society, name="Announcements")
    assert made.created_by == committee_trained
    assert invite_url(made) in page(client, url)


def test_untrained_secretary_cannot_open_a_group(client: Client, society: Any, committee_untrained: Any) -> None:
    client.force_login(committee_untrained)
    url = reverse("chat:society-groups", kwargs={"slug": society.slug})
    response = client.post(url, {"name": "Announcements", "purpose": "News from the committee."})
    assert response.status_code == 403
    assert not ChatGroup.objects.filter(society=society).exists()


def test_accepting_without_a_version_says_so_in_words(client: Client, group: ChatGroup, member: Any) -> None:
    services.join_group(member, group, token=group.invite_token)
    client.force_login(member)
    for version in ("", "one"):
        response = client.post(group_url(group, "chat:accept-guidelines"), {"version": version})
        assert response["Location"] == group_url(group)
        assert messages_of(response)[-1] == "The guidelines changed while you were reading them: read the new version."
    client.post(group_url(group, "chat:accept-guidelines"), {"version": "1"})
    assert GroupMember.objects.get(group=group, user=member).accepted_version == 1


def test_polling_with_nothing_new_leaves_the_poller_in_place(
    client: Client, group: ChatGroup, chatter: GroupMember
) -> None:
    """htmx swaps the poller out for what comes back: an empty 200 would stop the page asking; 204 does not."""
    services.post_message(chatter, "Only one")
    client.force_login(chatter.user)
    url = group_url(group, "chat:messages")
    assert client.get(url + "?after=1", headers={"HX-Request": "true"}).status_code == 204
    html = client.get(url + "?after=0", headers={"HX-Request": "true"}).content.decode()
    assert "Only one" in html
    assert 'id="catch-up"' in html
    assert "?after=1" in html


def test_moderators_see_who_is_in_the_group_with_a_remove_button_and_members_do_not(
    client: Client, group: ChatGroup, chatter: GroupMember, moderator: GroupMember
) -> None:
    remove = reverse("chat:remove-member", kwargs={"pk": group.pk, "member_pk": chatter.pk})

    client.force_login(moderator.user)
    html = page(client, group_url(group))
    assert f'action="{remove}"' in html
    assert chatter.user.display_name in html

    client.force_login(chatter.user)
    assert f'action="{remove}"' not in page(client, group_url(group))
