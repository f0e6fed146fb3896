"""Conduct tests: Hiking Society's group chat with people in it, quiet hours off, a clock, and mail.

- ``group``: Hiking Society's group chat, opened by its President (``committee_trained``, a moderator)
- ``chatter``: ``member`` (Mia) in ``group``, guidelines accepted: the one who reports
- ``moderator``: ``committee_trained`` (Priya) in ``group``
- ``rude``: Rex, another member of Hiking Society, in ``group``: the one reported
- ``said``: a message Rex posted in ``group``
- ``officer``: an elected union officer, with two-factor sign-in
- ``clock``: `timezone.now()` for this test, moved with ``clock.travel_to(moment)`` or ``clock.advance(hours=...)``
- ``mail``: the outbox, asked who got what; ``commit``: `with commit():` sends what a block queued on commit
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from conftest import join, make_person
from quad.chat import services as chat_services
from quad.chat.models import ChatGroup, GroupMember, Message
from quad.chat.permissions import current_version

REAL_NOW = timezone.now


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings: Any) -> None:
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = datetime.time(0, 0)
    settings.CONDUCT_ALERT_EMAILS = []
    settings.CHAT_RATE_LIMIT_PER_MINUTE = 1000


def enter(user: Any, group: ChatGroup) -> GroupMember:
    """Join by the invite link and accept the current guidelines, as a person does on the invite page."""
    joined = chat_services.join_group(user, group, token=group.invite_token)
    return chat_services.accept_guidelines(joined, version=current_version(group))


def says(text: str) -> str:
    """A `pytest.raises(match=...)` pattern for exactly `text`, the words a person is shown."""
    return f"^{re.escape(text)}$"


def say(member: GroupMember, body: str) -> Message:
    return chat_services.post_message(member, body, in_quiet_hours=True)


@pytest.fixture
def group(society: Any, committee_trained: Any) -> ChatGroup:
    return chat_services.create_group(
        actor=committee_trained, society=society, name="Hiking Society", purpose="Planning our weekend walks."
    )


@pytest.fixture
def chatter(member: Any, group: ChatGroup) -> GroupMember:
    return enter(member, group)


@pytest.fixture
def moderator(committee_trained: Any, group: ChatGroup) -> GroupMember:
    return enter(committee_trained, group)


@pytest.fixture
def rude(membership_type: Any, group: ChatGroup) -> GroupMember:
    person = make_person("Rex Rude", "rex.rude")
    join(person, membership_type)
    return enter(person, group)


@pytest.fixture
def said(rude: GroupMember, chatter: GroupMember) -> Message:
    return say(rude, "Nobody wants you on the walk, Mia.")


@pytest.fixture
def officer(db: None) -> Any:
    user = make_person("Olu Officer", "olu.officer", student=False)
    user.is_officer = True
    user.save(update_fields=["is_officer"])
    TOTP.activate(user, "JBSWY3DPEHPK3PXPQUADOFFI")
    return user


@dataclass
class Clock:
    offset: datetime.timedelta = datetime.timedelta(0)

    def now(self) -> datetime.datetime:
        return REAL_NOW() + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock.now)
    return clock


@dataclass
class Mail:
    """The test's outbox, asked who got what."""

    outbox: list[Any]

    def to(self, address: str) -> list[Any]:
        return [m for m in self.outbox if address in m.to]

    def subjects(self, address: str) -> list[str]:
        return [m.subject for m in self.to(address)]

    def everything_to(self, address: str) -> str:
        """Subjects, text and HTML of everything sent to `address`."""
        return "\n".join(
            f"{m.subject}\n{m.body}\n" + "\n".join(str(part[0]) for part in getattr(m, "alternatives", []))
            for m in self.to(address)
        )


@pytest.fixture
def mail(mailoutbox: list[Any]) -> Mail:
    return Mail(mailoutbox)


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Callable[[], AbstractContextManager[Any]]:
    """`with commit():` runs what the block queued for after its transaction (email, closing sockets) when
    the block ends, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
