"""The approvals queue: everything waiting for the union's yes or no on one page, each decided there and
coming back to it: society applications, refund requests and rep groups' invite requests.

`member` bought `society`'s £5 membership; `rep` moderates a union rep group.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from conftest import make_person
from quad.chat import invite_requests
from quad.chat import services as chat_services
from quad.chat.models import ChatGroup, InviteRequest, RepEligibility
from quad.chat.permissions import current_version
from quad.commerce import services as commerce_services
from quad.commerce.models import OrderLine, Refund, RefundRequest
from quad.core.models import DataAccess
from quad.societies import services as society_services
from quad.societies.models import Category, Society

pytestmark = pytest.mark.django_db

APPROVALS = reverse("su:approvals")


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings: Any) -> None:
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = datetime.time(0, 0)


@pytest.fixture
def application(db: None) -> Society:
    category, _ = Category.objects.get_or_create(slug="arts", defaults={"name": "Arts"})
    founder = make_person("Fran Founder", "fran.founder")
    return society_services.apply_for_society(
        founder,
        name="Pottery Society",
        category=category,
        purpose="Throwing pots.",
        constitution="1. Named as above.",
        committee=[
            (founder.email, "President"),
            (make_person("Gil", "gil.pots").email, "Treasurer"),
            (make_person("Hal", "hal.pots").email, "Secretary"),
        ],
    )


@pytest.fixture
def refund_request(member: Any) -> RefundRequest:
    line = OrderLine.objects.get(order__buyer=member)
    return commerce_services.request_refund(line, actor=member, reason="I joined the wrong society.")


@pytest.fixture
def rep_group(su_staff: Any) -> ChatGroup:
    return chat_services.create_group(actor=su_staff, name="Course reps: History", purpose="Reps and the union.")


@pytest.fixture
def rep(rep_group: ChatGroup, student: Any, su_staff: Any) -> Any:
    chat_services.make_eligible(rep_group, [student], actor=su_staff)
    joined = chat_services.join_group(student, rep_group, token=rep_group.invite_token)
    member = chat_services.accept_guidelines(joined, version=current_version(rep_group))
    chat_services.set_role(member, actor=su_staff, moderator=True)
    return student


@pytest.fixture
def invite_request(rep_group: ChatGroup, rep: Any) -> InviteRequest:
    return invite_requests.request_invites(
        rep_group, actor=rep, emails=["new.rep@student.example.ac.uk", "ghost@student.example.ac.uk"]
    )


def last_message(response: Any) -> str:
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


def page(client: Any) -> str:
    response = client.get(APPROVALS)
    assert response.status_code == 200
    return response.content.decode()


def test_the_queue_shows_each_kind_of_thing_waiting_with_its_inline_forms(
    staff_client, application, refund_request, invite_request
) -> None:
    html = page(staff_client)

    assert "Pottery Society" in html
    assert f'action="{reverse("su:approve-society", kwargs={"slug": application.slug})}"' in html
    assert f'action="{reverse("su:reject-society", kwargs={"slug": application.slug})}"' in html
    assert "I joined the wrong society." in html
    assert f'action="{reverse("commerce:approve-refund-request", kwargs={"pk": refund_request.pk})}"' in html
    assert f'action="{reverse("commerce:decline-refund-request", kwargs={"pk": refund_request.pk})}"' in html
    assert "Course reps: History" in html
    assert "new.rep@student.example.ac.uk" in html
    assert f'action="{reverse("chat:approve-invite-request", kwargs={"pk": invite_request.pk})}"' in html
    assert f'action="{reverse("chat:decline-invite-request", kwargs={"pk": invite_request.pk})}"' in html
    # Every form comes back here.
    assert html.count(f'<input type="hidden" name="next" value="{APPROVALS}">') == 6


def test_an_empty_queue_says_so(staff_client) -> None:
    html = page(staff_client)

    assert "No applications waiting." in html
    assert "No refund requests waiting." in html
    assert "No invite requests waiting." in html
    assert not DataAccess.objects.exists()  # an empty queue names nobody


def test_looking_at_refund_requests_on_the_queue_is_logged(staff_client, su_staff, refund_request, member) -> None:
    page(staff_client)

    access = DataAccess.objects.get()
    assert (access.actor, access.action, access.scope, access.subject_count) == (
        su_staff,
        "su.approvals.viewed",
        "union",
        1,
    )
    assert list(access.subjects.values_list("user_id", flat=True)) == [member.pk]


def test_the_console_counts_what_is_waiting_and_links_to_the_queue(
    staff_client, application, refund_request, invite_request
) -> None:
    html = staff_client.get(reverse("su:console")).content.decode()

    assert '<span class="stat">3</span> things waiting for approval' in html
    assert f'<a href="{APPROVALS}">Approvals</a>' in html


# --- Societies -------------------------------------------------------------------------------------------


def test_approve_a_society_inline_and_come_back(staff_client, application) -> None:
    url = reverse("su:approve-society", kwargs={"slug": application.slug})

    response = staff_client.post(url, {"next": APPROVALS})

    assert response["Location"] == APPROVALS
    assert last_message(response) == "Pottery Society is approved and its mini site is live."
    application.refresh_from_db()
    assert application.status == Society.Status.ACTIVE
    assert "No applications waiting." in page(staff_client)


def test_reject_a_society_inline_with_a_reason(staff_client, application) -> None:
    url = reverse("su:reject-society", kwargs={"slug": application.slug})

    response = staff_client.post(url, {"next": APPROVALS, "reason": ""})
    assert response["Location"] == APPROVALS
    assert last_message(response) == "Give a reason: the society's committee will read it."
    application.refresh_from_db()
    assert application.status == Society.Status.APPLIED

    response = staff_client.post(url, {"next": APPROVALS, "reason": "A pottery society already exists."})

    assert response["Location"] == APPROVALS
    application.refresh_from_db()
    assert (application.status, application.status_reason) == (
        Society.Status.REJECTED,
        "A pottery society already exists.",
    )


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example/", ""])
def test_a_next_that_leaves_the_site_goes_back_to_the_society_instead(staff_client, application, next_url) -> None:
    response = staff_client.post(reverse("su:approve-society", kwargs={"slug": application.slug}), {"next": next_url})

    assert response["Location"] == reverse("su:society-detail", kwargs={"slug": application.slug})


# --- Refunds ---------------------------------------------------------------------------------------------


def test_decide_a_refund_inline_and_come_back(staff_client, refund_request, member) -> None:
    approve = reverse("commerce:approve-refund-request", kwargs={"pk": refund_request.pk})

    response = staff_client.post(approve, {"amount": "2.50", "note": "Half back.", "next": APPROVALS})

    assert response["Location"] == APPROVALS
    assert last_message(response) == "Refunded £2.50; the member has been emailed."
    refund_request.refresh_from_db()
    assert refund_request.status == RefundRequest.Status.APPROVED
    assert Refund.objects.get().amount_pence == 250
    assert "No refund requests waiting." in page(staff_client)


def test_decline_a_refund_inline_and_come_back(staff_client, refund_request) -> None:
    decline = reverse("commerce:decline-refund-request", kwargs={"pk": refund_request.pk})

    response = staff_client.post(decline, {"note": "The cooling-off period has passed.", "next": APPROVALS})

    assert response["Location"] == APPROVALS
    refund_request.refresh_from_db()
    assert refund_request.status == RefundRequest.Status.DECLINED


def test_a_refund_decision_without_next_still_goes_to_the_union_refund_list(staff_client, refund_request) -> None:
    decline = reverse("commerce:decline-refund-request", kwargs={"pk": refund_request.pk})

    response = staff_client.post(decline, {"note": "No."})

    assert response["Location"] == reverse("su:refund-requests")


# --- Rep groups' invite requests --------------------------------------------------------------------------


def test_approve_an_invite_request_inline_and_hear_which_addresses_were_not_added(
    staff_client, invite_request, rep_group
) -> None:
    newcomer = make_person("Nel New", "new.rep")

    response = staff_client.post(
        reverse("chat:approve-invite-request", kwargs={"pk": invite_request.pk}), {"next": APPROVALS}
    )

    assert response["Location"] == APPROVALS
    assert last_message(response) == (
        "Approved: 1 more person may join “Course reps: History”. Not added, as no current student has an "
        "account with these addresses: ghost@student.example.ac.uk."
    )
    assert RepEligibility.objects.filter(group=rep_group, user=newcomer).exists()
    assert "No invite requests waiting." in page(staff_client)


def test_decline_an_invite_request_inline(staff_client, invite_request) -> None:
    response = staff_client.post(
        reverse("chat:decline-invite-request", kwargs={"pk": invite_request.pk}),
        {"note": "Ask the course leader first.", "next": APPROVALS},
    )

    assert response["Location"] == APPROVALS
    invite_request.refresh_from_db()
    assert (invite_request.status, invite_request.decision_note) == (
        InviteRequest.Status.DECLINED,
        "Ask the course leader first.",
    )


def test_deciding_an_invite_request_twice_is_refused(staff_client, invite_request) -> None:
    url = reverse("chat:decline-invite-request", kwargs={"pk": invite_request.pk})
    staff_client.post(url, {"note": "No.", "next": APPROVALS})

    response = staff_client.post(
        reverse("chat:approve-invite-request", kwargs={"pk": invite_request.pk}), {"next": APPROVALS}
    )

    assert last_message(response) == "This request has already been declined."
    assert not RepEligibility.objects.filter(user__email="new.rep@student.example.ac.uk").exists()


# --- Who may use it ----------------------------------------------------------------------------------------


def test_committee_and_students_are_refused_and_visitors_sent_to_sign_in(
    client, society, committee_trained, member, application
) -> None:
    response = client.get(APPROVALS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

    for person in (committee_trained, member):
        client.force_login(person)
        assert client.get(APPROVALS).status_code == 403
        response = client.post(reverse("su:approve-society", kwargs={"slug": application.slug}), {"next": APPROVALS})
        assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == Society.Status.APPLIED
