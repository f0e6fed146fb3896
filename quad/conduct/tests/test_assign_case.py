"""Union staff take a case or hand it to a colleague (audited); the case page and the queue say who has
it; an account holding open cases is not erased until they are handed on."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.urls import reverse

from conftest import make_person
from quad.conduct import services
from quad.conduct.errors import ConductError
from quad.conduct.models import Case, Category
from quad.conduct.tests.conftest import says
from quad.core.models import AuditEvent
from quad.privacy.services import erasure_refusals

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(said: Any, member: Any) -> Case:
    report = services.report_message(said, reporter=member, category=Category.THREATS)
    assert report.case is not None
    return report.case


@pytest.fixture
def colleague(db: None) -> Any:
    user = make_person("Kim Colleague", "kim.colleague", student=False)
    user.is_union_staff = True
    user.save(update_fields=["is_union_staff"])
    TOTP.activate(user, "JBSWY3DPEHPK3PXPQUADKIMC")
    return user


def test_staff_take_a_case_and_hand_it_on_and_the_trail_says_so(case: Case, su_staff: Any, colleague: Any) -> None:
    services.assign_case(case, actor=su_staff, to=su_staff)
    services.assign_case(case, actor=su_staff, to=colleague)

    case.refresh_from_db()
    assert case.assigned_to == colleague
    events = AuditEvent.objects.filter(action="conduct.case.assigned").order_by("id")
    assert [(e.actor, e.scope, e.data) for e in events] == [
        (su_staff, "conduct", {"from": None, "to": su_staff.pk}),
        (su_staff, "conduct", {"from": su_staff.pk, "to": colleague.pk}),
    ]


def test_only_staff_hold_cases_and_never_closed_ones(
    case: Case, su_staff: Any, committee_trained: Any, member: Any
) -> None:
    with pytest.raises(ConductError, match=says("Only union staff assign cases.")):
        services.assign_case(case, actor=committee_trained, to=su_staff)
    with pytest.raises(ConductError, match=says("Mia Member is not on the union's staff, so cannot take a case.")):
        services.assign_case(case, actor=su_staff, to=member)
    services.assign_case(case, actor=su_staff, to=su_staff)
    with pytest.raises(ConductError, match=says("The case is yours already.")):
        services.assign_case(case, actor=su_staff, to=su_staff)
    services.close_case(case, actor=su_staff, outcome=Case.Outcome.NO_ACTION)
    case.assigned_to = None
    with pytest.raises(ConductError, match=says("This case is closed.")):
        services.assign_case(case, actor=su_staff, to=su_staff)
    assert AuditEvent.objects.filter(action="conduct.case.assigned").count() == 1


def test_take_this_case_on_the_case_page_and_the_queue_shows_who_has_it(
    case: Case, staff_client: Client, su_staff: Any, colleague: Any
) -> None:
    url = reverse("conduct:case", kwargs={"pk": case.pk})
    page = staff_client.get(url).content.decode()
    assert "Nobody yet" in page and "Take this case" in page

    response = staff_client.post(reverse("conduct:assign-case", kwargs={"pk": case.pk}), {"to": su_staff.pk})

    assert response.status_code == 302 and response["Location"] == url
    page = staff_client.get(url).content.decode()
    assert "Jo Staff (you)" in page and "Take this case" not in page
    queue = staff_client.get(reverse("conduct:queue")).content.decode()
    assert "Jo Staff (you)" in queue

    staff_client.post(reverse("conduct:assign-case", kwargs={"pk": case.pk}), {"to": colleague.pk})
    case.refresh_from_db()
    assert case.assigned_to == colleague


def test_assigning_to_someone_who_is_not_staff_is_refused_in_words(
    case: Case, staff_client: Client, member: Any
) -> None:
    response = staff_client.post(reverse("conduct:assign-case", kwargs={"pk": case.pk}), {"to": member.pk}, follow=True)

    assert "Choose who takes the case." in response.content.decode()
    case.refresh_from_db()
    assert case.assigned_to is None


def test_a_moderator_cannot_assign_cases(case: Case, client: Client, committee_trained: Any) -> None:
    client.force_login(committee_trained)

    response = client.post(reverse("conduct:assign-case", kwargs={"pk": case.pk}), {"to": committee_trained.pk})

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.assigned_to is None


def test_staff_holding_open_cases_are_not_erased_until_they_hand_them_on(
    case: Case, su_staff: Any, colleague: Any, chatter: Any, rude: Any
) -> None:
    about_mia = services.report_member(chatter, reporter=rude.user, category=Category.BULLYING).case
    assert about_mia is not None and about_mia != case
    services.assign_case(case, actor=su_staff, to=colleague)
    services.assign_case(about_mia, actor=su_staff, to=colleague)
    assert erasure_refusals(colleague) == ["2 open conduct cases are assigned to this account: reassign them first."]

    services.close_case(case, actor=su_staff, outcome=Case.Outcome.WARNING)
    assert erasure_refusals(colleague) == ["1 open conduct case is assigned to this account: reassign it first."]

    services.assign_case(about_mia, actor=su_staff, to=su_staff)
    assert erasure_refusals(colleague) == []
