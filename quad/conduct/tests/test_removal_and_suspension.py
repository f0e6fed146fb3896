"""Removal tells the union with the evidence (W13); a platform-wide suspension stops someone posting in or
joining any group, closes their open chats, and ends when lifted or when its time is up."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from quad.chat import realtime
from quad.chat import services as chat_services
from quad.chat.errors import ChatError
from quad.chat.models import ChatGroup, GroupMember
from quad.conduct import services
from quad.conduct.errors import ConductError
from quad.conduct.models import Case, CaseNote
from quad.conduct.tests.conftest import say, says
from quad.core.models import AuditEvent

pytestmark = pytest.mark.django_db

SUSPENDED = "The union has suspended your account from group chats while it looks into a report."


def test_removing_a_member_opens_a_case_with_the_evidence_and_emails_staff(
    rude, chatter, committee_trained, su_staff, mail, commit
) -> None:
    say(rude, "You lot are pathetic.")
    say(rude, "I'll be waiting outside.")

    with commit():
        chat_services.remove_member(rude, actor=committee_trained, reason="Threats after a private warning.")

    case = Case.objects.get()
    assert case.source == Case.Source.REMOVAL
    assert case.subject == rude.user
    assert case.opened_by == committee_trained
    assert [e["body"] for e in case.evidence] == ["You lot are pathetic.", "I'll be waiting outside."]
    assert all(e["author"] == "Rex Rude" for e in case.evidence)
    assert CaseNote.objects.get(case=case).text == "Reason for removal: Threats after a private warning."
    assert mail.subjects(su_staff.email) == ["Conduct: A member was removed from a group (Hiking Society)"]
    assert not mail.to(rude.user.email)


def test_a_removal_that_cannot_be_recorded_does_not_happen(rude, committee_trained, monkeypatch) -> None:
    """The case is opened in the removal's transaction: the union is never silently left untold."""

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database trouble")

    monkeypatch.setattr(services, "open_removal_case", broken)

    with pytest.raises(RuntimeError):
        chat_services.remove_member(rude, actor=committee_trained, reason="Abuse.")

    assert GroupMember.objects.get(pk=rude.pk).removed_at is None


@pytest.fixture
def kicked(monkeypatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(realtime, "kick", lambda **kwargs: calls.append(kwargs))
    return calls


@pytest.fixture
def case(said, member) -> Case:
    report = services.report_message(said, reporter=member, category="threats")
    assert report.case is not None
    return report.case


def test_suspension_stops_joining_anywhere(case, rude, su_staff, other_society, other_committee) -> None:
    chess = chat_services.create_group(actor=other_committee, society=other_society, name="Chess", purpose="Chess.")
    rep_group = chat_services.create_group(actor=su_staff, name="Reps", purpose="Reps.")
    chat_services.make_eligible(rep_group, [rude.user], actor=su_staff)

    services.suspend_member(rude.user, actor=su_staff, case=case, reason="Threats to a member.")

    for group in (chess, rep_group):
        with pytest.raises(ChatError, match=says(SUSPENDED)):
            chat_services.check_can_join(rude.user, group)


def test_suspension_stops_posting_in_groups_they_are_already_in(case, rude, su_staff) -> None:
    services.suspend_member(rude.user, actor=su_staff, case=case, reason="Threats to a member.")

    with pytest.raises(ChatError, match=says(SUSPENDED)):
        say(rude, "Still here.")


def test_suspension_closes_their_open_chats_and_tells_them(case, rude, su_staff, kicked, mail, commit) -> None:
    with commit():
        services.suspend_member(rude.user, actor=su_staff, case=case, reason="Threats to Mia.")

    assert kicked == [{"user_id": rude.user.pk, "group_id": None, "reason": "suspended"}]
    text = mail.everything_to(rude.user.email)
    assert "suspended you from group chats until further notice" in text
    assert "Mia" not in text, "not the reason, which may name who reported"
    assert AuditEvent.objects.filter(action="conduct.member.suspended", actor=su_staff).exists()


def test_lifting_the_suspension_lets_them_back(case, rude, su_staff, group: ChatGroup) -> None:
    suspension = services.suspend_member(rude.user, actor=su_staff, case=case, reason="Threats.")

    services.lift_suspension(suspension, actor=su_staff)

    assert services.suspension_refusal(rude.user) == ""
    assert say(rude, "Sorry, everyone.").pk
    with pytest.raises(ConductError, match=says("This suspension was already lifted.")):
        services.lift_suspension(suspension, actor=su_staff)


def test_a_suspension_with_an_end_ends_by_itself(case, rude, su_staff, clock) -> None:
    until = timezone.now() + datetime.timedelta(days=7)
    services.suspend_member(rude.user, actor=su_staff, case=case, reason="Threats.", until=until)

    assert services.suspension_refusal(rude.user).startswith(
        "The union has suspended your account from group chats until"
    )
    clock.advance(days=7, seconds=1)
    assert services.suspension_refusal(rude.user) == ""


@pytest.mark.parametrize(
    ("who", "until", "words"),
    [
        ("rude", "past", "Choose an end in the future, or none to suspend until lifted."),
        ("staff", None, "Union staff accounts are not suspended here."),
        ("twice", None, "Rex Rude is already suspended."),
    ],
)
def test_what_cannot_be_suspended(who, until, words, case, rude, su_staff) -> None:
    person = su_staff if who == "staff" else rude.user
    if who == "twice":
        services.suspend_member(person, actor=su_staff, case=case, reason="Threats.")
    end = timezone.now() - datetime.timedelta(minutes=1) if until == "past" else None

    with pytest.raises(ConductError, match=says(words)):
        services.suspend_member(person, actor=su_staff, case=case, reason="Threats.", until=end)


def test_a_suspended_member_is_refused_on_the_invite_page(case, rude, su_staff, other_society, other_committee, client):
    chess = chat_services.create_group(actor=other_committee, society=other_society, name="Chess", purpose="Chess.")
    services.suspend_member(rude.user, actor=su_staff, case=case, reason="Threats.")
    client.force_login(rude.user)

    page = client.get(reverse("chat:invite", kwargs={"token": chess.invite_token})).content.decode()

    assert SUSPENDED in page
    assert not GroupMember.objects.filter(group=chess, user=rude.user).exists()
