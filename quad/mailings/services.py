"""Society email: write, preview, send or schedule, and the choices members make about it.

Sending snapshots the audience into one Delivery per recipient, inside the transaction that starts
the mailing, and enqueues the delivery tasks once it commits (quad.mailings.delivery sends them).
The daily cap is checked with the society's row locked, so two committee members pressing Send at
once cannot both slip under it; a mailing starts at most once because every change of status is a
conditional update from the status it must be in.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from quad.core import audit
from quad.core.emails import queue_email, society_sender
from quad.core.markdown import render_markdown
from quad.core.quiet_hours import quiet_until
from quad.events.models import Event
from quad.mailings import audiences
from quad.mailings.errors import MailingError
from quad.mailings.models import Delivery, Mailing, NewsPreference, WelcomeEmail
from quad.memberships.models import Membership, MembershipType
from quad.news.models import Article
from quad.societies.models import Society

# The daily cap is checked with the society's row locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
# IMMEDIATE transactions queue writers anyway). Tests turn the lock off to show the race it closes,
# and widen the window between the check and the write through _after_cap_check.
LOCK_SOCIETY_FOR_CAP = True


def _after_cap_check() -> None:
    """Nothing; a seam where the concurrency tests hold a sender between the check and the write."""


ESSENTIAL_AUDIENCES = {Mailing.Audience.TICKET_HOLDERS, Mailing.Audience.WAITING_LIST, Mailing.Audience.COMMITTEE}
MEMBER_AUDIENCES = {Mailing.Audience.MEMBERS, Mailing.Audience.MEMBERSHIP_TYPE}


# --- Writing ---------------------------------------------------------------------------------------


def _check_audience(
    society: Society, *, audience: str, kind: str, membership_type: MembershipType | None, event: Event | None
) -> None:
    if audience == Mailing.Audience.MEMBERSHIP_TYPE and (
        membership_type is None or membership_type.society_id != society.pk
    ):
        raise MailingError("Choose which membership type to write to.")
    if audience in {Mailing.Audience.TICKET_HOLDERS, Mailing.Audience.WAITING_LIST} and (
        event is None or event.society_id != society.pk
    ):
        raise MailingError("Choose which of your events to write about.")
    if kind == Mailing.Kind.ESSENTIAL and audience not in ESSENTIAL_AUDIENCES:
        raise MailingError(
            "Essential mail is for the people an event change affects, or the committee. "
            "Mail to members is news, which members may turn off."
        )


def create_mailing(
    society: Society,
    *,
    actor: Any,
    subject: str,
    body: str,
    audience: str = Mailing.Audience.MEMBERS,
    kind: str = Mailing.Kind.NEWS,
    membership_type: MembershipType | None = None,
    event: Event | None = None,
    article: Article | None = None,
) -> Mailing:
    _check_audience(society, audience=audience, kind=kind, membership_type=membership_type, event=event)
    with transaction.atomic():
        mailing = Mailing.objects.create(
            society=society,
            created_by=actor,
            subject=subject,
            body=body,
            audience=audience,
            kind=kind,
            membership_type=membership_type if audience == Mailing.Audience.MEMBERSHIP_TYPE else None,
            event=event if audience in {Mailing.Audience.TICKET_HOLDERS, Mailing.Audience.WAITING_LIST} else None,
            article=article,
        )
        audit.record("mailings.mailing.drafted", actor=actor, target=mailing, scope=society.audit_scope)
    return mailing


def update_mailing(
    mailing: Mailing,
    *,
    actor: Any,
    subject: str,
    body: str,
    audience: str,
    kind: str,
    membership_type: MembershipType | None = None,
    event: Event | None = None,
) -> Mailing:
    _check_audience(mailing.society, audience=audience, kind=kind, membership_type=membership_type, event=event)
    with transaction.atomic():
        changed = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.DRAFT).update(
            subject=subject,
            body=body,
            audience=audience,
            kind=kind,
            membership_type=membership_type if audience == Mailing.Audience.MEMBERSHIP_TYPE else None,
            event=event if audience in {Mailing.Audience.TICKET_HOLDERS, Mailing.Audience.WAITING_LIST} else None,
        )
        if not changed:
            raise MailingError("Only a draft can be changed. Cancel a scheduled mailing to edit it.")
        audit.record("mailings.mailing.edited", actor=actor, target=mailing, scope=mailing.society.audit_scope)
    mailing.refresh_from_db()
    return mailing


def delete_draft(mailing: Mailing, *, actor: Any) -> None:
    with transaction.atomic():
        deleted, _ = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.DRAFT).delete()
        if not deleted:
            raise MailingError("Only a draft can be deleted.")
        audit.record(
            "mailings.mailing.deleted",
            actor=actor,
            scope=mailing.society.audit_scope,
            data={"subject": mailing.subject},
        )


# --- Sending ---------------------------------------------------------------------------------------


def _day_bounds(moment: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    day = timezone.localtime(moment).date()
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()), tz)
    return start, timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()), tz)


def mailings_on_day(society: Society, moment: datetime.datetime) -> int:
    start, end = _day_bounds(moment)
    return Mailing.objects.filter(
        society=society,
        status__in=[Mailing.Status.SCHEDULED, Mailing.Status.SENDING, Mailing.Status.SENT],
        send_at__gte=start,
        send_at__lt=end,
    ).count()


def send_mailing(mailing: Mailing, *, actor: Any, send_at: datetime.datetime | None = None) -> Mailing:
    """Send a draft now, or schedule it. Quiet hours move it to the morning (unless staff made it urgent)."""
    now = timezone.now()
    if send_at is not None and send_at < now - datetime.timedelta(minutes=1):
        raise MailingError("That time has passed. Choose a time from now on, or send it now.")
    requested = max(send_at or now, now)
    with transaction.atomic():
        # The society's row is the lock for its daily cap.
        societies = Society.objects.select_for_update() if LOCK_SOCIETY_FOR_CAP else Society.objects.all()
        society = societies.get(pk=mailing.society_id)
        mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if mailing.status != Mailing.Status.DRAFT:
            raise MailingError(f"This mailing is {mailing.get_status_display().lower()} already.")
        held_until = None if mailing.urgent_by_id else quiet_until(requested)
        when = held_until or requested
        if mailings_on_day(society, when) >= settings.MAILINGS_DAILY_CAP:
            raise MailingError(
                f"{society.name} has {settings.MAILINGS_DAILY_CAP} mailings on {timezone.localtime(when):%-d %B} "
                "already, the union's daily limit. Choose another day, or combine your news into one email."
            )
        if audiences.recipient_count(mailing) == 0:
            raise MailingError("Nobody would receive this mailing: its audience is empty.")
        _after_cap_check()
        mailing.send_at = when
        mailing.held_for_quiet_hours = held_until is not None
        mailing.status = Mailing.Status.SCHEDULED
        mailing.save(update_fields=["send_at", "held_for_quiet_hours", "status"])
        audit.record(
            "mailings.mailing.scheduled",
            actor=actor,
            target=mailing,
            scope=society.audit_scope,
            data={"send_at": when.isoformat(), "held_for_quiet_hours": mailing.held_for_quiet_hours},
        )
        if when <= now:
            _start(mailing)
    return mailing


def cancel_mailing(mailing: Mailing, *, actor: Any) -> Mailing:
    """A scheduled mailing goes back to being a draft."""
    with transaction.atomic():
        changed = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SCHEDULED).update(
            status=Mailing.Status.DRAFT, send_at=None, held_for_quiet_hours=False
        )
        if not changed:
            raise MailingError(
                "Only a scheduled mailing can be cancelled; this one has started or was never scheduled."
            )
        audit.record("mailings.mailing.cancelled", actor=actor, target=mailing, scope=mailing.society.audit_scope)
    mailing.refresh_from_db()
    return mailing


def mark_urgent(mailing: Mailing, *, actor: Any) -> Mailing:
    """Union staff: a mailing held for quiet hours goes now (a safety notice cannot wait for morning).

    Staff override the society's daily cap too: the cap keeps committees from flooding members, and
    an urgent notice is the union's call."""
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if mailing.status not in {Mailing.Status.DRAFT, Mailing.Status.SCHEDULED}:
            raise MailingError("This mailing has already started.")
        mailing.urgent_by = actor
        fields = ["urgent_by"]
        if mailing.status == Mailing.Status.SCHEDULED and mailing.held_for_quiet_hours:
            mailing.send_at = timezone.now()
            mailing.held_for_quiet_hours = False
            fields += ["send_at", "held_for_quiet_hours"]
        mailing.save(update_fields=fields)
        audit.record("mailings.mailing.marked_urgent", actor=actor, target=mailing, scope=mailing.society.audit_scope)
        if mailing.status == Mailing.Status.SCHEDULED and mailing.send_at and mailing.send_at <= timezone.now():
            _start(mailing)
    return mailing


