"""The committee removes a member: a reason is required, the member is told, and it is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from quad.core.models import AuditEvent
from quad.memberships import services
from quad.memberships.errors import MembershipError
from quad.memberships.models import Membership

pytestmark = pytest.mark.django_db

REASON = "Repeated abusive messages in the group chat, after a warning."


@pytest.fixture
def membership(member: Any) -> Membership:
    return Membership.objects.get(user=member)


def remove_url(membership: Membership) -> str:
    return reverse("memberships:remove-member", kwargs={"slug": membership.society.slug, "pk": membership.pk})


def test_committee_removes_a_member_who_is_told_why(
    client, committee_trained, membership, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    client.force_login(committee_trained)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove_url(membership), {"reason": REASON}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("memberships:member-list", kwargs={"slug": "hiking-society"})
    assert "Mia Member is no longer a member, and has been told." in response.content.decode()
    assert membership.user.email not in [m.user.email for m in response.context["members"]]
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REMOVED
    assert membership.end_reason == REASON
    assert membership.ended_by == committee_trained
    assert membership.ended_at is not None
    [email] = mailoutbox
    assert email.to == [membership.user.email]
    assert email.subject == "Your membership of Hiking Society has ended"
    assert REASON in str(email.body)
    event = AuditEvent.objects.get(action="memberships.membership.removed")
    assert event.actor == committee_trained
    assert event.target_id == str(membership.pk)
    assert event.data == {"reason": REASON}
    assert event.scope == membership.society.audit_scope


def test_the_removed_member_no_longer_shows_as_a_member(client, committee_trained, membership) -> None:
    services.remove_member(membership, actor=committee_trained, reason=REASON)
    client.force_login(membership.user)

    assert "You are a member" not in client.get(membership.society.get_absolute_url()).content.decode()
    account = client.get(reverse("accounts:home")).content.decode()
    assert "removed by the committee" in account


@pytest.mark.parametrize("reason", ["", "   \n  "])
def test_a_reason_is_required(
    client, committee_trained, membership, reason, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    client.force_login(committee_trained)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove_url(membership), {"reason": reason}, follow=True)

    assert "Give a reason: the member will be told it." in response.content.decode()
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert mailoutbox == []
    assert not AuditEvent.objects.filter(action="memberships.membership.removed").exists()


def test_the_service_requires_a_reason_too(committee_trained, membership) -> None:
    with pytest.raises(MembershipError, match="Give a reason"):
        services.remove_member(membership, actor=committee_trained, reason="  ")
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE


def test_an_ended_membership_cannot_be_removed_again(
    client, committee_trained, membership, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    services.remove_member(membership, actor=committee_trained, reason=REASON)
    client.force_login(committee_trained)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove_url(membership), {"reason": "Again"}, follow=True)

    assert "That membership has already ended." in response.content.decode()
    membership.refresh_from_db()
    assert membership.end_reason == REASON
    assert mailoutbox == []


@pytest.mark.parametrize("who", ["committee_untrained", "member", "student"])
def test_only_trained_committee_with_the_member_data_power_may_remove(
    client, request, membership, who, mailoutbox
) -> None:
    client.force_login(request.getfixturevalue(who))

    assert client.post(remove_url(membership), {"reason": REASON}).status_code == 403
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE


def test_another_society_cannot_remove_through_its_own_slug(client, other_society, other_committee, membership) -> None:
    client.force_login(other_committee)
    url = reverse("memberships:remove-member", kwargs={"slug": other_society.slug, "pk": membership.pk})

    assert client.post(url, {"reason": REASON}).status_code == 404
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
