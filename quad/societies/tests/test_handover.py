import html

import pytest
from django.urls import reverse

from conftest import train
from quad.core.academic import current_academic_year
from quad.core.models import AuditEvent
from quad.societies import services
from quad.societies.errors import SocietyError
from quad.societies.models import HandoverNote, Society

pytestmark = pytest.mark.django_db

NOTES = {
    "work_in_flight": "Coach booked for the Snowdon trip; deposit paid.",
    "external_accounts": "Instagram @hikingsoc: transfer to the incoming President.",
}


def _url(name: str, society: Society) -> str:
    return reverse(f"societies:{name}", kwargs={"slug": society.slug})


@pytest.fixture
def incoming(society, committee_trained, student):
    """A student elected President for next year: their term starts on the next academic year's first day."""
    services.grant_committee_term(
        society,
        student,
        society.positions.get(name="President"),
        actor=committee_trained,
        starts_on=current_academic_year().next().start,
    )
    return student


@pytest.fixture
def note(society, committee_trained):
    return services.write_handover(society, actor=committee_trained, **NOTES)


def test_outgoing_committee_writes_notes_for_next_year(client, society, committee_trained) -> None:
    client.force_login(committee_trained)

    response = client.post(_url("handover", society), NOTES)

    assert response.status_code == 302
    note = HandoverNote.objects.get(society=society)
    assert note.year_start == current_academic_year().next().start
    assert note.work_in_flight == NOTES["work_in_flight"]
    assert note.written_by == committee_trained
    assert not note.is_complete
    assert AuditEvent.objects.filter(action="societies.handover.written", actor=committee_trained).exists()


def test_outgoing_committee_can_rewrite_notes_before_they_are_acknowledged(
    client, society, committee_trained, note
) -> None:
    client.force_login(committee_trained)

    client.post(_url("handover", society), {**NOTES, "work_in_flight": "Coach cancelled; refund due."})

    note.refresh_from_db()
    assert note.work_in_flight == "Coach cancelled; refund due."
    assert HandoverNote.objects.count() == 1


@pytest.mark.parametrize(
    "field, text",
    [
        ("external_accounts", "Instagram password: x"),
        ("external_accounts", "Gmail PW=hunter2"),
        ("work_in_flight", "Locker passcode: 1234"),
        ("external_accounts", "Facebook pwd : letmein"),
    ],
)
def test_notes_containing_a_password_are_refused(client, society, committee_trained, field: str, text: str) -> None:
    client.force_login(committee_trained)

    response = client.post(_url("handover", society), {**NOTES, field: text})

    assert response.status_code == 200
    assert "Handover notes must never contain passwords." in response.content.decode()
    assert not HandoverNote.objects.exists()


def test_talking_about_passwords_without_giving_one_is_fine(society, committee_trained) -> None:
    note = services.write_handover(
        society,
        actor=committee_trained,
        work_in_flight="Nothing pending.",
        external_accounts="Reset the Instagram password when you take it over.",
    )

    assert note.pk is not None


def test_untrained_committee_can_read_but_not_write(client, society, committee_untrained, note) -> None:
    client.force_login(committee_untrained)

    page = client.get(_url("handover", society))
    response = client.post(_url("handover", society), {**NOTES, "work_in_flight": "Overwritten"})

    assert page.status_code == 200
    assert "Coach booked for the Snowdon trip" in page.content.decode()
    assert response.status_code == 403
    note.refresh_from_db()
    assert note.work_in_flight == NOTES["work_in_flight"]


def test_incoming_committee_can_read_before_their_term_starts(client, society, incoming, note) -> None:
    client.force_login(incoming)

    response = client.get(_url("handover", society))

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert NOTES["work_in_flight"] in page
    assert NOTES["external_accounts"] in page
    assert "I have read these notes" in page
    # Reading notes gives no powers: the management area is still closed to them.
    assert client.get(_url("manage", society)).status_code == 403


