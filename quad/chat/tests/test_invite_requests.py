"""Rep groups' invite requests (guidance W7, W9): a rep who moderates a union group asks the union to let
more people in; union staff approve (the addresses become eligible, as staff choosing them do) or decline
with a reason; the rep reads the answer on the group's moderator panel and by email.

- ``rep_group``: a union group for student reps, opened by ``su_staff``
- ``rep``: ``student`` (Sam), chosen by staff, in ``rep_group`` and made its moderator
- ``plain_rep``: ``member`` (Mia), chosen by staff, in ``rep_group`` as a member
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from conftest import make_person
from quad.chat import invite_requests, services
from quad.chat.errors import ChatError
from quad.chat.models import ChatGroup, GroupMember, InviteRequest, RepEligibility
from quad.chat.tests.conftest import enter, says
from quad.core.models import AuditEvent
from quad.core.personal_data import Erasure, registered

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep(rep_group: ChatGroup, student: Any, su_staff: Any) -> Any:
    services.make_eligible(rep_group, [student], actor=su_staff)
    member = enter(student, rep_group)
    services.set_role(member, actor=su_staff, moderator=True)
    return student


@pytest.fixture
def plain_rep(rep_group: ChatGroup, member: Any, su_staff: Any) -> Any:
    services.make_eligible(rep_group, [member], actor=su_staff)
    enter(member, rep_group)
    return member


def ask_url(group: ChatGroup) -> str:
    return reverse("chat:request-invites", kwargs={"pk": group.pk})


def approve_url(request: InviteRequest) -> str:
    return reverse("chat:approve-invite-request", kwargs={"pk": request.pk})


def decline_url(request: InviteRequest) -> str:
    return reverse("chat:decline-invite-request", kwargs={"pk": request.pk})


def last_message(response: Any) -> str:
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


def panel(client: Any, group: ChatGroup) -> str:
    response = client.get(reverse("chat:group", kwargs={"pk": group.pk}))
    assert response.status_code == 200
    return response.content.decode()


# --- Asking ----------------------------------------------------------------------------------------------


def test_a_rep_asks_the_union_from_the_moderator_panel(client, rep_group, rep) -> None:
    client.force_login(rep)
    assert "Ask the union to invite" in panel(client, rep_group)

    response = client.post(
        ask_url(rep_group),
        {
            "invite-emails": " Ana.New@student.example.ac.uk\nben.new@student.example.ac.uk,"
            " ana.new@student.example.ac.uk",
            "invite-note": "Second-year reps.",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("chat:group", kwargs={"pk": rep_group.pk})
    made = InviteRequest.objects.get()
    assert (made.group, made.requested_by, made.status, made.note) == (
        rep_group,
        rep,
        InviteRequest.Status.PENDING,
        "Second-year reps.",
    )
    # Trimmed, lower-cased and each once.
    assert made.addresses == ["ana.new@student.example.ac.uk", "ben.new@student.example.ac.uk"]
    event = AuditEvent.objects.get(action="chat.invite_request.made")
    assert (event.actor, event.scope, event.data) == (rep, "union", {"group": rep_group.pk, "count": 2})
    assert "ana.new" not in str(event.data)  # the audit log counts addresses, never lists them
    html = panel(client, rep_group)
    assert "Waiting for the union" in html
    assert "2 addresses" in html


def test_addresses_that_are_not_email_addresses_are_named_and_nothing_is_asked(client, rep_group, rep) -> None:
    client.force_login(rep)

    response = client.post(ask_url(rep_group), {"invite-emails": "ok@student.example.ac.uk not-an-address"})

    assert last_message(response) == "These are not email addresses: not-an-address."
    assert not InviteRequest.objects.exists()


def test_a_member_who_is_not_a_moderator_cannot_ask(client, rep_group, plain_rep) -> None:
    client.force_login(plain_rep)
    assert "Ask the union to invite" not in panel(client, rep_group)

    response = client.post(ask_url(rep_group), {"invite-emails": "x@student.example.ac.uk"})

    assert response.status_code == 403
    with pytest.raises(ChatError, match=says("Only the group's moderators can ask the union to invite people.")):
        invite_requests.request_invites(rep_group, actor=plain_rep, emails=["x@student.example.ac.uk"])
    assert not InviteRequest.objects.exists()


def test_people_outside_the_group_are_not_told_it_exists_and_staff_have_nothing_to_ask(
    client, rep_group, rep, committee_trained, su_staff
) -> None:
    data = {"invite-emails": "x@student.example.ac.uk"}
    response = client.post(ask_url(rep_group), data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

    client.force_login(committee_trained)
    assert client.post(ask_url(rep_group), data).status_code == 404

    client.force_login(su_staff)
    assert client.post(ask_url(rep_group), data).status_code == 403
    assert not InviteRequest.objects.exists()


def test_a_society_groups_moderators_ask_nothing_here(client, society, committee_trained) -> None:
    group = services.create_group(actor=committee_trained, society=society, name="Walks", purpose="Walks.")
    enter(committee_trained, group)
    client.force_login(committee_trained)

    assert client.post(ask_url(group), {"invite-emails": "x@student.example.ac.uk"}).status_code == 404
    with pytest.raises(ChatError, match=says("Only union rep groups ask the union to invite people.")):
        invite_requests.request_invites(group, actor=committee_trained, emails=["x@student.example.ac.uk"])


# --- Deciding --------------------------------------------------------------------------------------------


def test_approving_makes_the_students_eligible_and_names_the_addresses_it_could_not_add(
    staff_client, rep_group, rep, su_staff, visitor, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    ana = make_person("Ana New", "ana.new")
    ben = make_person("Ben New", "ben.new")
    made = invite_requests.request_invites(
        rep_group,
        actor=rep,
        emails=[ana.email, "nobody@student.example.ac.uk", ben.email.upper(), visitor.email],
        note="New reps.",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(approve_url(made), {"note": "Welcome them.", "next": reverse("su:approvals")})

    assert response["Location"] == reverse("su:approvals")
    assert last_message(response) == (
        "Approved: 2 more people may join “Course reps: Engineering”. Not added, as no current student has an "
        f"account with these addresses: nobody@student.example.ac.uk, {visitor.email}."
    )
    # Exactly as staff choosing them on the group's page: eligibility rows added by the staff member.
    chosen = RepEligibility.objects.filter(group=rep_group, user__in=[ana, ben])
    assert sorted(e.user.display_name for e in chosen) == ["Ana New", "Ben New"]
    assert {e.added_by for e in chosen} == {su_staff}
    services.check_can_join(ana, rep_group)  # they may join now
    made.refresh_from_db()
    assert (made.status, made.decided_by, made.decision_note) == (
        InviteRequest.Status.APPROVED,
        su_staff,
        "Welcome them.",
    )
    assert made.decided_at is not None
    assert made.not_added_addresses == ["nobody@student.example.ac.uk", visitor.email]
    event = AuditEvent.objects.get(action="chat.invite_request.approved")
    assert (event.actor, event.scope, event.data) == (
        su_staff,
        "union",
        {"group": rep_group.pk, "added": 2, "not_added": 2},
    )
    # The rep is told by email, and on the group's moderator panel.
    [email] = mailoutbox
    assert email.to == [rep.email]
    assert "approved your invite request" in email.subject
    assert "nobody@student.example.ac.uk" in email.body
    staff_client.force_login(rep)
    html = panel(staff_client, rep_group)
    assert "Approved" in html
    assert "They may join now" in html
    assert "nobody@student.example.ac.uk" in html
    assert "Welcome them." in html


def test_an_approval_that_adds_nobody_does_not_say_they_may_join(client, rep_group, rep, su_staff) -> None:
    made = invite_requests.request_invites(rep_group, actor=rep, emails=["ghost@student.example.ac.uk"])

    _, added = invite_requests.approve(made, actor=su_staff)

    assert added == 0
    assert not RepEligibility.objects.filter(group=rep_group).exclude(user=rep).exists()
    client.force_login(rep)
    html = panel(client, rep_group)
    assert "They may join now" not in html
    assert "no current student has an account with these addresses: ghost@student.example.ac.uk" in html


def test_a_request_is_decided_once(staff_client, rep_group, rep, su_staff) -> None:
    made = invite_requests.request_invites(rep_group, actor=rep, emails=["x@student.example.ac.uk"])
    invite_requests.decline(made, actor=su_staff, reason="Not reps.")

    with pytest.raises(ChatError, match=says("This request has already been declined.")):
        invite_requests.approve(made, actor=su_staff)
    with pytest.raises(ChatError, match=says("This request has already been declined.")):
        invite_requests.decline(made, actor=su_staff, reason="Again.")

    response = staff_client.post(approve_url(made), {"next": reverse("su:approvals")})
    assert last_message(response) == "This request has already been declined."
    made.refresh_from_db()
    assert (made.status, made.decision_note) == (InviteRequest.Status.DECLINED, "Not reps.")
    assert not RepEligibility.objects.filter(user__email="x@student.example.ac.uk").exists()
    assert AuditEvent.objects.filter(action__startswith="chat.invite_request.").count() == 2  # made, declined


def test_an_approval_cannot_be_repeated_to_add_people_again(rep_group, rep, su_staff) -> None:
    ana = make_person("Ana New", "ana.new")
    made = invite_requests.request_invites(rep_group, actor=rep, emails=[ana.email])
    _, added = invite_requests.approve(made, actor=su_staff)
    assert added == 1

    with pytest.raises(ChatError, match=says("This request has already been approved.")):
        invite_requests.approve(made, actor=su_staff)


def test_declining_needs_a_reason_which_the_rep_reads(
    staff_client, client, rep_group, rep, su_staff, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    made = invite_requests.request_invites(rep_group, actor=rep, emails=["x@student.example.ac.uk"])

    response = staff_client.post(decline_url(made), {"note": "  ", "next": reverse("su:approvals")})
    assert last_message(response) == "Give the rep a reason."
    made.refresh_from_db()
    assert made.status == InviteRequest.Status.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            decline_url(made), {"note": "They are not course reps.", "next": reverse("su:approvals")}
        )

    assert response["Location"] == reverse("su:approvals")
    assert last_message(response) == "Declined; the rep has been told why."
    made.refresh_from_db()
    assert (made.status, made.decided_by, made.decision_note) == (
        InviteRequest.Status.DECLINED,
        su_staff,
        "They are not course reps.",
    )
    assert AuditEvent.objects.filter(action="chat.invite_request.declined", scope="union").exists()
    [email] = mailoutbox
    assert (email.to, "declined" in email.subject) == ([rep.email], True)
    assert "They are not course reps." in email.body
    client.force_login(rep)
    html = panel(client, rep_group)
    assert "Declined" in html
    assert "Why: They are not course reps." in html


def test_only_union_staff_decide(client, rep_group, rep, plain_rep, committee_trained) -> None:
    made = invite_requests.request_invites(rep_group, actor=rep, emails=["x@student.example.ac.uk"])

    with pytest.raises(ChatError, match=says("Only union staff decide who may join a union group.")):
        invite_requests.approve(made, actor=rep)
    for person in (rep, plain_rep, committee_trained):
        client.force_login(person)
        assert client.post(approve_url(made)).status_code == 403
        assert client.post(decline_url(made), {"note": "No."}).status_code == 403
    made.refresh_from_db()
    assert made.status == InviteRequest.Status.PENDING


def test_a_next_that_leaves_the_site_is_ignored(staff_client, rep_group, rep) -> None:
    made = invite_requests.request_invites(rep_group, actor=rep, emails=["x@student.example.ac.uk"])

    response = staff_client.post(decline_url(made), {"note": "No.", "next": "https://evil.example/"})

    assert response["Location"] == reverse("su:approvals")


def test_a_closed_group_takes_no_requests(rep_group, rep, su_staff) -> None:
    made = invite_requests.request_invites(rep_group, actor=rep, emails=["x@student.example.ac.uk"])
    ChatGroup.objects.filter(pk=rep_group.pk).update(archived_at=timezone.now())
    rep_group.refresh_from_db()

    with pytest.raises(ChatError, match=says("This group has closed.")):
        invite_requests.request_invites(rep_group, actor=rep, emails=["y@student.example.ac.uk"])
    with pytest.raises(ChatError, match=says("The group has closed; decline the request instead.")):
        invite_requests.approve(made, actor=su_staff)


def test_a_rep_who_is_no_longer_a_moderator_cannot_ask(rep_group, rep, su_staff) -> None:
    member = GroupMember.objects.get(group=rep_group, user=rep)
    services.set_role(member, actor=su_staff, moderator=False)

    with pytest.raises(ChatError, match=says("Only the group's moderators can ask the union to invite people.")):
        invite_requests.request_invites(rep_group, actor=rep, emails=["x@student.example.ac.uk"])


# --- Personal data -------------------------------------------------------------------------------------


def test_personal_data_export_and_erasure(rep_group, rep, su_staff) -> None:
    invite_requests.register_personal_data()
    [entry] = [e for e in registered() if e.title == "Rep group invite requests"]
    assert entry.models == ("chat.InviteRequest",)
    named = make_person("Nia Named", "nia.named")
    other = "olu.other@student.example.ac.uk"
    decided = invite_requests.request_invites(rep_group, actor=rep, emails=[named.email, other])
    invite_requests.decline(decided, actor=su_staff, reason="Later.")
    only_them = invite_requests.request_invites(rep_group, actor=rep, emails=[named.email])
    waiting = invite_requests.request_invites(rep_group, actor=rep, emails=[other])

    sections = {section.title: section.rows for section in entry.export(named)}
    assert len(sections["Rep group invite requests that named you"]) == 2
    assert sections["Rep group invite requests you made"] == []
    rep_sections = {section.title: section.rows for section in entry.export(rep)}
    assert len(rep_sections["Rep group invite requests you made"]) == 3

    erasure = Erasure(user_id=named.pk)
    entry.erase(named, erasure)

    decided.refresh_from_db()
    assert decided.addresses == [other]  # their address is gone; the decision stays
    assert not InviteRequest.objects.filter(pk=only_them.pk).exists()  # asked for them alone, still waiting
    assert InviteRequest.objects.filter(pk=waiting.pk).exists()
    assert erasure.removed == {"rep group invite requests naming them": 2}

    erasure = Erasure(user_id=rep.pk)
    entry.erase(rep, erasure)
    assert not InviteRequest.objects.filter(pk=waiting.pk).exists()  # the rep's own request still waiting
    assert InviteRequest.objects.filter(pk=decided.pk).exists()
    assert erasure.removed == {"rep group invite requests withdrawn": 1}
