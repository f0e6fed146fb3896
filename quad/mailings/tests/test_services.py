"""Writing, sending, scheduling and cancelling a mailing; the daily cap; quiet hours; the audit trail."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from quad.core.academic import current_academic_year
from quad.core.models import AuditEvent
from quad.events.tests.factories import make_event
from quad.mailings import services
from quad.mailings.errors import MailingError
from quad.mailings.models import Delivery, Mailing
from quad.mailings.tests.conftest import Clock, local, write
from quad.memberships.services import create_membership_type

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


def audited(mailing: Mailing, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=f"mailings.mailing.{action}", target_type="mailings.mailing", target_id=str(mailing.pk)
        )
    )


def status_of(mailing: Mailing) -> str:
    mailing.refresh_from_db()
    return mailing.status


@pytest.fixture
def quiet_hours(settings: Any) -> None:
    settings.QUIET_HOURS_START = datetime.time(22, 0)
    settings.QUIET_HOURS_END = datetime.time(8, 0)


# --- Drafts ----------------------------------------------------------------------------------------


def test_a_draft_is_saved_for_the_society_and_recorded(society: Any, committee_trained: Any) -> None:
    mailing = write(society, committee_trained, subject="AGM next week")

    assert (mailing.society, mailing.created_by, mailing.status) == (society, committee_trained, Mailing.Status.DRAFT)
    assert (mailing.audience, mailing.kind) == (Mailing.Audience.MEMBERS, Mailing.Kind.NEWS)
    assert mailing.send_at is None and not mailing.deliveries.exists()
    [event] = audited(mailing, "drafted")
    assert (event.actor, event.scope) == (committee_trained, society.audit_scope)


def test_a_draft_can_be_rewritten_and_deleted(society: Any, committee_trained: Any, membership_type: Any) -> None:
    mailing = write(society, committee_trained)

    services.update_mailing(
        mailing,
        actor=committee_trained,
        subject="Hike moved to Sunday",
        body="Same place.",
        audience=Mailing.Audience.MEMBERSHIP_TYPE,
        kind=Mailing.Kind.NEWS,
        membership_type=membership_type,
    )
    mailing.refresh_from_db()
    assert (mailing.subject, mailing.body) == ("Hike moved to Sunday", "Same place.")
    assert (mailing.audience, mailing.membership_type) == (Mailing.Audience.MEMBERSHIP_TYPE, membership_type)
    assert audited(mailing, "edited")

    services.delete_draft(mailing, actor=committee_trained)
    assert not Mailing.objects.filter(pk=mailing.pk).exists()
    assert AuditEvent.objects.filter(action="mailings.mailing.deleted", data__subject="Hike moved to Sunday").exists()


def test_a_mailing_once_sent_can_be_neither_rewritten_nor_deleted(
    society: Any, member: Any, committee_trained: Any
) -> None:
    mailing = services.send_mailing(write(society, committee_trained), actor=committee_trained)
    assert mailing.status == Mailing.Status.SENDING

    with pytest.raises(MailingError, match="Only a draft can be changed"):
        services.update_mailing(
            mailing, actor=committee_trained, subject="Changed", body="x", audience="members", kind="news"
        )
    with pytest.raises(MailingError, match="Only a draft can be deleted"):
        services.delete_draft(mailing, actor=committee_trained)
    mailing.refresh_from_db()
    assert mailing.subject == "Hike on Saturday"
    assert mailing.status == Mailing.Status.SENDING


def test_a_scheduled_mailing_must_be_cancelled_before_it_is_rewritten(
    society: Any, member: Any, committee_trained: Any
) -> None:
    mailing = services.send_mailing(
        write(society, committee_trained), actor=committee_trained, send_at=timezone.now() + 2 * DAY
    )
    fields: dict[str, Any] = {"subject": "Changed", "body": "x", "audience": "members", "kind": "news"}

    with pytest.raises(MailingError, match="Cancel a scheduled mailing to edit it"):
        services.update_mailing(mailing, actor=committee_trained, **fields)
    services.cancel_mailing(mailing, actor=committee_trained)
    services.update_mailing(mailing, actor=committee_trained, **fields)
    mailing.refresh_from_db()
    assert (mailing.status, mailing.subject) == (Mailing.Status.DRAFT, "Changed")


# --- Audiences through the services ------------------------------------------------------------------


def test_a_membership_type_of_another_society_is_refused(
    society: Any, committee_trained: Any, other_society: Any, other_committee: Any, membership_type: Any
) -> None:
    theirs = create_membership_type(
        other_society, actor=other_committee, year=current_academic_year(), name="Chess member", price_pence=300
    )

    with pytest.raises(MailingError, match="Choose which membership type"):
        write(society, committee_trained, audience=Mailing.Audience.MEMBERSHIP_TYPE, membership_type=theirs)
    with pytest.raises(MailingError, match="Choose which membership type"):
        write(society, committee_trained, audience=Mailing.Audience.MEMBERSHIP_TYPE)
    assert not Mailing.objects.exists()

    mailing = write(
        society, committee_trained, audience=Mailing.Audience.MEMBERSHIP_TYPE, membership_type=membership_type
    )
    with pytest.raises(MailingError, match="Choose which membership type"):
        services.update_mailing(
            mailing,
            actor=committee_trained,
            subject="x",
            body="x",
            audience=Mailing.Audience.MEMBERSHIP_TYPE,
            kind=Mailing.Kind.NEWS,
            membership_type=theirs,
        )
    mailing.refresh_from_db()
    assert mailing.membership_type == membership_type


def test_an_event_of_another_society_is_refused(
    society: Any, committee_trained: Any, other_society: Any, other_committee: Any
) -> None:
    theirs = make_event(other_society, actor=other_committee, title="Blitz tournament")

    for audience in (Mailing.Audience.TICKET_HOLDERS, Mailing.Audience.WAITING_LIST):
        with pytest.raises(MailingError, match="Choose which of your events"):
            write(society, committee_trained, audience=audience, event=theirs, kind=Mailing.Kind.ESSENTIAL)
    assert not Mailing.objects.exists()


@pytest.mark.parametrize("audience", [Mailing.Audience.MEMBERS, Mailing.Audience.MEMBERSHIP_TYPE])
def test_essential_mail_to_members_is_refused_because_members_may_turn_news_off(
    audience: str, society: Any, committee_trained: Any, membership_type: Any
) -> None:
    with pytest.raises(MailingError, match="Mail to members is news"):
        write(
            society, committee_trained, audience=audience, membership_type=membership_type, kind=Mailing.Kind.ESSENTIAL
        )
    assert not Mailing.objects.exists()


def test_essential_mail_is_allowed_for_ticket_holders_the_waiting_list_and_the_committee(
    society: Any, committee_trained: Any
) -> None:
    event = make_event(society, actor=committee_trained)
    made = [
        write(society, committee_trained, audience=audience, event=event, kind=Mailing.Kind.ESSENTIAL)
        for audience in (Mailing.Audience.TICKET_HOLDERS, Mailing.Audience.WAITING_LIST, Mailing.Audience.COMMITTEE)
    ]

    assert [m.kind for m in made] == [Mailing.Kind.ESSENTIAL] * 3
    assert [m.event for m in made] == [event, event, None]  # the committee needs no event


# --- Sending now, later, cancelling -----------------------------------------------------------------


def test_sending_now_starts_at_once_then_finishes_with_every_recipient_counted(
    society: Any,
    members: list[Any],
    committee_trained: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailing = write(society, committee_trained)

    with django_capture_on_commit_callbacks(execute=True):
        started = services.send_mailing(mailing, actor=committee_trained)
        # Before the commit, nothing has gone: the workers are handed the mailing once it commits.
        assert (started.status, started.recipient_count) == (Mailing.Status.SENDING, len(members))
        assert mailoutbox == []

    mailing.refresh_from_db()
    assert (mailing.status, mailing.recipient_count) == (Mailing.Status.SENT, len(members))
    assert mailing.started_at is not None and mailing.finished_at is not None
    assert sorted(mailing.deliveries.values_list("email", flat=True)) == sorted(p.email for p in members)
    assert len(mailoutbox) == len(members)
    [scheduled] = audited(mailing, "scheduled")
    assert scheduled.actor == committee_trained
    assert scheduled.data["held_for_quiet_hours"] is False
    [started_event] = audited(mailing, "started")
    assert started_event.data == {"recipients": len(members)}


def test_a_mailing_cannot_be_sent_twice(society: Any, member: Any, committee_trained: Any) -> None:
    mailing = write(society, committee_trained)
    services.send_mailing(mailing, actor=committee_trained)

    with pytest.raises(MailingError, match="already"):
        services.send_mailing(mailing, actor=committee_trained)
    assert mailing.deliveries.count() == 1
    assert len(audited(mailing, "started")) == 1


def test_a_scheduled_mailing_starts_exactly_once_when_its_time_comes(
    society: Any, members: list[Any], committee_trained: Any
) -> None:
    send_at = timezone.now() + 3 * HOUR
    mailing = services.send_mailing(write(society, committee_trained), actor=committee_trained, send_at=send_at)

    assert (mailing.status, mailing.send_at, mailing.held_for_quiet_hours) == (Mailing.Status.SCHEDULED, send_at, False)
    assert not mailing.deliveries.exists()
    assert services.send_due_mailings(now=send_at - datetime.timedelta(minutes=1)) == 0
    assert status_of(mailing) == Mailing.Status.SCHEDULED

    assert services.send_due_mailings(now=send_at) == 1
    assert services.send_due_mailings(now=send_at + HOUR) == 0  # the next run finds nothing to do

    assert status_of(mailing) == Mailing.Status.SENDING
    assert mailing.recipient_count == len(members)
    assert Delivery.objects.filter(mailing=mailing).count() == len(members)
    assert len(audited(mailing, "started")) == 1


def test_a_time_that_has_passed_is_refused(society: Any, member: Any, committee_trained: Any) -> None:
    mailing = write(society, committee_trained)

    with pytest.raises(MailingError, match="That time has passed"):
        services.send_mailing(mailing, actor=committee_trained, send_at=timezone.now() - HOUR)
    assert status_of(mailing) == Mailing.Status.DRAFT


def test_cancelling_a_scheduled_mailing_makes_it_a_draft_that_never_goes(
    society: Any, member: Any, committee_trained: Any
) -> None:
    send_at = timezone.now() + 2 * HOUR
    mailing = services.send_mailing(write(society, committee_trained), actor=committee_trained, send_at=send_at)

    services.cancel_mailing(mailing, actor=committee_trained)

    mailing.refresh_from_db()
    assert (mailing.status, mailing.send_at, mailing.held_for_quiet_hours) == (Mailing.Status.DRAFT, None, False)
    [event] = audited(mailing, "cancelled")
    assert event.actor == committee_trained
    assert services.send_due_mailings(now=send_at + HOUR) == 0
    assert not mailing.deliveries.exists()
    with pytest.raises(MailingError, match="Only a scheduled mailing can be cancelled"):
        services.cancel_mailing(mailing, actor=committee_trained)


def test_a_mailing_that_has_started_cannot_be_cancelled(society: Any, member: Any, committee_trained: Any) -> None:
    mailing = services.send_mailing(write(society, committee_trained), actor=committee_trained)

    with pytest.raises(MailingError, match="has started or was never scheduled"):
        services.cancel_mailing(mailing, actor=committee_trained)
    assert status_of(mailing) == Mailing.Status.SENDING


def test_a_mailing_nobody_would_receive_is_refused(society: Any, committee_trained: Any) -> None:
    mailing = write(society, committee_trained)  # the society has no members yet

    with pytest.raises(MailingError, match="Nobody would receive this mailing"):
        services.send_mailing(mailing, actor=committee_trained)
    assert status_of(mailing) == Mailing.Status.DRAFT
    assert not audited(mailing, "scheduled")


# --- The daily cap --------------------------------------------------------------------------------


def test_a_third_mailing_in_a_day_is_refused_with_the_reason(
    noon: datetime.datetime, settings: Any, society: Any, member: Any, committee_trained: Any
) -> None:
    settings.MAILINGS_DAILY_CAP = 2
    services.send_mailing(write(society, committee_trained, subject="One"), actor=committee_trained)
    services.send_mailing(
        write(society, committee_trained, subject="Two"), actor=committee_trained, send_at=noon + 3 * HOUR
    )
    third = write(society, committee_trained, subject="Three")

    with pytest.raises(MailingError) as refusal:
        services.send_mailing(third, actor=committee_trained)

    day = f"{timezone.localtime(noon):%-d %B}"
    assert str(refusal.value) == (
        f"Hiking Society has 2 mailings on {day} already, the union's daily limit. "
        "Choose another day, or combine your news into one email."
    )
    assert status_of(third) == Mailing.Status.DRAFT
    # Tomorrow is another day.
    services.send_mailing(third, actor=committee_trained, send_at=noon + DAY)
    assert status_of(third) == Mailing.Status.SCHEDULED


def test_a_cancelled_mailing_does_not_count_towards_the_daily_cap(
    noon: datetime.datetime, settings: Any, society: Any, member: Any, committee_trained: Any
) -> None:
    settings.MAILINGS_DAILY_CAP = 2
    services.send_mailing(write(society, committee_trained, subject="One"), actor=committee_trained)
    later = services.send_mailing(
        write(society, committee_trained, subject="Two"), actor=committee_trained, send_at=noon + 3 * HOUR
    )
    third = write(society, committee_trained, subject="Three")
    with pytest.raises(MailingError, match="daily limit"):
        services.send_mailing(third, actor=committee_trained)

    services.cancel_mailing(later, actor=committee_trained)

    assert services.send_mailing(third, actor=committee_trained).status == Mailing.Status.SENDING


def test_the_daily_cap_is_per_society(
    noon: datetime.datetime,
    settings: Any,
    society: Any,
    member: Any,
    committee_trained: Any,
    other_society: Any,
    other_committee: Any,
) -> None:
    settings.MAILINGS_DAILY_CAP = 1
    services.send_mailing(write(society, committee_trained), actor=committee_trained)

    theirs = write(other_society, other_committee, audience=Mailing.Audience.COMMITTEE, kind=Mailing.Kind.ESSENTIAL)
    assert services.send_mailing(theirs, actor=other_committee).status == Mailing.Status.SENDING


# --- Quiet hours ------------------------------------------------------------------------------------


def test_mail_sent_late_at_night_waits_until_eight_the_next_morning(
    noon: datetime.datetime, clock: Clock, quiet_hours: None, society: Any, members: list[Any], committee_trained: Any
) -> None:
    day = timezone.localdate(noon)
    clock.travel_to(local(day, 23, 30))

    mailing = services.send_mailing(write(society, committee_trained), actor=committee_trained)

    morning = local(day + DAY, 8)
    assert (mailing.status, mailing.held_for_quiet_hours, mailing.send_at) == (Mailing.Status.SCHEDULED, True, morning)
    assert not mailing.deliveries.exists()
    [event] = audited(mailing, "scheduled")
    assert event.data == {"send_at": morning.isoformat(), "held_for_quiet_hours": True}

    clock.travel_to(local(day + DAY, 7, 59))
    assert services.send_due_mailings() == 0
    assert status_of(mailing) == Mailing.Status.SCHEDULED

    clock.travel_to(morning)
    assert services.send_due_mailings() == 1
    assert status_of(mailing) == Mailing.Status.SENDING
    assert mailing.recipient_count == len(members)


def test_a_time_chosen_in_quiet_hours_moves_to_the_morning(
    noon: datetime.datetime, quiet_hours: None, society: Any, member: Any, committee_trained: Any
) -> None:
    day = timezone.localdate(noon)

    mailing = services.send_mailing(
        write(society, committee_trained), actor=committee_trained, send_at=local(day + DAY, 6, 15)
    )

    assert (mailing.status, mailing.held_for_quiet_hours, mailing.send_at) == (
        Mailing.Status.SCHEDULED,
        True,
        local(day + DAY, 8),
    )


def test_mail_held_for_quiet_hours_counts_towards_the_next_days_cap(
    noon: datetime.datetime,
    clock: Clock,
    quiet_hours: None,
    settings: Any,
    society: Any,
    member: Any,
    committee_trained: Any,
) -> None:
    settings.MAILINGS_DAILY_CAP = 1
    day = timezone.localdate(noon)
    clock.travel_to(local(day, 21))
    assert services.send_mailing(write(society, committee_trained), actor=committee_trained).status == "sending"

    clock.travel_to(local(day, 23, 30))
    held = services.send_mailing(write(society, committee_trained), actor=committee_trained)
    assert held.send_at == local(day + DAY, 8)  # tonight's mail is tomorrow's: today's cap is not in the way

    with pytest.raises(MailingError, match=f"mailings on {day + DAY:%-d %B} already"):
        services.send_mailing(write(society, committee_trained), actor=committee_trained)


def test_union_staff_marking_held_mail_urgent_sends_it_at_once(
    noon: datetime.datetime,
    clock: Clock,
    quiet_hours: None,
    society: Any,
    members: list[Any],
    committee_trained: Any,
    su_staff: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    clock.travel_to(local(timezone.localdate(noon), 23, 30))
    mailing = services.send_mailing(
        write(society, committee_trained, subject="Tonight's walk is cancelled"), actor=committee_trained
    )
    assert mailing.held_for_quiet_hours

    with django_capture_on_commit_callbacks(execute=True):
        services.mark_urgent(mailing, actor=su_staff)

    mailing.refresh_from_db()
    assert (mailing.status, mailing.held_for_quiet_hours, mailing.urgent_by) == (Mailing.Status.SENT, False, su_staff)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in members)
    [event] = audited(mailing, "marked_urgent")
    assert (event.actor, event.scope) == (su_staff, society.audit_scope)
    assert len(audited(mailing, "started")) == 1
    with pytest.raises(MailingError, match="already started"):
        services.mark_urgent(mailing, actor=su_staff)


def test_a_draft_marked_urgent_is_not_held_when_sent_at_night(
    noon: datetime.datetime,
    clock: Clock,
    quiet_hours: None,
    society: Any,
    member: Any,
    committee_trained: Any,
    su_staff: Any,
) -> None:
    clock.travel_to(local(timezone.localdate(noon), 23, 30))
    mailing = write(society, committee_trained)
    services.mark_urgent(mailing, actor=su_staff)
    assert status_of(mailing) == Mailing.Status.DRAFT

    sent = services.send_mailing(mailing, actor=committee_trained)

    assert (sent.status, sent.held_for_quiet_hours) == (Mailing.Status.SENDING, False)
