"""Who learns what: the reported member never learns who reported them (no page, no email); moderators
see a report without the reporter's name; the reporter is told it arrived and that it closed, never which
moderator acted or what they wrote."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from quad.chat import services as chat_services
from quad.conduct import services
from quad.conduct.models import Case, Category, Report
from quad.conduct.tests.conftest import say

pytestmark = pytest.mark.django_db

REPORTER = "Mia Member"  # `member`; she says nothing in the group, so her name could only come from a report
MODERATOR = "Priya President"  # `committee_trained`


@pytest.fixture
def unkind(rude, chatter, moderator) -> Any:
    return say(rude, "You are all hopeless at walking.")


def pages(client: Client, user: Any, urls: list[str]) -> str:
    client.force_login(user)
    found = []
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403, 404), url
        found.append(response.content.decode())
    return "\n".join(found)


def test_the_reported_member_never_learns_who_reported_them(
    client: Client, unkind, rude, member, committee_trained, su_staff, group, mail, commit
) -> None:
    with commit():
        waiting = services.report_message(unkind, reporter=member, category=Category.OTHER, note="From Mia.")
        services.hide_reported_message(waiting, actor=committee_trained, reason="Unkind to Mia.")
        zero = services.report_member(rude, reporter=member, category=Category.BULLYING, note="Mia again.")
        assert zero.case is not None
        services.suspend_member(rude.user, actor=su_staff, case=zero.case, reason="Bullying Mia Member.")
        services.close_case(zero.case, actor=su_staff, outcome=Case.Outcome.SUSPENSION, note="Mia told.")

    seen = pages(
        client,
        rude.user,
        [
            reverse("chat:group", kwargs={"pk": group.pk}),
            reverse("chat:my-groups"),
            reverse("conduct:my-reports"),
            reverse("conduct:group-queue", kwargs={"pk": group.pk}),
            reverse("conduct:case", kwargs={"pk": zero.case.pk}),
            reverse("conduct:queue"),
            reverse("accounts:home"),
        ],
    )
    emails = mail.everything_to(rude.user.email)
    assert REPORTER not in seen and "Mia" not in emails
    assert [m.subject for m in mail.to(rude.user.email)] == ["Your group chats are suspended"]


def test_moderators_see_the_report_but_not_who_made_it(client: Client, unkind, member, group, committee_trained):
    services.report_message(unkind, reporter=member, category=Category.OTHER, note="Please look at this.")

    seen = pages(client, committee_trained, [reverse("conduct:group-queue", kwargs={"pk": group.pk})])

    assert "Please look at this." in seen
    assert REPORTER not in seen and member.email not in seen


@pytest.mark.parametrize("act", ["dismiss", "hide", "escalate then close"])
def test_the_reporter_is_never_told_which_moderator_acted(
    act, client: Client, unkind, member, committee_trained, su_staff, group, mail, commit
) -> None:
    with commit():
        report = services.report_message(unkind, reporter=member, category=Category.OTHER)
        if act == "dismiss":
            services.dismiss_report(report, actor=committee_trained, note="Priya thinks this is banter.")
        elif act == "hide":
            services.hide_reported_message(report, actor=committee_trained, reason="Priya hid this.")
        else:
            services.escalate_report(report, actor=committee_trained, reason="Priya wants staff to look.")
            report.refresh_from_db()
            assert report.case is not None
            services.close_case(report.case, actor=su_staff, outcome=Case.Outcome.WARNING, note="Jo warned Rex.")

    seen = pages(client, member, [reverse("conduct:my-reports"), reverse("chat:group", kwargs={"pk": group.pk})])
    told = mail.everything_to(member.email)
    assert mail.subjects(member.email) == ["Your report has arrived", "Your report is closed"]
    for name in ("Priya", MODERATOR, "Jo Staff", "banter", "warned"):
        assert name not in seen, name
        assert name not in told, name
    assert "Closed" in seen
    assert Report.objects.get(pk=report.pk).acted_by == committee_trained, "staff still know"


def test_a_hidden_message_says_only_that_a_moderator_hid_it(client, unkind, member, committee_trained, group):
    chat_services.hide_message(unkind, actor=committee_trained, reason="Unkind.")

    seen = pages(client, member, [reverse("chat:group", kwargs={"pk": group.pk})])

    assert MODERATOR not in seen
