"""Joining a society through the mini site's Join section and the checkout, as a student would."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import join
from quad.commerce import services as commerce_services
from quad.commerce.errors import OrderError
from quad.commerce.models import BasketItem, Order
from quad.core.academic import current_academic_year
from quad.memberships import services
from quad.memberships.models import Membership, MembershipType

pytestmark = pytest.mark.django_db

ADD = reverse("commerce:add-to-basket")


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def join_form(membership_type: MembershipType) -> dict[str, Any]:
    """What the Join button posts."""
    return {"variant": membership_type.variant_id, "quantity": "1", "next": membership_type.society.get_absolute_url()}


def test_student_joins_pays_and_is_a_member_until_the_year_ends(
    client, student, society, membership_type, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    year_end = long_date(current_academic_year().end)
    client.force_login(student)
    mini_site = client.get(society.get_absolute_url()).content.decode()
    assert "Join as Full member" in mini_site
    assert "£5.00" in mini_site
    assert f"until {year_end}" in mini_site

    response = client.post(ADD, join_form(membership_type))
    assert response.status_code == 302
    assert response["Location"] == reverse("commerce:basket")
    basket = client.get(reverse("commerce:basket")).content.decode()
    assert "Full member" in basket
    assert "Hiking Society" in basket

    response = client.post(reverse("commerce:checkout"))
    order = Order.objects.get(buyer=student)
    assert response["Location"] == reverse("commerce:test-payment", kwargs={"reference": order.reference})
    assert (order.status, order.total_pence, order.provider) == (Order.Status.PENDING, 500, "test")
    assert not BasketItem.objects.filter(basket__owner=student).exists()
    assert "TEST MODE" in client.get(response["Location"]).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response["Location"], {"action": "pay"})

    assert response["Location"] == reverse("commerce:order", kwargs={"reference": order.reference})
    membership = Membership.objects.get(user=student, society=society)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.starts_on == timezone.localdate()
    assert membership.ends_on == current_academic_year().end
    assert membership.order_line is not None and membership.order_line.order == order
    assert f"You are a member until {year_end}" in client.get(society.get_absolute_url()).content.decode()
    account = client.get(reverse("accounts:home")).content.decode()
    assert f"Full member,\n  member until {year_end}" in account
    assert order.reference in account
    receipt, welcome = sorted(mailoutbox, key=lambda m: not m.subject.startswith("Receipt"))
    assert (welcome.to, welcome.subject) == ([student.email], f"Welcome to {society.name}")
    assert receipt.to == [student.email]
    assert order.reference in receipt.subject
    assert order.reference in str(receipt.body)
    assert "Full member" in str(receipt.body)


def test_a_free_membership_starts_at_checkout(
    client, student, society, committee_trained, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    free = services.create_membership_type(
        society, actor=committee_trained, year=current_academic_year(), name="Friend", price_pence=0
    )
    client.force_login(student)
    client.post(ADD, join_form(free))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("commerce:checkout"))

    order = Order.objects.get(buyer=student)
    assert response["Location"] == reverse("commerce:order", kwargs={"reference": order.reference})
    assert (order.status, order.provider) == (Order.Status.PAID, "free")
    assert Membership.objects.get(user=student).membership_type == free
    assert sorted((m.to[0], m.subject.split()[0]) for m in mailoutbox) == [
        (student.email, "Receipt"),
        (student.email, "Welcome"),
    ]


@pytest.mark.parametrize(
    ("who", "on_the_page", "refusal"),
    [
        ("visitor", "Memberships are for current students.", "Only current students can buy from societies."),
        ("graduate", "Graduates can't join", "Graduates can no longer buy from societies"),
    ],
)
def test_visitors_and_graduates_are_told_why_they_cannot_join(
    client, request, society, membership_type, who, on_the_page, refusal
) -> None:
    client.force_login(request.getfixturevalue(who))

    mini_site = client.get(society.get_absolute_url()).content.decode()
    response = client.post(ADD, join_form(membership_type))

    assert on_the_page in mini_site
    assert "Join as Full member" not in mini_site
    assert response.status_code == 403
    assert refusal in response.content.decode()
    assert client.post(reverse("commerce:checkout")).status_code == 403
    assert not BasketItem.objects.exists()


@pytest.mark.parametrize("who", ["visitor", "graduate"])
def test_the_membership_itself_refuses_visitors_and_graduates(request, membership_type, who) -> None:
    """Behind the views' gate, the fulfilment says no too (a basket filled before graduating, say)."""
    with pytest.raises(OrderError, match="current students"):
        commerce_services.place_order(request.getfixturevalue(who), items=[(membership_type.variant, 1)])
    assert not Order.objects.exists()


