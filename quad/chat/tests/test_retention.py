"""Retention (item 13): the daily sweep deletes messages older than CHAT_RETENTION_DAYS, with their
reactions and mentions, except those an open case holds; in batches; once; with a summary in the audit."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from quad.chat import retention, scheduling, services
from quad.chat.models import ChatGroup, GroupMember, Mention, Message, Reaction, ScheduledPost
from quad.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def held() -> Iterator[set[int]]:
    """Message ids an open case holds: only these, whatever other apps register, while the test runs."""
    ids: set[int] = set()
    saved = list(services._retention_holds)
    services._retention_holds[:] = [lambda: ids]
    yield ids
    services._retention_holds[:] = saved


def age(message: Message, days: int) -> Message:
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))
    return message


def test_old_messages_go_with_their_reactions_and_mentions_held_and_recent_ones_stay(
    settings: Any, group: ChatGroup, chatter: GroupMember, moderator: GroupMember, member: Any, held: set[int]
) -> None:
    assert settings.CHAT_RETENTION_DAYS == 365
    old = age(services.post_message(moderator, f"@[{member.pk}] last year's walk"), 400)
    services.react(old, user=member, emoji="👍")
    evidence = age(services.post_message(chatter, "Something a case is about"), 400)
    held.add(evidence.pk)
    reply = services.post_message(chatter, "Replying to last year", reply_to=old)
    edge = age(services.post_message(chatter, "Just inside the period"), 364)
    assert Mention.objects.filter(message=old).exists()

    swept = retention.sweep_messages()

    assert swept == retention.Swept(deleted=1, held=1)
    assert set(Message.objects.values_list("pk", flat=True)) == {evidence.pk, reply.pk, edge.pk}
    assert not Reaction.objects.exists()
    assert not Mention.objects.exists()
    reply.refresh_from_db()
    assert reply.reply_to is None
    audit = AuditEvent.objects.get(action="chat.retention.swept")
    assert (audit.scope, audit.data["deleted"], audit.data["held"]) == ("union", 1, 1)

    assert retention.sweep_messages() == retention.Swept(deleted=0, held=1)
    assert AuditEvent.objects.filter(action="chat.retention.swept").count() == 1


def test_the_sweep_works_through_every_batch(
    settings: Any, group: ChatGroup, chatter: GroupMember, held: set[int]
) -> None:
    settings.CHAT_RATE_LIMIT_PER_MINUTE = 100
    messages = [age(services.post_message(chatter, f"Walk {n}"), 500) for n in range(7)]
    held.add(messages[3].pk)

    assert retention.sweep_messages(batch=2) == retention.Swept(deleted=6, held=1)
    assert list(Message.objects.values_list("pk", flat=True)) == [messages[3].pk]


def test_a_scheduled_post_goes_with_the_message_it_became_so_it_is_never_posted_again(
    group: ChatGroup, chatter: GroupMember, held: set[int]
) -> None:
    scheduled = scheduling.schedule_message(chatter, "Morning all")
    scheduling.post_due_messages(now=scheduled.send_at)
    age(Message.objects.get(), 400)

    retention.sweep_messages()

    assert not ScheduledPost.objects.exists()
    assert scheduling.post_due_messages() == 0
    assert not Message.objects.exists()


def test_the_sweep_runs_daily_from_its_command(
    settings: Any, group: ChatGroup, chatter: GroupMember, held: set[int]
) -> None:
    # The daily privacy sweep runs every retention kind, chat's among them; the chat command runs it alone.
    assert ("apply_retention", 86400) in settings.PERIODIC_JOBS
    age(services.post_message(chatter, "Old news"), 30)
    settings.CHAT_RETENTION_DAYS = 7
    call_command("sweep_chat_messages", verbosity=0)
    assert not Message.objects.exists()
