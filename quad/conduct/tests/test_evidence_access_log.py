"""Evidence shows other people's messages and names, so each view of it is in the access log: the case
page (staff, and officers a case is put before) and a group's review queue when it shows reports."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from quad.chat import services as chat_services
from quad.conduct import services
from quad.conduct.models import Case, Category
from quad.conduct.tests.conftest import say
from quad.core.models import DataAccess

pytestmark = pytest.mark.django_db


def subjects(access: DataAccess) -> set[int]:
    return set(access.subjects.values_list("user_id", flat=True))


def test_reading_a_case_logs_whose_data_its_evidence_shows(
    chatter: Any,
    rude: Any,
    moderator: Any,
    member: Any,
    committee_trained: Any,
    society: Any,
    staff_client: Client,
    su_staff: Any,
) -> None:
    say(moderator, "Walk starts at nine.")
    unkind = say(rude, "Nobody wants you here.")
    report = services.report_message(unkind, reporter=member, category=Category.THREATS)

    assert staff_client.get(reverse("conduct:case", kwargs={"pk": report.case_id})).status_code == 200

    access = DataAccess.objects.get()
    assert (access.actor, access.action, access.what, access.scope) == (
        su_staff,
        "conduct.evidence.viewed",
        f"Evidence in case {report.case_id}",
        society.audit_scope,
    )
    # The subject, the reporter, and the moderator whose message is in the copy.
    assert subjects(access) == {rude.user.pk, member.pk, committee_trained.pk}
    assert access.subject_count == 3


def test_a_removal_case_logs_its_subject(moderator: Any, rude: Any, staff_client: Client, society: Any) -> None:
    say(rude, "Whatever.")
    chat_services.remove_member(rude, actor=moderator.user, reason="Repeated insults.")
    case = Case.objects.get(subject=rude.user)

    staff_client.get(reverse("conduct:case", kwargs={"pk": case.pk}))

    assert subjects(DataAccess.objects.get(action="conduct.evidence.viewed")) == {rude.user.pk}


def test_the_review_queue_logs_the_reports_it_shows_and_nothing_when_empty(
    client: Client, chatter: Any, rude: Any, moderator: Any, member: Any, committee_trained: Any, group: Any
) -> None:
    client.force_login(committee_trained)
    url = reverse("conduct:group-queue", kwargs={"pk": group.pk})
    client.get(url)
    assert not DataAccess.objects.exists()

    advert = say(rude, "Cheap essays!")
    services.report_message(advert, reporter=member, category=Category.OTHER)
    client.get(url)

    access = DataAccess.objects.get()
    assert (access.actor, access.action, access.scope) == (
        committee_trained,
        "conduct.evidence.viewed",
        group.society.audit_scope,
    )
    assert access.what == "Evidence of reports in the review queue of Hiking Society"
    # Rex (reported, and his message) and Mia (who reported; her messages are in the copy too).
    assert subjects(access) == {rude.user.pk, member.pk}
