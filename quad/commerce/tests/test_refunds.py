"""Refunds: a buyer asks, the seller's finance committee or union staff decide, money goes back.

`member` bought `membership_type` (£5) of `society` through the checkout and the test provider.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from conftest import make_person
from quad.commerce import services
from quad.commerce.errors import OrderError
from quad.commerce.models import Order, OrderLine, Refund, RefundRequest
from quad.commerce.queries import order_balance
from quad.commerce.tests.factories import buy, make_variant, pay, place
from quad.core.models import AuditEvent, DataAccess
from quad.memberships.models import Membership
from quad.societies.models import CommitteeTerm


def membership_line(user: Any) -> OrderLine:
    return OrderLine.objects.select_related("order").get(order__buyer=user, kind="membership")


def ask(user: Any, line: OrderLine, reason: str = "I joined the wrong society.") -> RefundRequest:
    return services.request_refund(line, actor=user, reason=reason)


def approve_url(request: RefundRequest) -> str:
    return reverse("commerce:approve-refund-request", kwargs={"pk": request.pk})


def decline_url(request: RefundRequest) -> str:
    return reverse("commerce:decline-refund-request", kwargs={"pk": request.pk})


def message_of(response: Any) -> str:
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


def membership_of(user: Any) -> Membership:
    return Membership.objects.get(user=user)


def treasurer_of(society: Any) -> Any:
    return CommitteeTerm.objects.get(society=society, position__name="Treasurer").user


# --- Asking ------------------------------------------------------------------------------------


def test_buyer_asks_for_a_refund_and_the_finance_committee_is_told(
    client, member, society, committee_trained, mailoutbox, django_capture_on_commit_callbacks
):
    line = membership_line(member)
    client.force_login(member)
    url = reverse("commerce:request-refund", kwargs={"reference": line.order.reference, "line_id": line.pk})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "I joined the wrong society."})

    assert message_of(response) == "Your request has gone to the committee. You will hear by email."
    request = RefundRequest.objects.get(line=line)
    assert (request.status, request.requested_by, request.reason) == (
        RefundRequest.Status.REQUESTED,
        member,
        "I joined the wrong society.",
    )
    # The President and the Treasurer hold the finance power; the Secretary does not.
    assert sorted(m.to[0] for m in mailoutbox) == sorted([committee_trained.email, treasurer_of(society).email])
    assert all("Refund requested" in m.subject for m in mailoutbox)
    assert AuditEvent.objects.filter(
        action="commerce.refund.requested", actor=member, scope=society.audit_scope
    ).exists()


def test_only_the_buyer_can_ask(client, member, student):
    line = membership_line(member)
    with pytest.raises(OrderError, match="Only the buyer"):
        ask(student, line)
    client.force_login(student)
    url = reverse("commerce:request-refund", kwargs={"reference": line.order.reference, "line_id": line.pk})
    assert client.post(url, {"reason": "Mine now"}).status_code == 404
    assert not RefundRequest.objects.exists()


def test_a_reason_is_needed(member):
    with pytest.raises(OrderError, match="Say why"):
        ask(member, membership_line(member), reason="   ")
    assert not RefundRequest.objects.exists()


def test_unpaid_orders_cannot_be_refunded(student, society):
    order = place(student, (make_variant(society), 1))
    with pytest.raises(OrderError, match="Only paid orders"):
        ask(student, order.lines.get())
    with pytest.raises(OrderError, match="Only paid orders"):
        services.refund_line(order.lines.get(), amount_pence=100, actor=None, reason="x")


@pytest.mark.parametrize(("days_since", "cooling_off", "allowed"), [(15, 14, False), (13, 14, True), (15, 30, True)])
def test_membership_refunds_are_asked_for_within_the_cooling_off_period(
    member, settings, days_since, cooling_off, allowed
):
    settings.MEMBERSHIP_COOLING_OFF_DAYS = cooling_off
    line = membership_line(member)
    Order.objects.filter(pk=line.order_id).update(paid_at=timezone.now() - datetime.timedelta(days=days_since))
    line.order.refresh_from_db()

    if allowed:
        assert ask(member, line).status == RefundRequest.Status.REQUESTED
    else:
        with pytest.raises(OrderError, match=f"within {cooling_off} days of joining"):
            ask(member, line)
        assert not RefundRequest.objects.exists()


def test_one_open_request_per_line(member, committee_trained):
    line = membership_line(member)
    first = ask(member, line)
    with pytest.raises(OrderError, match="already asked"):
        ask(member, line)
    assert RefundRequest.objects.filter(line=line).count() == 1

    services.decline_refund_request(first, actor=committee_trained, note="Outside our policy.")
    assert ask(member, line, reason="Please reconsider.").status == RefundRequest.Status.REQUESTED
    assert RefundRequest.objects.filter(line=line).count() == 2


def test_reading_refund_requests_is_in_the_access_log_once_someone_is_named(client, member, society, committee_trained):
    url = reverse("commerce:refund-requests", kwargs={"slug": society.slug})
    client.force_login(committee_trained)
    client.get(url)
    assert not DataAccess.objects.exists()  # an empty page names nobody
    ask(member, membership_line(member))

    page = client.get(url).content.decode()

    assert "by Mia Member" in page
    access = DataAccess.objects.get()
    assert (access.actor, access.action, access.what, access.scope) == (
        committee_trained,
        "commerce.refund_requests.viewed",
        "Refund requests to Hiking Society",
        society.audit_scope,
    )
    assert [s.user for s in access.subjects.all()] == [member]


# --- Deciding ----------------------------------------------------------------------------------


def test_the_finance_committee_approves_and_the_membership_ends(
    client, member, society, committee_trained, mailoutbox, django_capture_on_commit_callbacks
):
    line = membership_line(member)
    request = ask(member, line)
    client.force_login(committee_trained)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(approve_url(request), {"amount": "", "note": "Sorry to see you go."})

    assert response.url == reverse("commerce:refund-requests", kwargs={"slug": society.slug})
    assert message_of(response) == "Refunded £5.00; the member has been emailed."
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decision_note) == (
        RefundRequest.Status.APPROVED,
        committee_trained,
        "Sorry to see you go.",
    )
    refund = Refund.objects.get(line=line)
    assert (refund.amount_pence, refund.created_by, refund.idempotency_key) == (
        500,
        committee_trained,
        f"request-{request.pk}",
    )
    assert refund.provider_refund_id == f"test_refund_request-{request.pk}"
    assert request.refund == refund
    assert order_balance(line.order) == 0
    membership = membership_of(member)
    assert (membership.status, membership.ended_by) == (Membership.Status.REFUNDED, committee_trained)
    assert [m.to for m in mailoutbox] == [[member.email]]
    assert f"Refund for order {line.order.reference}" in mailoutbox[0].subject
    assert AuditEvent.objects.filter(action="commerce.refund.made", actor=committee_trained).count() == 1
    assert AuditEvent.objects.filter(action="memberships.membership.refunded", target_id=str(membership.pk)).exists()


def test_union_staff_approve_from_the_console(client, member, su_staff):
    request = ask(member, membership_line(member))
    client.force_login(su_staff)

    response = client.post(approve_url(request), {"amount": ""})

    assert response.url == reverse("su:refund-requests")
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (RefundRequest.Status.APPROVED, su_staff)
    assert membership_of(member).status == Membership.Status.REFUNDED


def test_union_staff_without_two_factor_cannot_decide(client, member):
    staff = make_person("Nat NoTOTP", "nat.nototp", student=False)
    staff.is_union_staff = True
    staff.save(update_fields=["is_union_staff"])
    request = ask(member, membership_line(member))
    client.force_login(staff)
    assert client.post(approve_url(request), {"amount": ""}).status_code == 403
    assert not Refund.objects.exists()


@pytest.mark.parametrize("who", ["treasurer_untrained", "committee_untrained", "other_committee", "student", "member"])
def test_only_a_trained_finance_holder_or_staff_may_decide(client, member, society, request, who):
    # The Treasurer has the finance power, but no GDPR training.
    decider = treasurer_of(society) if who == "treasurer_untrained" else request.getfixturevalue(who)
    refund_request = ask(member, membership_line(member))
    client.force_login(decider)

    assert client.post(approve_url(refund_request), {"amount": ""}).status_code == 403
    assert client.post(decline_url(refund_request), {"note": "No."}).status_code == 403

    refund_request.refresh_from_db()
    assert refund_request.status == RefundRequest.Status.REQUESTED
    assert not Refund.objects.exists()
    assert membership_of(member).status == Membership.Status.ACTIVE


def test_declining_needs_a_note(client, member, committee_trained, mailoutbox, django_capture_on_commit_callbacks):
    request = ask(member, membership_line(member))
    client.force_login(committee_trained)

    response = client.post(decline_url(request), {"note": ""})
    assert message_of(response) == "Tell the member why their refund was declined."
    with pytest.raises(OrderError, match="Tell the member why"):
        services.decline_refund_request(request, actor=committee_trained, note="  \n ")
    request.refresh_from_db()
    assert request.status == RefundRequest.Status.REQUESTED

    with django_capture_on_commit_callbacks(execute=True):
        client.post(decline_url(request), {"note": "The trip has been booked for you."})

    request.refresh_from_db()
    assert (request.status, request.decision_note) == (
        RefundRequest.Status.DECLINED,
        "The trip has been booked for you.",
    )
    assert membership_of(member).status == Membership.Status.ACTIVE
    assert [m.to for m in mailoutbox] == [[member.email]]
    assert "The trip has been booked for you." in mailoutbox[0].body
    assert AuditEvent.objects.filter(action="commerce.refund.declined", actor=committee_trained).exists()
    assert not Refund.objects.exists()


def test_a_decided_request_cannot_be_decided_again(member, committee_trained, su_staff):
    request = ask(member, membership_line(member))
    services.approve_refund_request(request, actor=committee_trained)
    with pytest.raises(OrderError, match="already been decided"):
        services.approve_refund_request(request, actor=su_staff)
    with pytest.raises(OrderError, match="already been decided"):
        services.decline_refund_request(request, actor=su_staff, note="No.")
    assert Refund.objects.count() == 1


# --- Amounts -----------------------------------------------------------------------------------


def test_a_partial_refund_keeps_the_membership_and_the_rest_ends_it(client, member, committee_trained):
    line = membership_line(member)
    client.force_login(committee_trained)

    client.post(approve_url(ask(member, line)), {"amount": "2.00"})

    assert list(Refund.objects.filter(line=line).values_list("amount_pence", flat=True)) == [200]
    assert services.refunded_pence(line) == 200
    assert order_balance(line.order) == 300
    assert membership_of(member).status == Membership.Status.ACTIVE

    client.post(approve_url(ask(member, line, reason="And the rest, please.")), {"amount": ""})

    assert list(Refund.objects.filter(line=line).values_list("amount_pence", flat=True)) == [200, 300]
    assert order_balance(line.order) == 0
    assert membership_of(member).status == Membership.Status.REFUNDED
    with pytest.raises(OrderError, match="already been refunded in full"):
        ask(member, line)


def test_a_refund_above_what_is_left_is_refused(client, member, committee_trained):
    line = membership_line(member)
    request = ask(member, line)
    client.force_login(committee_trained)

    response = client.post(approve_url(request), {"amount": "5.01"})

    assert message_of(response) == "At most 5.00 can be refunded on this line."
    request.refresh_from_db()
    assert request.status == RefundRequest.Status.REQUESTED
    assert not Refund.objects.exists()

    services.refund_line(line, amount_pence=200, actor=committee_trained, reason="Part")
    with pytest.raises(OrderError, match=r"At most 3\.00 can be refunded"):
        services.refund_line(line, amount_pence=301, actor=committee_trained, reason="Too much")
    with pytest.raises(OrderError, match="more than nothing"):
        services.refund_line(line, amount_pence=0, actor=committee_trained, reason="Nothing")
    assert services.refunded_pence(line) == 200


def test_refunds_are_per_line(student, society, committee_trained):
    hoodie, mug = make_variant(society), make_variant(society, name="Mug", price_pence=800)
    order = buy(student, (hoodie, 2), (mug, 1))
    hoodie_line, mug_line = order.lines.get(variant=hoodie), order.lines.get(variant=mug)

    services.refund_line(mug_line, amount_pence=800, actor=committee_trained, reason="Broken")

    with pytest.raises(OrderError, match=r"At most 0\.00"):
        services.refund_line(mug_line, amount_pence=1, actor=committee_trained, reason="Again")
    services.refund_line(hoodie_line, amount_pence=4000, actor=committee_trained, reason="Wrong size")
    assert order_balance(order) == 0


def test_after_a_duplicate_payment_was_returned_the_buyer_can_still_be_refunded(member, committee_trained):
    """The automatic return of a second charge must not use up what the first charge can refund."""
    line = membership_line(member)
    pay(line.order, payment_id="test-a-second-charge")  # returned in full at once
    assert order_balance(line.order) == 500
    assert membership_of(member).status == Membership.Status.ACTIVE

    services.refund_line(line, amount_pence=100, actor=committee_trained, reason="Part")
    assert membership_of(member).status == Membership.Status.ACTIVE  # a partial refund keeps it

    services.approve_refund_request(ask(member, line), actor=committee_trained)

    assert order_balance(line.order) == 0
    assert membership_of(member).status == Membership.Status.REFUNDED
    with pytest.raises(OrderError, match=r"At most 0\.00"):
        services.refund_line(line, amount_pence=1, actor=committee_trained, reason="More")
