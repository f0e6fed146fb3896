"""Powers follow term dates, position powers and GDPR training, with no job to switch them."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_person, train
from quad.accounts.models import TrainingRecord
from quad.core.academic import academic_year_for
from quad.core.models import AuditEvent
from quad.societies import services
from quad.societies.errors import SocietyError
from quad.societies.models import CommitteeTerm, Position, Power, Society

pytestmark = pytest.mark.django_db

SITE_POST = {"purpose": "Edited purpose", "meeting_info": "", "contact_email": ""}
DAY = datetime.timedelta(days=1)


def _today() -> datetime.date:
    return timezone.localdate()


def _url(name: str, society: Society, **kwargs) -> str:
    return reverse(f"societies:{name}", kwargs={"slug": society.slug, **kwargs})


def _position(society: Society, name: str) -> Position:
    return society.positions.get(name=name)


def _holder(society: Society, position_name: str):
    return CommitteeTerm.objects.get(society=society, position__name=position_name).user


def _grant(society: Society, user, position_name: str, *, actor, starts_on, ends_on=None) -> CommitteeTerm:
    return services.grant_committee_term(
        society, user, _position(society, position_name), actor=actor, starts_on=starts_on, ends_on=ends_on
    )


def _can_edit_site(client, society: Society) -> bool:
    response = client.post(_url("edit-mini-site", society), SITE_POST)
    assert response.status_code in {302, 403}, response.status_code
    return response.status_code == 302


# --- Term dates -----------------------------------------------------------------------------------


def test_current_trained_president_has_powers(client, society, committee_trained) -> None:
    client.force_login(committee_trained)

    assert _can_edit_site(client, society)
    society.refresh_from_db()
    assert society.purpose == "Edited purpose"


def test_term_starting_tomorrow_gives_no_powers_yet(client, society, committee_trained, student) -> None:
    train(student)
    _grant(society, student, "President", actor=committee_trained, starts_on=_today() + DAY)
    client.force_login(student)

    manage = client.get(_url("manage", society))

    assert manage.status_code == 403
    assert "Only the society's current committee can manage it." in html.unescape(manage.content.decode())
    assert not _can_edit_site(client, society)


def test_term_that_ended_yesterday_gives_no_powers(client, society, committee_trained, student) -> None:
    train(student)
    _grant(
        society, student, "President", actor=committee_trained, starts_on=_today() - 30 * DAY, ends_on=_today() - DAY
    )
    client.force_login(student)

    assert client.get(_url("manage", society)).status_code == 403
    assert not _can_edit_site(client, society)


def test_term_ending_today_still_gives_powers_today(client, society, committee_trained, student) -> None:
    train(student)
    _grant(society, student, "President", actor=committee_trained, starts_on=_today() - 30 * DAY, ends_on=_today())
    client.force_login(student)

    assert _can_edit_site(client, society)


def test_student_not_on_the_committee_cannot_manage(client, society, student) -> None:
    train(student)
    client.force_login(student)

    assert client.get(_url("manage", society)).status_code == 403
    assert not _can_edit_site(client, society)


def test_another_societys_committee_cannot_manage_this_one(client, society, other_society, other_committee) -> None:
    client.force_login(other_committee)

    assert client.get(_url("manage", society)).status_code == 403
    assert client.get(_url("manage", other_society)).status_code == 200


# --- Position powers ------------------------------------------------------------------------------


def test_treasurer_without_committee_power_cannot_grant_terms(client, society, student) -> None:
    treasurer = _holder(society, "Treasurer")
    train(treasurer)
    client.force_login(treasurer)

    response = client.post(
        _url("grant-committee-term", society),
        {"email": student.email, "position": _position(society, "Treasurer").pk, "starts_on": _today()},
    )

    assert response.status_code == 403
    assert "Your position does not include “Manage committee positions and terms”." in response.content.decode()
    assert not CommitteeTerm.objects.filter(user=student).exists()
    # The Treasurer's own powers still work.
    assert _can_edit_site(client, society)


def test_committee_page_hides_the_forms_a_position_cannot_use(client, society) -> None:
    treasurer = _holder(society, "Treasurer")
    train(treasurer)
    client.force_login(treasurer)

    page = client.get(_url("manage-committee", society)).content.decode()

    assert "Add to committee" not in page
    assert "Create position" not in page


def test_giving_a_position_the_committee_power_lets_its_holder_grant(
    client, society, committee_trained, student
) -> None:
    treasurer = _holder(society, "Treasurer")
    train(treasurer)
    position = _position(society, "Treasurer")
    services.set_position_powers(position, actor=committee_trained, powers=[*position.powers, Power.MANAGE_COMMITTEE])
    client.force_login(treasurer)

    response = client.post(
        _url("grant-committee-term", society),
        {"email": student.email, "position": _position(society, "Secretary").pk, "starts_on": _today()},
    )

    assert response.status_code == 302
    assert CommitteeTerm.objects.filter(user=student, position__name="Secretary").exists()


def test_taking_a_power_away_stops_it_at_once(client, society, committee_trained) -> None:
    position = _position(society, "President")
    services.set_position_powers(
        position, actor=committee_trained, powers=[p for p in position.powers if p != Power.MANAGE_SITE]
    )
    client.force_login(committee_trained)

    response = client.post(_url("edit-mini-site", society), SITE_POST)

    assert response.status_code == 403
    assert "Your position does not include “Manage the mini site”." in response.content.decode()


def test_set_position_powers_through_the_view_is_audited(client, society, committee_trained) -> None:
    client.force_login(committee_trained)
    position = _position(society, "Secretary")

    response = client.post(
        _url("set-position-powers", society, position_id=position.pk), {"powers": ["events", "email"]}
    )

    assert response.status_code == 302
    position.refresh_from_db()
    assert position.powers == ["email", "events"]
    event = AuditEvent.objects.get(action="societies.position.powers_changed")
    assert event.data["after"] == ["email", "events"]
    assert "site" in event.data["before"]


def test_set_position_powers_refuses_unknown_powers(society, committee_trained) -> None:
    position = _position(society, "Secretary")
    before = list(position.powers)

    with pytest.raises(SocietyError, match="Unknown powers: launch_missiles"):
        services.set_position_powers(position, actor=committee_trained, powers=["events", "launch_missiles"])

    position.refresh_from_db()
    assert position.powers == before


def test_create_position_through_the_view(client, society, committee_trained) -> None:
    client.force_login(committee_trained)

    response = client.post(_url("create-position", society), {"name": "Social Secretary", "powers": ["events"]})

    assert response.status_code == 302
    position = society.positions.get(name="Social Secretary")
    assert position.powers == ["events"]
    assert AuditEvent.objects.filter(action="societies.position.created", scope=society.audit_scope).exists()


def test_create_position_refuses_a_duplicate_name(society, committee_trained) -> None:
    with pytest.raises(SocietyError, match="already a position"):
        services.create_position(society, actor=committee_trained, name=" treasurer ", powers=[])

    assert society.positions.filter(name__iexact="treasurer").count() == 1


def test_create_position_refuses_unknown_powers(society, committee_trained) -> None:
    with pytest.raises(SocietyError, match="Unknown powers"):
        services.create_position(society, actor=committee_trained, name="Fixer", powers=["everything"])

    assert not society.positions.filter(name="Fixer").exists()


def test_same_position_name_is_fine_in_another_society(society, other_society, committee_trained) -> None:
    position = services.create_position(society, actor=committee_trained, name="Welfare Officer", powers=[])
    other = services.create_position(other_society, actor=committee_trained, name="Welfare Officer", powers=[])

    assert position.pk != other.pk


# --- GDPR training --------------------------------------------------------------------------------


def test_untrained_committee_sees_a_read_only_banner(client, society, committee_untrained) -> None:
    client.force_login(committee_untrained)

    response = client.get(_url("manage", society))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Read-only until you complete GDPR training." in page
    assert reverse("accounts:take-training") in page


def test_untrained_committee_posts_are_refused(client, society, committee_untrained, student) -> None:
    client.force_login(committee_untrained)

    site = client.post(_url("edit-mini-site", society), SITE_POST)
    faq = client.post(_url("edit-faq", society), {"question": "Q?", "answer": "A."})

    assert site.status_code == 403
    assert "Committee powers need valid GDPR training." in site.content.decode()
    assert faq.status_code == 403
    assert not society.faq.exists()


def test_trained_committee_sees_no_banner(client, society, committee_trained) -> None:
    client.force_login(committee_trained)

    page = client.get(_url("manage", society)).content.decode()

    assert "Read-only" not in page


def test_training_taken_turns_powers_on(client, society, committee_untrained) -> None:
    client.force_login(committee_untrained)
    assert not _can_edit_site(client, society)

    train(committee_untrained)

    assert _can_edit_site(client, society)


def test_expired_training_turns_powers_off(client, society, committee_trained) -> None:
    TrainingRecord.objects.filter(user=committee_trained).update(
        completed_on=_today() - 366 * DAY, expires_on=_today() - DAY
    )
    client.force_login(committee_trained)

    response = client.post(_url("edit-mini-site", society), SITE_POST)

    assert response.status_code == 403
    assert "Committee powers need valid GDPR training." in response.content.decode()
    assert "Read-only until you complete GDPR training." in client.get(_url("manage", society)).content.decode()


def test_training_expiring_today_still_counts(client, society, committee_trained) -> None:
    TrainingRecord.objects.filter(user=committee_trained).update(completed_on=_today() - 365 * DAY, expires_on=_today())
    client.force_login(committee_trained)

    assert _can_edit_site(client, society)


# --- Granting terms -------------------------------------------------------------------------------


def test_grant_through_the_view_creates_a_term_to_the_end_of_the_year(
    client, society, committee_trained, student
) -> None:
    client.force_login(committee_trained)

    response = client.post(
        _url("grant-committee-term", society),
        {"email": student.email.upper(), "position": _position(society, "Secretary").pk, "starts_on": _today()},
    )

    assert response.status_code == 302
    term = CommitteeTerm.objects.get(user=student)
    assert term.position.name == "Secretary"
    assert term.starts_on == _today()
    assert term.ends_on == academic_year_for(_today()).end
    assert term.granted_by == committee_trained


def test_grants_are_audited(society, committee_trained, student) -> None:
    term = _grant(society, student, "Secretary", actor=committee_trained, starts_on=_today())

    event = AuditEvent.objects.get(action="societies.committee.granted", target_id=str(term.pk))
    assert event.actor == committee_trained
    assert event.scope == society.audit_scope
    assert event.data == {
        "user": student.pk,
        "position": "Secretary",
        "starts_on": str(term.starts_on),
        "ends_on": str(term.ends_on),
    }


@pytest.mark.parametrize("who", ["visitor", "graduate"])
def test_grant_refuses_someone_who_is_not_a_current_student(request, society, committee_trained, who: str) -> None:
    person = request.getfixturevalue(who)

    with pytest.raises(SocietyError, match="not a current student"):
        _grant(society, person, "Secretary", actor=committee_trained, starts_on=_today())

    assert not CommitteeTerm.objects.filter(user=person).exists()


def test_grant_form_refuses_a_visitor_with_a_message(client, society, committee_trained, visitor) -> None:
    client.force_login(committee_trained)

    response = client.post(
        _url("grant-committee-term", society),
        {"email": visitor.email, "position": _position(society, "Secretary").pk, "starts_on": _today()},
    )

    assert response.status_code == 400
    assert response.context["term_form"].errors["email"] == ["That person is not a current, verified student."]


def test_grant_refuses_an_overlapping_term_in_the_same_position(society, committee_trained) -> None:
    with pytest.raises(SocietyError, match="already holds President for those dates"):
        _grant(society, committee_trained, "President", actor=committee_trained, starts_on=_today() + 10 * DAY)

    assert CommitteeTerm.objects.filter(user=committee_trained).count() == 1


def test_grant_allows_a_following_term_that_does_not_overlap(society, committee_trained) -> None:
    following = academic_year_for(_today()).next()

    term = _grant(society, committee_trained, "President", actor=committee_trained, starts_on=following.start)

    assert term.ends_on == following.end


def test_grant_refuses_a_term_ending_before_it_starts(society, committee_trained, student) -> None:
    with pytest.raises(SocietyError, match="cannot end before it starts"):
        _grant(society, student, "Secretary", actor=committee_trained, starts_on=_today(), ends_on=_today() - DAY)

    assert not CommitteeTerm.objects.filter(user=student).exists()


def test_grant_form_refuses_a_term_ending_before_it_starts(client, society, committee_trained, student) -> None:
    client.force_login(committee_trained)

    response = client.post(
        _url("grant-committee-term", society),
        {
            "email": student.email,
            "position": _position(society, "Secretary").pk,
            "starts_on": _today(),
            "ends_on": _today() - DAY,
        },
    )

    assert response.status_code == 400
    assert response.context["term_form"].errors["ends_on"] == ["The term cannot end before it starts."]


def test_grant_refuses_a_term_starting_after_the_course_ends(society, committee_trained) -> None:
    leaving = make_person("Lea Leaving", "lea.leaving", course_ends_on=_today() + 5 * DAY)

    with pytest.raises(SocietyError, match="course ends before that term starts"):
        _grant(society, leaving, "Secretary", actor=committee_trained, starts_on=_today() + 6 * DAY)


def test_grant_refuses_another_societys_position(society, other_society, committee_trained, student) -> None:
    with pytest.raises(SocietyError, match="another society"):
        services.grant_committee_term(
            society, student, _position(other_society, "President"), actor=committee_trained, starts_on=_today()
        )


# --- Ending terms ---------------------------------------------------------------------------------


def test_ending_a_term_stops_its_powers_at_once(client, society, committee_trained, student) -> None:
    train(student)
    term = _grant(society, student, "Secretary", actor=committee_trained, starts_on=_today() - 30 * DAY)
    client.force_login(committee_trained)

    response = client.post(_url("end-committee-term", society, term_id=term.pk))

    assert response.status_code == 302
    term.refresh_from_db()
    assert term.ends_on == _today() - DAY
    assert AuditEvent.objects.filter(action="societies.committee.ended", target_id=str(term.pk)).exists()
    client.force_login(student)
    assert client.get(_url("manage", society)).status_code == 403


def test_ending_a_term_that_started_today_stops_its_powers_at_once(
    client, society, committee_trained, committee_untrained
) -> None:
    # The founding committee's terms start on the day of approval.
    train(committee_untrained)
    term = CommitteeTerm.objects.get(society=society, user=committee_untrained)
    assert term.starts_on == _today()

    services.end_committee_term(term, actor=committee_trained)

    client.force_login(committee_untrained)
    assert client.get(_url("manage", society)).status_code == 403
    assert not _can_edit_site(client, society)


def test_ending_a_term_that_has_not_started_withdraws_it(society, committee_trained, student) -> None:
    term = _grant(society, student, "Secretary", actor=committee_trained, starts_on=_today() + 10 * DAY)

    services.end_committee_term(term, actor=committee_trained)

    assert not CommitteeTerm.objects.filter(pk=term.pk).exists()
    assert AuditEvent.objects.filter(action="societies.committee.withdrawn", target_id=str(term.pk)).exists()


def test_ending_a_term_that_already_ended_is_refused(society, committee_trained, student) -> None:
    term = _grant(
        society,
        student,
        "Secretary",
        actor=committee_trained,
        starts_on=_today() - 30 * DAY,
        ends_on=_today() - 2 * DAY,
    )

    with pytest.raises(SocietyError, match="already ended"):
        services.end_committee_term(term, actor=committee_trained)

    term.refresh_from_db()
    assert term.ends_on == _today() - 2 * DAY


def test_ending_another_societys_term_is_not_found(client, society, other_society, committee_trained) -> None:
    other_term = CommitteeTerm.objects.filter(society=other_society).first()
    assert other_term is not None
    client.force_login(committee_trained)

    response = client.post(_url("end-committee-term", society, term_id=other_term.pk))

    assert response.status_code == 404
    other_term.refresh_from_db()
    assert other_term.ends_on >= _today()
