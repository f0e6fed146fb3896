"""Membership types: the finance committee creates and edits them; prices, limits and sale windows are checked."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import join, make_person
from quad.commerce import services as commerce_services
from quad.commerce.models import Order
from quad.core.academic import current_academic_year
from quad.core.models import AuditEvent
from quad.memberships import services
from quad.memberships.errors import MembershipError
from quad.memberships.models import MembershipType

pytestmark = pytest.mark.django_db


def types_url(society: Any) -> str:
    return reverse("memberships:membership-types", kwargs={"slug": society.slug})


def edit_url(membership_type: MembershipType) -> str:
    return reverse(
        "memberships:edit-membership-type", kwargs={"slug": membership_type.society.slug, "pk": membership_type.pk}
    )


def local(days: int) -> str:
    """A datetime-local form value `days` from now."""
    return (timezone.localtime() + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


NEW_TYPE = {"name": "Associate", "price": "3.50", "limit": "40", "sale_starts_at": "", "sale_ends_at": ""}
EDIT = {"price": "5.00", "limit": "", "sale_starts_at": "", "sale_ends_at": "", "on_sale": "on"}


# --- Creating -----------------------------------------------------------------------------------


def test_finance_committee_creates_a_type_for_this_academic_year(client, society, committee_trained) -> None:
    client.force_login(committee_trained)

    response = client.post(types_url(society), NEW_TYPE)

    assert response.status_code == 302
    created = MembershipType.objects.get(society=society, product__name="Associate")
    year = current_academic_year()
    assert (created.year_start, created.year_end) == (year.start, year.end)
    assert created.price_pence == 350
    assert created.quota is not None and created.quota.size == 40
    event = AuditEvent.objects.get(action="memberships.type.created")
    assert event.actor == committee_trained
    assert event.data["price_pence"] == 350
    mini_site = client.get(society.get_absolute_url()).content.decode()
    assert "Associate" in mini_site
    assert "£3.50" in mini_site
    assert "40 places left" in mini_site


def test_a_free_type_needs_no_limit(client, society, committee_trained) -> None:
    client.force_login(committee_trained)

    client.post(types_url(society), {**NEW_TYPE, "name": "Friend", "price": "0", "limit": ""})

    created = MembershipType.objects.get(product__name="Friend")
    assert created.price_pence == 0
    assert created.quota is None
    assert "Free" in client.get(society.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"price": "-1"}, "greater than or equal to 0"),
        ({"price": "2.505"}, "Use pounds and pence"),
        ({"price": ""}, "This field is required"),
        ({"limit": "0"}, "greater than or equal to 1"),
        ({"sale_starts_at": local(5), "sale_ends_at": local(2)}, "Sales must close after they open."),
        ({"sale_starts_at": local(2), "sale_ends_at": local(2)}, "Sales must close after they open."),
    ],
)
def test_bad_values_are_refused_with_a_message(client, society, committee_trained, changes, message) -> None:
    client.force_login(committee_trained)

    response = client.post(types_url(society), {**NEW_TYPE, **changes})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MembershipType.objects.filter(product__name="Associate").exists()


def test_the_service_refuses_bad_values_too(society, committee_trained) -> None:
    year = current_academic_year()
    now = timezone.now()
    with pytest.raises(MembershipError, match="cannot be negative"):
        services.create_membership_type(society, actor=committee_trained, year=year, name="X", price_pence=-100)
    with pytest.raises(MembershipError, match="at least 1"):
        services.create_membership_type(society, actor=committee_trained, year=year, name="X", price_pence=0, limit=0)
    with pytest.raises(MembershipError, match="close after they open"):
        services.create_membership_type(
            society,
            actor=committee_trained,
            year=year,
            name="X",
            price_pence=0,
            sale_starts_at=now,
            sale_ends_at=now - datetime.timedelta(hours=1),
        )
    assert not MembershipType.objects.exists()


def test_the_same_name_twice_in_a_year_is_refused(client, society, committee_trained, membership_type) -> None:
    client.force_login(committee_trained)

    response = client.post(types_url(society), {**NEW_TYPE, "name": "full MEMBER"})

    assert "There is already a “full MEMBER” membership" in response.content.decode()
    assert MembershipType.objects.filter(society=society).count() == 1


def test_untrained_committee_see_the_types_but_no_form(client, society, committee_untrained, membership_type) -> None:
    client.force_login(committee_untrained)

    page = client.get(types_url(society)).content.decode()

    assert "Full member" in page
    assert "Create membership" not in page
    assert client.post(types_url(society), NEW_TYPE).status_code == 403
    assert not MembershipType.objects.filter(product__name="Associate").exists()


def test_a_type_not_yet_on_sale_is_not_offered(client, society, committee_trained, student) -> None:
    client.force_login(committee_trained)
    response = client.post(
        types_url(society), {**NEW_TYPE, "sale_starts_at": local(3), "sale_ends_at": local(30)}, follow=True
    )
    assert "“Associate” goes on sale on " in response.content.decode()
    client.force_login(student)

    page = client.get(society.get_absolute_url()).content.decode()

    assert "Associate" not in page
    assert "not on sale right now" in page


# --- Editing ------------------------------------------------------------------------------------


def test_a_new_price_applies_to_later_sales_only(client, society, committee_trained, member, membership_type) -> None:
    """`member` paid £5; a pending order keeps its £5 too; a student who checks out afterwards pays £7."""
    waiting = make_person("Wes Waiting", "wes.waiting")
    pending, _ = commerce_services.place_order(waiting, items=[(membership_type.variant, 1)])
    client.force_login(committee_trained)

    response = client.post(edit_url(membership_type), {**EDIT, "price": "7.00"})

    assert response.status_code == 302
    membership_type.variant.refresh_from_db()
    assert membership_type.variant.price_pence == 700
    paid = Order.objects.get(buyer=member)
    assert paid.total_pence == 500
    assert paid.lines.get().unit_price_pence == 500
    commerce_services.confirm_payment(pending, provider="test", payment_id="test-pending", amount_pence=500)
    pending.refresh_from_db()
    assert pending.status == Order.Status.PAID
    later = join(make_person("Lou Later", "lou.later"), membership_type)
    assert later.order_line.unit_price_pence == 700
    assert AuditEvent.objects.get(action="memberships.type.updated").data["price_pence"] == 700


def test_the_limit_cannot_go_below_the_members_already_sold(client, committee_trained, member, membership_type) -> None:
    join(make_person("Second Member", "second.member"), membership_type)
    client.force_login(committee_trained)

    response = client.post(edit_url(membership_type), {**EDIT, "limit": "1"})

    assert response.status_code == 200
    assert "2 people already hold this membership" in response.content.decode()
    membership_type.refresh_from_db()
    assert membership_type.quota is None


def test_the_limit_can_be_set_changed_and_removed(client, society, committee_trained, member, membership_type) -> None:
    client.force_login(committee_trained)

    client.post(edit_url(membership_type), {**EDIT, "limit": "2"})
    membership_type.refresh_from_db()
    assert membership_type.quota is not None and membership_type.quota.size == 2
    assert "1 place left" in client.get(society.get_absolute_url()).content.decode()

    client.post(edit_url(membership_type), {**EDIT, "limit": "5"})
    membership_type.quota.refresh_from_db()
    assert membership_type.quota.size == 5

    client.post(edit_url(membership_type), EDIT)
    membership_type.refresh_from_db()
    assert membership_type.quota is None


def test_edit_refuses_a_sale_window_that_closes_before_it_opens(client, committee_trained, membership_type) -> None:
    client.force_login(committee_trained)

    response = client.post(edit_url(membership_type), {**EDIT, "sale_starts_at": local(9), "sale_ends_at": local(1)})

    assert "Sales must close after they open." in response.content.decode()
    membership_type.product.refresh_from_db()
    assert membership_type.product.sale_starts_at is None
    with pytest.raises(MembershipError, match="close after they open"):
        services.update_membership_type(
            membership_type,
            actor=committee_trained,
            price_pence=500,
            limit=None,
            sale_starts_at=timezone.now(),
            sale_ends_at=timezone.now() - datetime.timedelta(days=1),
            on_sale=True,
        )


def test_edit_refuses_a_negative_price(client, committee_trained, membership_type) -> None:
    client.force_login(committee_trained)

    response = client.post(edit_url(membership_type), {**EDIT, "price": "-5"})

    assert response.status_code == 200
    membership_type.variant.refresh_from_db()
    assert membership_type.variant.price_pence == 500
    with pytest.raises(MembershipError, match="cannot be negative"):
        services.update_membership_type(
            membership_type,
            actor=committee_trained,
            price_pence=-1,
            limit=None,
            sale_starts_at=None,
            sale_ends_at=None,
            on_sale=True,
        )


def test_taking_a_type_off_sale_hides_it_and_refuses_the_old_form(
    client, society, committee_trained, student, membership_type
) -> None:
    client.force_login(committee_trained)
    client.post(edit_url(membership_type), {key: value for key, value in EDIT.items() if key != "on_sale"})
    client.force_login(student)

    assert "Join as Full member" not in client.get(society.get_absolute_url()).content.decode()
    response = client.post(
        reverse("commerce:add-to-basket"), {"variant": membership_type.variant_id, "quantity": "1"}, follow=True
    )
    assert "is not on sale" in response.content.decode()


def test_another_societys_committee_cannot_edit(client, other_society, other_committee, membership_type) -> None:
    client.force_login(other_committee)
    url = reverse("memberships:edit-membership-type", kwargs={"slug": other_society.slug, "pk": membership_type.pk})

    assert client.post(url, {**EDIT, "price": "0"}).status_code == 404
    membership_type.variant.refresh_from_db()
    assert membership_type.variant.price_pence == 500
