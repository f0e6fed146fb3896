"""The graduate sweep (guidance O3): warn students before their course ends; afterwards end their memberships
and committee terms, tell them, and record it. Idempotent: the second run changes nothing."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import join, make_person
from quad.core.academic import current_academic_year
from quad.core.models import AuditEvent
from quad.memberships import services
from quad.memberships.models import GraduateDeparture, Membership
from quad.memberships.tasks import run_graduate_sweep
from quad.societies.models import CommitteeTerm
from quad.societies.queries import terms_of

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def set_course_end(user: Any, day: datetime.date) -> Any:
    user.course_ends_on = day
    user.save(update_fields=["course_ends_on"])
    return user


@pytest.fixture
def finishing(db: None, settings: Any) -> Any:
    """A student whose course ends within the notice period."""
    return make_person("Fin Finishing", "fin.finishing", course_ends_on=days(settings.GRADUATE_NOTICE_DAYS - 1))


@pytest.fixture
def graduated(committee_untrained: Any, society: Any, membership_type: Any) -> Any:
    """The Secretary joined while a student, has held the position for a month, and has now graduated."""
    join(committee_untrained, membership_type)
    CommitteeTerm.objects.filter(user=committee_untrained).update(starts_on=days(-30))
    return set_course_end(committee_untrained, days(-1))


def sweep(capture: Any) -> str:
    out = io.StringIO()
    with capture(execute=True):
        call_command("graduate_sweep", stdout=out)
    return out.getvalue()


def test_students_whose_course_ends_soon_are_warned_once(
    finishing, student, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    sweep(django_capture_on_commit_callbacks)
    sweep(django_capture_on_commit_callbacks)

    [warning] = mailoutbox
    assert warning.to == [finishing.email]
    assert warning.subject == f"Your course ends on {finishing.course_ends_on.day} {finishing.course_ends_on:%B %Y}"
    departure = GraduateDeparture.objects.get()
    assert departure.user == finishing
    assert departure.warned_at is not None
    assert departure.swept_at is None


def test_students_far_from_the_end_are_left_alone(student, member, settings, mailoutbox) -> None:
    set_course_end(student, days(settings.GRADUATE_NOTICE_DAYS + 1))

    services.graduate_sweep()

    assert not GraduateDeparture.objects.exists()
    assert Membership.objects.get(user=member).status == Membership.Status.ACTIVE


def test_graduates_lose_memberships_and_committee_powers_and_are_told(
    graduated, society, member, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    output = sweep(django_capture_on_commit_callbacks)

    assert output.strip() == "Swept 1 graduate."
    membership = Membership.objects.get(user=graduated)
    assert membership.status == Membership.Status.GRADUATED
    assert membership.end_reason == "Graduated: course ended."
    assert terms_of(graduated, society) == []
    assert CommitteeTerm.objects.get(user=graduated).ends_on == days(-1)
    [email] = mailoutbox
    assert email.to == [graduated.email]
    assert email.subject == "Congratulations on graduating"
    assert "Member of Hiking Society" in str(email.body)
    assert "Secretary of Hiking Society" in str(email.body)
    departure = GraduateDeparture.objects.get(user=graduated)
    assert departure.course_ended_on == days(-1)
    assert departure.swept_at is not None
    assert (departure.memberships_ended, departure.committee_terms_ended, departure.notified) == (1, 1, True)
    assert departure.removed_from == [
        f"Member of Hiking Society ({current_academic_year().label})",
        "Secretary of Hiking Society",
    ]
    assert AuditEvent.objects.get(action="memberships.graduate.swept").data == {"memberships": 1, "terms": 1}
    assert Membership.objects.get(user=member).status == Membership.Status.ACTIVE


def test_a_graduate_with_nothing_to_end_is_still_told_and_recorded(graduate, mailoutbox) -> None:
    [departure] = services.graduate_sweep()

    assert departure.user == graduate
    assert (departure.memberships_ended, departure.committee_terms_ended) == (0, 0)
    assert departure.removed_from == []


def test_a_term_due_to_start_after_graduating_is_withdrawn(graduated, society, committee_trained) -> None:
    from quad.societies import services as society_services
    from quad.societies.models import Position

    set_course_end(graduated, days(700))  # elected while still a student…
    next_year = society_services.grant_committee_term(
        society,
        graduated,
        Position.objects.get(society=society, name="Treasurer"),
        actor=committee_trained,
        starts_on=days(200),
    )
    set_course_end(graduated, days(-1))  # …then the course ended early

    services.graduate_sweep()

    assert not CommitteeTerm.objects.filter(pk=next_year.pk).exists()
    departure = GraduateDeparture.objects.get(user=graduated)
    assert departure.committee_terms_ended == 2
    assert sorted(departure.removed_from[1:]) == [  # after the membership; terms in the positions' order
        "Secretary of Hiking Society",
        f"Treasurer of Hiking Society (due to start {days(200):%-d %B %Y}: withdrawn)",
    ]


def snapshot() -> dict[str, Any]:
    return {
        "memberships": list(Membership.objects.order_by("id").values_list("id", "status", "ended_at", "end_reason")),
        "terms": list(CommitteeTerm.objects.order_by("id").values_list("id", "starts_on", "ends_on")),
        "departures": list(GraduateDeparture.objects.order_by("id").values()),
        "audit": AuditEvent.objects.count(),
    }


def test_running_the_sweep_twice_changes_nothing_the_second_time(
    graduated, graduate, finishing, member, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    first = sweep(django_capture_on_commit_callbacks)
    after_first = snapshot()
    emails = len(mailoutbox)

    second = sweep(django_capture_on_commit_callbacks)

    assert first.strip() == "Swept 2 graduates."
    assert second.strip() == "Swept 0 graduates."
    assert snapshot() == after_first
    assert len(mailoutbox) == emails == 3  # two graduates told, one student warned
    assert GraduateDeparture.objects.count() == 3


def test_a_warned_student_is_swept_once_their_course_ends(
    finishing, membership_type, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    join(finishing, membership_type)
    with django_capture_on_commit_callbacks(execute=True):
        services.graduate_sweep()
    warned_at = GraduateDeparture.objects.get(user=finishing).warned_at

    with django_capture_on_commit_callbacks(execute=True):
        services.graduate_sweep(today=finishing.course_ends_on + datetime.timedelta(days=1))

    departure = GraduateDeparture.objects.get(user=finishing)
    assert departure.warned_at == warned_at
    assert departure.swept_at is not None
    assert departure.memberships_ended == 1
    assert [m.subject for m in mailoutbox] == [
        f"Your course ends on {finishing.course_ends_on.day} {finishing.course_ends_on:%B %Y}",
        "Congratulations on graduating",
    ]


def test_the_daily_task_runs_the_sweep(graduated) -> None:
    run_graduate_sweep.enqueue()

    assert GraduateDeparture.objects.get(user=graduated).swept_at is not None
    assert Membership.objects.get(user=graduated).status == Membership.Status.GRADUATED