def _start(mailing: Mailing) -> int:
    """Fix the recipients and hand the mailing to the workers. Runs inside the caller's transaction."""
    started = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SCHEDULED).update(
        status=Mailing.Status.SENDING, started_at=timezone.now()
    )
    if not started:
        return 0
    people = audiences.recipients(mailing).values_list("pk", "email")
    Delivery.objects.bulk_create(
        (Delivery(mailing_id=mailing.pk, user_id=pk, email=email) for pk, email in people.iterator(chunk_size=2000)),
        batch_size=1000,
        ignore_conflicts=True,
    )
    count = Delivery.objects.filter(mailing_id=mailing.pk).count()
    Mailing.objects.filter(pk=mailing.pk).update(recipient_count=count)
    mailing.refresh_from_db()
    audit.record(
        "mailings.mailing.started",
        actor=None,
        target=mailing,
        scope=mailing.society.audit_scope,
        data={"recipients": count},
    )
    transaction.on_commit(lambda: enqueue_delivery(mailing.pk, count))
    return count


def enqueue_delivery(mailing_id: int, count: int, *, run_after: datetime.datetime | None = None) -> None:
    from quad.mailings.tasks import deliver_mailing

    size = max(1, settings.MAILINGS_TASK_SIZE)
    task = deliver_mailing.using(run_after=run_after) if run_after else deliver_mailing
    for _ in range(max(1, math.ceil(count / size))):
        task.enqueue(mailing_id=mailing_id, limit=size)


