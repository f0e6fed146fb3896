"""Reporting a message or a member, and where the report goes (guidance O7, O18): the five zero-tolerance
categories straight to union staff as a case; anything else to the group's moderators first; a report
about a moderator, or from a group with no moderators of its own, to staff."""

from __future__ import annotations

import pytest

from quad.chat import services as chat_services
from quad.chat.models import GroupMember
from quad.conduct import services
from quad.conduct.errors import ConductError
from quad.conduct.models import ZERO_TOLERANCE, Case, Category, Report
from quad.conduct.tests.conftest import enter, say, says
from quad.core.models import AuditEvent

pytestmark = pytest.mark.django_db

WAITING = "A report is waiting in Hiking Society"


@pytest.mark.parametrize("category", sorted(ZERO_TOLERANCE))
def test_a_zero_tolerance_report_goes_straight_to_union_staff_as_a_case(
    category, said, member, su_staff, committee_trained, moderator, mail, commit
) -> None:
    with commit():
        report = services.report_message(said, reporter=member, category=category, note="Third time this week.")

    assert report.routed_to == Report.Route.STAFF
    assert report.escalation == Report.Escalation.ZERO_TOLERANCE
    case = report.case
    assert case is not None and case.source == Case.Source.REPORT and case.status == Case.Status.OPEN
    assert case.subject_name == "Rex Rude"
    assert [s for s in mail.subjects(su_staff.email) if "New case" in s]
    assert not mail.to(committee_trained.email), "the group's moderators are not asked about zero-tolerance reports"
    assert mail.subjects(member.email) == ["Your report has arrived"]


def test_anything_else_goes_to_the_groups_moderators_first(
    said, member, su_staff, committee_trained, moderator, mail, commit
) -> None:
    with commit():
        report = services.report_message(said, reporter=member, category=Category.OTHER, note="Rude.")

    assert report.routed_to == Report.Route.MODERATORS
    assert report.case is None
    assert Case.objects.count() == 0
    assert mail.subjects(committee_trained.email) == [WAITING]
    assert not mail.to(su_staff.email)
    assert "with the group's moderators" in mail.everything_to(member.email)


def test_a_report_about_a_moderator_goes_to_union_staff(chatter, moderator, member, mail, commit) -> None:
    their = say(moderator, "Mia, you are useless at map reading.")

    with commit():
        report = services.report_message(their, reporter=member, category=Category.OTHER)

    assert report.routed_to == Report.Route.STAFF
    assert report.escalation == Report.Escalation.ABOUT_A_MODERATOR
    assert report.case is not None
    assert not mail.to(moderator.user.email), "the moderator reported is never asked to judge it"


def test_a_group_with_no_moderators_of_its_own_sends_reports_to_staff(su_staff, student, committee_trained) -> None:
    rep_group = chat_services.create_group(actor=su_staff, name="Course reps", purpose="Reps and the union.")
    chat_services.make_eligible(rep_group, [student, committee_trained], actor=su_staff)
    reporter, reported = enter(student, rep_group), enter(committee_trained, rep_group)
    message = say(reported, "Off-topic rant.")

    report = services.report_message(message, reporter=reporter.user, category=Category.OTHER)

    assert report.routed_to == Report.Route.STAFF
    assert report.escalation == Report.Escalation.NO_MODERATORS


def test_a_second_report_of_the_same_incident_joins_the_open_case(
    said, member, su_staff, committee_trained, moderator, rude
) -> None:
    first = services.report_message(said, reporter=member, category=Category.BULLYING)
    again = services.report_message(said, reporter=committee_trained, category=Category.THREATS)
    later = say(rude, "I know where you live.")
    third = services.report_message(later, reporter=member, category=Category.THREATS)

    assert first.case == again.case == third.case
    assert Case.objects.count() == 1


def test_report_a_member_copies_their_latest_messages(chatter, rude, member, moderator) -> None:
    say(rude, "First.")
    say(chatter, "Mia says hello.")
    say(rude, "Second.")

    report = services.report_member(rude, reporter=member, category=Category.ABUSE, note="Messages me privately.")

    assert report.about == Report.About.MEMBER
    assert report.message is None
    assert report.reported_user == rude.user
    assert [e["body"] for e in report.evidence] == ["First.", "Second."]
    assert all(e["author"] == "Rex Rude" for e in report.evidence)


def test_reporting_is_recorded(said, member) -> None:
    report = services.report_message(said, reporter=member, category=Category.OTHER)

    event = AuditEvent.objects.get(action="conduct.report.filed")
    assert event.actor == member
    assert event.target_id == str(report.pk)
    assert "Rex" not in event.target_repr and "Mia" not in event.target_repr


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("own message", "You cannot report your own message."),
        ("twice", "You have already reported this message. Your reports page shows how it is going."),
        ("no category", "Choose what kind of behaviour you are reporting."),
        ("outsider", "You can report messages only in groups you can read."),
        ("hidden", "This message is no longer shown, so there is nothing to report."),
    ],
)
def test_what_cannot_be_reported(case, words, said, chatter, member, student, committee_trained) -> None:
    reporter, message, category = member, said, str(Category.OTHER)
    if case == "own message":
        message = say(chatter, "My own words.")
    elif case == "twice":
        services.report_message(said, reporter=member, category=Category.OTHER)
    elif case == "no category":
        category = ""
    elif case == "outsider":
        reporter = student
    elif case == "hidden":
        chat_services.hide_message(said, actor=committee_trained, reason="Unkind.")
        said.refresh_from_db()

    with pytest.raises(ConductError, match=says(words)):
        services.report_message(message, reporter=reporter, category=category)


def test_you_cannot_report_yourself(chatter, member) -> None:
    with pytest.raises(ConductError, match=says("You cannot report yourself.")):
        services.report_member(chatter, reporter=member, category=Category.OTHER)


def test_a_removed_member_can_still_be_reported(rude, member, chatter, committee_trained) -> None:
    chat_services.remove_member(rude, actor=committee_trained, reason="Abuse.")
    rude = GroupMember.objects.get(pk=rude.pk)

    report = services.report_member(rude, reporter=member, category=Category.ABUSE)

    assert report.reported_user == rude.user
