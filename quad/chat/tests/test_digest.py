"""The mention digest (guidance W14, W15): one email per person for the mentions they have not read after
CHAT_DIGEST_AFTER_MINUTES; none for muted groups, read, hidden or deleted messages, or people who left;
held in quiet hours; sent once however often the job runs; display names only, never an address."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conftest import join, make_person
from quad.chat import digest, services
from quad.chat.models import ChatGroup, GroupMember, Mention
from quad.chat.tests.conftest import enter, local

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(minutes=31)


def mention(author: GroupMember, person: Any, text: str = "are you coming on Saturday?") -> Any:
    return services.post_message(author, f"@[{person.pk}] {text}", in_quiet_hours=True)


@pytest.fixture
def sent(mailoutbox: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """Run the digest job (half an hour on, unless told when) and return what it emailed."""

    def send(now: datetime.datetime | None = None) -> list[Any]:
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            digest.send_digests(now=now or timezone.now() + LATER)
        return list(mailoutbox[before:])

    return send


def test_an_unread_mention_is_emailed_once_after_half_an_hour(
    group: ChatGroup, chatter: GroupMember, moderator: GroupMember, member: Any, sent: Any
) -> None:
    message = mention(moderator, member)

    assert sent(timezone.now() + datetime.timedelta(minutes=20)) == []
    assert Mention.objects.get().notified_at is None

    [email] = sent()
    assert email.to == [member.email]
    assert email.subject == "Priya President mentioned you in Hiking Society"
    assert "Hiking Society" in email.body
    assert "Priya President: @Mia Member are you coming on Saturday?" in email.body
    link = reverse("chat:group", kwargs={"pk": group.pk}) + f"#m{message.seq}"
    assert link in email.body
    assert Mention.objects.get().notified_at is not None

    assert sent() == []  # running again sends nothing more
    assert sent(timezone.now() + datetime.timedelta(days=1)) == []


def test_several_mentions_in_several_groups_make_one_email(
    society: Any, group: ChatGroup, chatter: GroupMember, moderator: GroupMember, member: Any, sent: Any
) -> None:
    socials = services.create_group(
        actor=moderator.user, society=society, name="Hiking socials", purpose="Pub after the walk."
    )
    enter(member, socials)
    mention(moderator, member, "boots or trainers?")
    mention(enter(moderator.user, socials), member, "pub at 6?")

    [email] = sent()
    assert email.subject == "You were mentioned 2 times in your group chats"
    assert "boots or trainers?" in email.body and "pub at 6?" in email.body
    assert "Hiking socials" in email.body


def test_muted_read_hidden_deleted_and_gone_are_never_emailed_but_marked(
    group: ChatGroup,
    chatter: GroupMember,
    moderator: GroupMember,
    member: Any,
    membership_type: Any,
    committee_trained: Any,
    sent: Any,
) -> None:
    read = mention(moderator, member, "read it")
    services.mark_read(chatter, seq=read.seq)
    services.hide_message(mention(moderator, member, "hidden"), actor=committee_trained, reason="Off topic.")
    services.delete_message(mention(moderator, member, "deleted"), actor=committee_trained)
    leaver = make_person("Lee Left", "lee.left")
    join(leaver, membership_type)
    services.leave_group(left := enter(leaver, group))
    Mention.objects.create(message=services.post_message(moderator, "Lee, lift?"), user=left.user)

    assert sent() == []
    assert not Mention.objects.filter(notified_at__isnull=True).exists()

    services.set_muted(chatter, muted=True)
    mention(moderator, member, "muted now")
    assert sent() == []
    assert not Mention.objects.filter(notified_at__isnull=True).exists()


def test_quiet_hours_hold_the_digest_until_the_morning(
    group: ChatGroup, chatter: GroupMember, moderator: GroupMember, member: Any, settings: Any, sent: Any
) -> None:
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = datetime.time(22, 0), datetime.time(8, 0)
    mention(moderator, member)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    assert sent(local(tomorrow, 23, 30)) == []
    assert sent(local(tomorrow + datetime.timedelta(days=1), 7, 59)) == []
    assert Mention.objects.get().notified_at is None

    [email] = sent(local(tomorrow + datetime.timedelta(days=1), 8, 0))
    assert email.to == [member.email]


def test_the_digest_shows_no_email_address(
    group: ChatGroup,
    chatter: GroupMember,
    moderator: GroupMember,
    member: Any,
    membership_type: Any,
    committee_trained: Any,
    sent: Any,
) -> None:
    other = make_person("Bea Member", "bea.member")
    join(other, membership_type)
    enter(other, group)
    blank = make_person("", "no.name")  # no display name: str() of them would be their address
    join(blank, membership_type)
    services.post_message(enter(blank, group), f"@[{member.pk}] @[{other.pk}] and @[{blank.pk}], lift?")

    emails = sent()
    assert sorted(address for email in emails for address in email.to) == sorted([member.email, other.email])
    for email in emails:
        text = email.body + email.alternatives[0][0]
        for person in (member, other, blank, committee_trained):
            if [person.email] != email.to:
                assert person.email not in text
        assert "Someone:" in email.body


def test_the_job_runs_from_the_command_and_the_schedule(
    settings: Any, group: ChatGroup, chatter: GroupMember, moderator: GroupMember, member: Any
) -> None:
    assert ("send_chat_digests", 900) in settings.PERIODIC_JOBS
    assert settings.CHAT_DIGEST_AFTER_MINUTES == 30
    mention(moderator, member)
    settings.CHAT_DIGEST_AFTER_MINUTES = 0
    call_command("send_chat_digests", verbosity=0)
    assert Mention.objects.get().notified_at is not None