def send_due_mailings(*, now: datetime.datetime | None = None) -> int:
    """Start every scheduled mailing whose time has come (run every minute; idempotent)."""
    moment = now or timezone.now()
    started = 0
    for pk in Mailing.objects.filter(status=Mailing.Status.SCHEDULED, send_at__lte=moment).values_list("pk", flat=True):
        with transaction.atomic():
            mailing = Mailing.objects.select_related("society").get(pk=pk)
            if _start(mailing):
                started += 1
    return started


# --- Members' choices ------------------------------------------------------------------------------


def set_news_preference(user: Any, society: Society, *, receive: bool, via: str = "account") -> NewsPreference:
    with transaction.atomic():
        preference, _ = NewsPreference.objects.update_or_create(
            user=user, society=society, defaults={"receive": receive}
        )
        audit.record(
            "mailings.news.subscribed" if receive else "mailings.news.unsubscribed",
            actor=user,
            target=society,
            scope=society.audit_scope,
            data={"via": via},
        )
    return preference


def receives_news(user: Any, society: Society) -> bool:
    return not NewsPreference.objects.filter(user=user, society=society, receive=False).exists()


# --- Welcome email -------------------------------------------------------------------------------


def default_welcome(society: Society) -> tuple[str, str]:
    subject = f"Welcome to {society.name}"
    body = (
        f"Hello, and welcome to {society.name}!\n\n"
        "We are glad you joined. Our events, news and elections are on our page in Quad, "
        "and you can get tickets there too.\n\n"
        "If you have a question, reply to this email: it comes to the committee.\n\n"
        "See you soon!"
    )
    return subject, body


def welcome_email_for(society: Society) -> WelcomeEmail:
    """The society's welcome email, or the default text (unsaved) if the committee has not written one."""
    existing = WelcomeEmail.objects.filter(society=society).first()
    if existing is not None:
        return existing
    subject, body = default_welcome(society)
    return WelcomeEmail(society=society, subject=subject, body=body, enabled=True)


def save_welcome_email(society: Society, *, actor: Any, subject: str, body: str, enabled: bool) -> WelcomeEmail:
    with transaction.atomic():
        welcome, _ = WelcomeEmail.objects.update_or_create(
            society=society, defaults={"subject": subject, "body": body, "enabled": enabled, "updated_by": actor}
        )
        audit.record("mailings.welcome.updated", actor=actor, target=society, scope=society.audit_scope)
    return welcome


def send_welcome(membership: Membership) -> bool:
    """Queue the welcome email to a new member (on commit). Returns False if the committee turned it off."""
    society = membership.society
    welcome = welcome_email_for(society)
    if not welcome.enabled or not membership.user.email:
        return False
    queue_email(
        "mailings/emails/welcome",
        to=[membership.user.email],
        context={
            "society": society,
            "subject": welcome.subject,
            "body_html": render_markdown(welcome.body),
            "body_text": welcome.body,
            "member": membership.user,
        },
        from_email=society_sender(society.name),
        reply_to=[society.contact_email] if society.contact_email else None,
    )
    return True


# --- Keeping in touch (guidance O10) ----------------------------------------------------------------


def last_emailed(society: Society) -> datetime.datetime | None:
    """When the society last started a mailing to its members."""
    latest = (
        Mailing.objects.filter(
            society=society, audience__in=MEMBER_AUDIENCES, status__in=[Mailing.Status.SENDING, Mailing.Status.SENT]
        )
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    return latest


def members_not_emailed(society: Society, *, now: datetime.datetime | None = None) -> bool:
    latest = last_emailed(society)
    limit = datetime.timedelta(days=settings.MAILINGS_STALE_DAYS)
    return latest is None or (now or timezone.now()) - latest > limit
