"""The evidence is a copy taken when the report is made: the message and those around it, as they were.
Editing, deleting or hiding the message later, or the retention sweep deleting it, changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from quad.chat import services as chat_services
from quad.chat.models import Message
from quad.conduct import services
from quad.conduct.models import Category, Report
from quad.conduct.queries import held_message_ids
from quad.conduct.tests.conftest import say

pytestmark = pytest.mark.django_db


def _report(said: Message, member: Any, category: str = Category.BULLYING) -> Report:
    return services.report_message(said, reporter=member, category=category)


def test_the_evidence_is_the_message_and_five_either_side(chatter, rude, member) -> None:
    for n in range(1, 8):
        say(chatter if n % 2 else rude, f"before {n}")
    reported = say(rude, "the reported one")
    for n in range(1, 8):
        say(chatter, f"after {n}")

    report = _report(reported, member)

    bodies = [e["body"] for e in report.evidence]
    assert bodies == [f"before {n}" for n in range(3, 8)] + ["the reported one"] + [f"after {n}" for n in range(1, 6)]
    [marked] = [e for e in report.evidence if e["reported"]]
    assert marked["body"] == "the reported one" and marked["author"] == "Rex Rude" and marked["seq"] == reported.seq


def test_the_context_setting_is_honoured(chatter, rude, member, settings) -> None:
    settings.CONDUCT_EVIDENCE_CONTEXT = 1
    say(chatter, "a")
    say(chatter, "b")
    reported = say(rude, "c")
    say(chatter, "d")
    say(chatter, "e")

    assert [e["body"] for e in _report(reported, member).evidence] == ["b", "c", "d"]


@pytest.mark.parametrize("then", ["edited", "deleted", "hidden", "swept"])
def test_the_evidence_does_not_change_when_the_message_does(then, said, rude, member, committee_trained) -> None:
    report = _report(said, member)
    before = list(report.evidence)

    if then == "edited":
        chat_services.edit_message(said, actor=rude.user, body="Have a nice walk!")
    elif then == "deleted":
        chat_services.delete_message(said, actor=rude.user)
    elif then == "hidden":
        chat_services.hide_message(said, actor=committee_trained, reason="Unkind.")
    else:  # what the retention sweep does to a message nothing holds
        Message.objects.filter(pk=said.pk).delete()

    report.refresh_from_db()
    assert report.evidence == before
    assert [e["body"] for e in report.evidence if e["reported"]] == ["Nobody wants you on the walk, Mia."]
    if then == "swept":
        assert report.message is None


def test_staff_read_the_evidence_as_it_was_after_the_author_edits_it(said, rude, member, staff_client, commit) -> None:
    with commit():
        report = _report(said, member)
    chat_services.edit_message(said, actor=rude.user, body="Have a nice walk!")

    page = staff_client.get(reverse("conduct:case", kwargs={"pk": report.case_id})).content.decode()

    assert "Nobody wants you on the walk, Mia." in page


def test_the_retention_sweep_keeps_what_open_reports_and_cases_hold(
    said, chatter, rude, member, committee_trained, moderator, su_staff
) -> None:
    other = say(rude, "Buy my essays.")
    flagged = say(rude, "Something the scorer disliked.")
    Message.objects.filter(pk=flagged.pk).update(flagged_at=flagged.created_at)
    flagged.refresh_from_db()
    waiting = _report(other, member, Category.OTHER)  # with the moderators
    staffed = _report(said, member)  # a case
    flag_case = services.escalate_flag(flagged, actor=committee_trained, reason="Looks like a threat.")

    assert held_message_ids() == {other.pk, said.pk, flagged.pk}
    assert chat_services.retention_holds() >= {other.pk, said.pk, flagged.pk}, "registered with chat"

    services.dismiss_report(waiting, actor=committee_trained)
    assert staffed.case is not None
    services.close_case(staffed.case, actor=su_staff, outcome="warning")
    services.close_case(flag_case, actor=su_staff, outcome="no_action")

    assert held_message_ids() == set()
