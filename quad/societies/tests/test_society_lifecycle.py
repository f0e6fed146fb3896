import pytest
from django.urls import reverse
from django.utils import timezone

from quad.core.academic import current_academic_year
from quad.core.models import AuditEvent
from quad.societies import services
from quad.societies.errors import SocietyError
from quad.societies.models import Category, CommitteeTerm, Society

pytestmark = pytest.mark.django_db

NO_ACCOUNT = "no.account@student.example.ac.uk"


@pytest.fixture
def applied(student, member):
    category = Category.objects.create(name="Arts", slug="arts")
    return services.apply_for_society(
        student,
        name="Film Society",
        category=category,
        purpose="Watching films together.",
        constitution="1. Films.",
        committee=[(student.email, "President"), (member.email, "Treasurer"), (NO_ACCOUNT, "Secretary")],
    )


def _su(action: str, society: Society) -> str:
    return reverse(f"su:{action}", kwargs={"slug": society.slug})


def _edit_site(society: Society) -> str:
    return reverse("societies:edit-mini-site", kwargs={"slug": society.slug})


SITE_POST = {"purpose": "New purpose", "meeting_info": "", "contact_email": ""}


# --- Approval -----------------------------------------------------------------------------------


def test_staff_approval_makes_the_society_active_and_its_site_live(
    staff_client, applied, client, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(_su("approve-society", applied))

    assert response.status_code == 302
    applied.refresh_from_db()
    assert applied.status == Society.Status.ACTIVE
    assert applied.approved_at is not None
    assert applied.site_updated_at == applied.approved_at
    staff_client.logout()
    assert client.get(applied.get_absolute_url()).status_code == 200


def test_approval_seats_founders_with_accounts_for_the_rest_of_the_year(staff_client, applied, student, member) -> None:
    staff_client.post(_su("approve-society", applied))

    terms = CommitteeTerm.objects.filter(society=applied)
    assert sorted((t.user.email, t.position.name) for t in terms) == sorted(
        [(student.email, "President"), (member.email, "Treasurer")]
    )
    for term in terms:
        assert term.starts_on == timezone.localdate()
        assert term.ends_on == current_academic_year().end
    waiting = applied.proposed_committee.get(email=NO_ACCOUNT)
    assert waiting.seated_at is None
    assert waiting.user is None


def test_approval_is_audited_and_founders_are_emailed(
    staff_client, applied, su_staff, student, member, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(_su("approve-society", applied))

    # `member` belongs to another society, approved too: pick this one's event.
    event = AuditEvent.objects.get(action="societies.society.approved", target_id=str(applied.pk))
    assert event.actor == su_staff
    assert event.scope == applied.audit_scope
    assert sorted(m.to[0] for m in mailoutbox) == sorted([student.email, member.email, NO_ACCOUNT])
    assert all(m.subject.endswith("Film Society is approved") for m in mailoutbox)


def test_nothing_is_emailed_if_approval_fails(
    applied, su_staff, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    services.approve_society(applied, actor=su_staff)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(SocietyError):
        services.approve_society(applied, actor=su_staff)

    assert mailoutbox == []


def test_students_cannot_approve(client, applied, committee_trained) -> None:
    client.force_login(committee_trained)

    response = client.post(_su("approve-society", applied))

    assert response.status_code == 403
    applied.refresh_from_db()
    assert applied.status == Society.Status.APPLIED


# --- Rejection -----------------------------------------------------------------------------------


def test_rejection_without_a_reason_is_refused(staff_client, applied, su_staff) -> None:
    response = staff_client.post(_su("reject-society", applied), {"reason": "   "}, follow=True)

    applied.refresh_from_db()
    assert applied.status == Society.Status.APPLIED
    assert "Give a reason" in response.content.decode()
    with pytest.raises(SocietyError, match="reason"):
        services.reject_society(applied, actor=su_staff, reason="")


def test_rejection_with_a_reason_tells_the_founders(
    staff_client, applied, client, student, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(_su("reject-society", applied), {"reason": "A film society already exists."})

    applied.refresh_from_db()
    assert applied.status == Society.Status.REJECTED
    assert applied.status_reason == "A film society already exists."
    assert len(mailoutbox) == 3
    assert AuditEvent.objects.filter(action="societies.society.rejected", data__reason=applied.status_reason).exists()
    client.force_login(student)
    page = client.get(reverse("societies:application", kwargs={"slug": applied.slug})).content.decode()
    assert "A film society already exists." in page


# --- Suspension and reinstatement -----------------------------------------------------------------


def test_suspension_freezes_committee_powers(staff_client, society, client, committee_trained) -> None:
    staff_client.post(_su("suspend-society", society), {"reason": "Unpaid hall booking."})
    client.force_login(committee_trained)

    response = client.post(_edit_site(society), SITE_POST)

    assert response.status_code == 403
    assert "suspended by the union: committee powers are frozen" in response.content.decode()
    society.refresh_from_db()
    assert society.purpose != "New purpose"


def test_suspended_society_management_is_read_only(su_staff, society, client, committee_trained) -> None:
    services.suspend_society(society, actor=su_staff, reason="Unpaid hall booking.")
    client.force_login(committee_trained)

    page = client.get(reverse("societies:manage", kwargs={"slug": society.slug})).content.decode()

    assert "the union has suspended this society, so committee powers are frozen" in page
    edit_page = client.get(_edit_site(society)).content.decode()
    assert "You can see these details but not change them." in edit_page


def test_suspended_mini_site_shows_a_notice(society, su_staff, client) -> None:
    assert "This society is suspended" not in client.get(society.get_absolute_url()).content.decode()

    services.suspend_society(society, actor=su_staff, reason="Unpaid hall booking.")

    response = client.get(society.get_absolute_url())
    assert response.status_code == 200
    assert "This society is suspended by the union." in response.content.decode()


def test_suspension_needs_a_reason(staff_client, society) -> None:
    staff_client.post(_su("suspend-society", society), {"reason": ""})

    society.refresh_from_db()
    assert society.status == Society.Status.ACTIVE


def test_suspension_emails_the_current_committee(
    society, su_staff, committee_trained, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.suspend_society(society, actor=su_staff, reason="Unpaid hall booking.")

    assert committee_trained.email in [m.to[0] for m in mailoutbox]
    assert len(mailoutbox) == 3


def test_reinstatement_restores_powers(staff_client, society, su_staff, client, committee_trained) -> None:
    services.suspend_society(society, actor=su_staff, reason="Unpaid hall booking.")

    staff_client.post(_su("reinstate-society", society))

    society.refresh_from_db()
    assert society.status == Society.Status.ACTIVE
    assert society.status_reason == ""
    client.force_login(committee_trained)
    response = client.post(_edit_site(society), SITE_POST)
    assert response.status_code == 302
    society.refresh_from_db()
    assert society.purpose == "New purpose"
    assert AuditEvent.objects.filter(action="societies.society.reinstated").exists()


# --- Folding ---------------------------------------------------------------------------------------


def test_folded_mini_site_is_an_archive(staff_client, society, client) -> None:
    staff_client.post(_su("fold-society", society), {"reason": "No committee for next year."})
    staff_client.logout()

    response = client.get(society.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    assert "This society has folded." in page
    assert "This society is not taking members." in page


def test_folded_society_management_is_read_only(society, su_staff, client, committee_trained) -> None:
    services.fold_society(society, actor=su_staff, reason="No committee for next year.")
    client.force_login(committee_trained)

    manage_page = client.get(reverse("societies:manage", kwargs={"slug": society.slug}))
    response = client.post(_edit_site(society), SITE_POST)

    assert manage_page.status_code == 200
    assert "this society has folded" in manage_page.content.decode()
    assert response.status_code == 403
    assert "This society has folded: its site is archived and read-only." in response.content.decode()


def test_folded_society_leaves_the_directory_but_keeps_its_data(society, su_staff, client) -> None:
    services.fold_society(society, actor=su_staff, reason="No committee.")

    directory = client.get(reverse("societies:directory")).content.decode()

    assert "Hiking Society" not in directory
    assert Society.objects.filter(pk=society.pk).exists()
    assert CommitteeTerm.objects.filter(society=society).exists()


def test_folding_needs_a_reason(society, su_staff) -> None:
    with pytest.raises(SocietyError, match="Record why"):
        services.fold_society(society, actor=su_staff, reason=" ")

    society.refresh_from_db()
    assert society.status == Society.Status.ACTIVE


def test_suspended_society_can_fold(society, su_staff) -> None:
    services.suspend_society(society, actor=su_staff, reason="x")

    services.fold_society(society, actor=su_staff, reason="y")

    society.refresh_from_db()
    assert society.status == Society.Status.FOLDED


# --- Illegal transitions ----------------------------------------------------------------------------


def _reach(status: str, applied: Society, staff) -> Society:
    if status == Society.Status.APPLIED:
        return applied
    if status == Society.Status.REJECTED:
        return services.reject_society(applied, actor=staff, reason="no")
    services.approve_society(applied, actor=staff)
    if status == Society.Status.SUSPENDED:
        services.suspend_society(applied, actor=staff, reason="x")
    if status == Society.Status.FOLDED:
        services.fold_society(applied, actor=staff, reason="x")
    applied.refresh_from_db()
    return applied


ILLEGAL = [
    ("approve", Society.Status.ACTIVE),
    ("approve", Society.Status.REJECTED),
    ("approve", Society.Status.SUSPENDED),
    ("approve", Society.Status.FOLDED),
    ("reject", Society.Status.ACTIVE),
    ("reject", Society.Status.FOLDED),
    ("suspend", Society.Status.APPLIED),
    ("suspend", Society.Status.SUSPENDED),
    ("suspend", Society.Status.FOLDED),
    ("reinstate", Society.Status.ACTIVE),
    ("reinstate", Society.Status.APPLIED),
    ("reinstate", Society.Status.FOLDED),
    ("fold", Society.Status.APPLIED),
    ("fold", Society.Status.REJECTED),
    ("fold", Society.Status.FOLDED),
]


@pytest.mark.parametrize(("verb", "status"), ILLEGAL)
def test_illegal_transitions_are_refused(applied, su_staff, verb: str, status: str) -> None:
    society = _reach(status, applied, su_staff)
    events_before = AuditEvent.objects.count()
    action = getattr(services, f"{verb}_society")
    kwargs = {} if verb in {"approve", "reinstate"} else {"reason": "because"}

    with pytest.raises(SocietyError, match=r"^Cannot"):
        action(society, actor=su_staff, **kwargs)

    society.refresh_from_db()
    assert society.status == status
    assert AuditEvent.objects.count() == events_before


def test_illegal_transition_through_the_console_shows_the_reason(staff_client, society) -> None:
    response = staff_client.post(_su("reinstate-society", society), follow=True)

    assert "Cannot reinstate a society that is active." in response.content.decode()
