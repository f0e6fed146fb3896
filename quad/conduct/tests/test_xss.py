"""Nothing a reporter writes, nor anything copied into the evidence, runs in a moderator's or staff
member's browser: notes, message text and display names are shown as text everywhere."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import join, make_person
from quad.conduct import services
from quad.conduct.models import Category
from quad.conduct.tests.conftest import enter, say

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'


def test_script_in_a_note_or_the_evidence_is_shown_as_text(
    client: Client, group, chatter, moderator, member, membership_type, committee_trained, su_staff
) -> None:
    villain = make_person(f"Eve {SCRIPT}", "eve.villain")
    join(villain, membership_type)
    evil_member = enter(villain, group)
    evil = say(evil_member, f"Hello {SCRIPT} {IMG}")
    report = services.report_message(evil, reporter=member, category=Category.OTHER, note=f"Look {SCRIPT} {IMG}")
    staffed = services.report_message(evil, reporter=committee_trained, category=Category.THREATS, note=SCRIPT)

    visits = [
        (member, reverse("conduct:report-message", kwargs={"pk": evil.pk})),
        (member, reverse("conduct:report-member", kwargs={"pk": group.pk, "member_pk": evil_member.pk})),
        (member, reverse("conduct:my-reports")),
        (committee_trained, reverse("conduct:group-queue", kwargs={"pk": group.pk})),
        (su_staff, reverse("conduct:queue")),
        (su_staff, reverse("conduct:case", kwargs={"pk": staffed.case_id})),
    ]
    assert report.pk
    for who, url in visits:
        client.force_login(who)
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert SCRIPT not in html, url
        assert "<img src=x" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