def test_incoming_committee_cannot_write_the_notes(client, society, incoming, note) -> None:
    train(incoming)
    client.force_login(incoming)

    response = client.post(_url("handover", society), {**NOTES, "work_in_flight": "Overwritten"})

    assert response.status_code == 403
    note.refresh_from_db()
    assert note.work_in_flight == NOTES["work_in_flight"]


def test_incoming_committee_acknowledges_the_notes(client, society, incoming, note) -> None:
    client.force_login(incoming)

    response = client.post(_url("acknowledge-handover", society))

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.is_complete
    assert note.acknowledged_by == incoming
    assert AuditEvent.objects.filter(action="societies.handover.acknowledged", actor=incoming).exists()
    assert "Acknowledged by Sam Student" in client.get(_url("handover", society)).content.decode()


def test_acknowledging_with_no_notes_written_does_nothing(client, society, incoming) -> None:
    client.force_login(incoming)

    response = client.post(_url("acknowledge-handover", society), follow=True)

    assert "There are no handover notes to acknowledge yet." in response.content.decode()
    assert not HandoverNote.objects.exists()


def test_outgoing_committee_cannot_acknowledge_their_own_notes(client, society, committee_trained, note) -> None:
    client.force_login(committee_trained)

    response = client.post(_url("acknowledge-handover", society))

    assert response.status_code == 403
    note.refresh_from_db()
    assert not note.is_complete
    with pytest.raises(SocietyError, match="Only the incoming committee"):
        services.acknowledge_handover(note, actor=committee_trained)


@pytest.mark.parametrize("who", ["member", "visitor", "other_committee"])
def test_someone_neither_outgoing_nor_incoming_cannot_see_the_notes(
    request, client, society, other_society, note, who: str
) -> None:
    client.force_login(request.getfixturevalue(who))

    page = client.get(_url("handover", society))
    acknowledge = client.post(_url("acknowledge-handover", society))

    assert page.status_code == 403
    assert NOTES["work_in_flight"] not in page.content.decode()
    assert "Only the current and incoming committee can see handover notes." in page.content.decode()
    assert acknowledge.status_code == 403
    note.refresh_from_db()
    assert not note.is_complete


def test_signed_out_visitor_is_sent_to_sign_in(client, society, note) -> None:
    response = client.get(_url("handover", society))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("account_login"))


def test_acknowledged_notes_cannot_be_rewritten(client, society, committee_trained, incoming, note) -> None:
    services.acknowledge_handover(note, actor=incoming)
    client.force_login(committee_trained)

    page = client.get(_url("handover", society)).content.decode()
    response = client.post(_url("handover", society), {**NOTES, "work_in_flight": "Rewritten after the fact"})

    assert "Save handover notes" not in page
    assert response.status_code == 200
    assert "Acknowledged by Sam Student" in response.content.decode()
    note.refresh_from_db()
    assert note.work_in_flight == NOTES["work_in_flight"]
    with pytest.raises(SocietyError, match="already acknowledged these notes"):
        services.write_handover(society, actor=committee_trained, **NOTES)


def test_notes_cannot_be_acknowledged_twice(society, incoming, note) -> None:
    services.acknowledge_handover(note, actor=incoming)

    with pytest.raises(SocietyError, match="already been acknowledged"):
        services.acknowledge_handover(note, actor=incoming)


def test_staff_handover_status_shows_written_and_acknowledged_notes(
    staff_client, society, other_society, incoming, note
) -> None:
    url = reverse("su:handover-status")

    before = staff_client.get(url).content.decode()
    services.acknowledge_handover(note, actor=incoming)
    after = staff_client.get(url).content.decode()

    assert "Hiking Society" in before
    assert "Chess Club" in before
    assert "not written" in before  # Chess Club has none
    assert ">done</span>" not in before
    assert ">done</span>" in after


def test_students_cannot_see_the_staff_handover_status(client, committee_trained) -> None:
    client.force_login(committee_trained)

    assert client.get(reverse("su:handover-status")).status_code == 403
