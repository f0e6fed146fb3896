"""Who a mailing goes to. Resolved to (user id, address) pairs when it starts, never shown as addresses.

News mail leaves out members who turned a society's news off; essential mail (an event change, for
the people it affects) reaches everyone in its audience.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from quad.events.models import Ticket, WaitingListEntry
from quad.mailings.models import Mailing, NewsPreference
from quad.memberships.models import Membership
from quad.societies.models import CommitteeTerm

User = get_user_model()


def _audience_users(mailing: Mailing) -> QuerySet:
    today = timezone.localdate()
    audience = Mailing.Audience
    if mailing.audience in {audience.MEMBERS, audience.MEMBERSHIP_TYPE}:
        members = Membership.objects.filter(
            society_id=mailing.society_id, status=Membership.Status.ACTIVE, starts_on__lte=today, ends_on__gte=today
        )
        if mailing.audience == audience.MEMBERSHIP_TYPE:
            members = members.filter(membership_type_id=mailing.membership_type_id)
        return User.objects.filter(pk__in=members.values("user_id"))
    if mailing.audience == audience.TICKET_HOLDERS:
        tickets = Ticket.objects.filter(
            event=mailing.event, event__society_id=mailing.society_id, status=Ticket.Status.VALID
        )
        return User.objects.filter(pk__in=tickets.values("holder_id"))
    if mailing.audience == audience.WAITING_LIST:
        waiting = WaitingListEntry.objects.filter(
            event=mailing.event,
            event__society_id=mailing.society_id,
            status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED],
        )
        return User.objects.filter(pk__in=waiting.values("user_id"))
    if mailing.audience == audience.COMMITTEE:
        terms = CommitteeTerm.objects.filter(society_id=mailing.society_id, starts_on__lte=today, ends_on__gte=today)
        return User.objects.filter(pk__in=terms.values("user_id"))
    raise ValueError(f"Unknown audience {mailing.audience!r}")


def recipients(mailing: Mailing) -> QuerySet:
    """The people this mailing would reach now, as a queryset of users (ordered, for stable batches)."""
    users = _audience_users(mailing).filter(is_active=True).exclude(email="")
    if mailing.kind == Mailing.Kind.NEWS:
        opted_out = NewsPreference.objects.filter(society_id=mailing.society_id, receive=False)
        users = users.exclude(pk__in=opted_out.values("user_id"))
    return users.order_by("pk")


def recipient_count(mailing: Mailing) -> int:
    return recipients(mailing).count()


def describe(mailing: Mailing) -> str:
    audience = Mailing.Audience
    if mailing.audience == audience.MEMBERSHIP_TYPE and mailing.membership_type:
        return f"Members with “{mailing.membership_type}”"
    if mailing.audience == audience.TICKET_HOLDERS and mailing.event:
        return f"Ticket holders of {mailing.event}"
    if mailing.audience == audience.WAITING_LIST and mailing.event:
        return f"The waiting list of {mailing.event}"
    return Mailing.Audience(mailing.audience).label