def test_anyone_signed_out_is_asked_to_sign_in_to_join(client, society, membership_type) -> None:
    page = client.get(society.get_absolute_url()).content.decode()

    assert "£5.00" in page
    assert "Sign in with your student account to join" in page
    assert "Join as Full member" not in page


def test_a_member_is_not_offered_a_second_membership(client, member, society, membership_type) -> None:
    client.force_login(member)

    mini_site = client.get(society.get_absolute_url()).content.decode()
    response = client.post(ADD, join_form(membership_type), follow=True)

    assert "You are a member until" in mini_site
    assert "Join as Full member" not in mini_site
    assert response.redirect_chain[-1][0] == society.get_absolute_url()
    assert f"You are already a member of Hiking Society until {long_date(current_academic_year().end)}." in (
        response.content.decode()
    )
    assert not BasketItem.objects.filter(basket__owner=member).exists()


def test_a_second_type_of_the_same_society_is_refused_to_a_member(member, society, committee_trained) -> None:
    associate = services.create_membership_type(
        society, actor=committee_trained, year=current_academic_year(), name="Associate", price_pence=200
    )
    with pytest.raises(OrderError, match="already a member"):
        commerce_services.add_to_basket(member, associate.variant)


def test_a_removed_member_cannot_rejoin_this_year(client, member, society, membership_type, committee_trained) -> None:
    membership = Membership.objects.get(user=member, society=society)
    services.remove_member(membership, actor=committee_trained, reason="Abusive messages in the group chat.")
    client.force_login(member)

    response = client.post(ADD, join_form(membership_type), follow=True)

    assert "The committee removed you from Hiking Society this year." in response.content.decode()
    assert not BasketItem.objects.filter(basket__owner=member).exists()
    with pytest.raises(OrderError, match="removed you"):
        commerce_services.place_order(member, items=[(membership_type.variant, 1)])
    assert Membership.objects.filter(user=member).count() == 1


def test_a_removed_member_may_join_again_next_year(member, society, membership_type, committee_trained) -> None:
    services.remove_member(Membership.objects.get(user=member), actor=committee_trained, reason="Spam.")
    next_year = services.create_membership_type(
        society, actor=committee_trained, year=current_academic_year().next(), name="Full member", price_pence=500
    )

    membership = join(member, next_year)

    assert membership.starts_on == next_year.year_start
    assert membership.ends_on == next_year.year_end


def test_a_refunded_member_may_join_again(member, society, membership_type, committee_trained) -> None:
    line = Membership.objects.get(user=member).order_line
    assert line is not None
    commerce_services.refund_line(line, amount_pence=500, actor=committee_trained, reason="Changed their mind.")

    assert join(member, membership_type).status == Membership.Status.ACTIVE


def test_last_years_membership_cannot_be_bought(student, society, committee_trained) -> None:
    last_year = services.create_membership_type(
        society, actor=committee_trained, year=current_academic_year().previous(), name="Full member", price_pence=500
    )

    with pytest.raises(OrderError, match="has ended"):
        commerce_services.add_to_basket(student, last_year.variant)
    assert not Membership.objects.exists()


def test_when_the_places_are_gone_the_join_button_says_sold_out(
    client, student, member, society, membership_type, committee_trained
) -> None:
    services.update_membership_type(
        membership_type,
        actor=committee_trained,
        price_pence=500,
        limit=1,
        sale_starts_at=None,
        sale_ends_at=None,
        on_sale=True,
    )
    client.force_login(student)

    assert "Sold out." in client.get(society.get_absolute_url()).content.decode()
    client.post(ADD, join_form(membership_type))
    response = client.post(reverse("commerce:checkout"), follow=True)

    assert "Sold out" in response.content.decode()
    assert not Order.objects.filter(buyer=student).exists()


def test_a_tampered_quantity_is_refused(client, student, membership_type) -> None:
    client.force_login(student)

    response = client.post(ADD, {**join_form(membership_type), "quantity": "2"}, follow=True)

    assert "at most 1" in response.content.decode()
    assert not BasketItem.objects.exists()
