"""Who a mailing reaches: each audience resolves to the right people, once each, and news mail
leaves out those who turned it off."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from conftest import join, make_person
from quad.commerce import services as commerce
from quad.commerce.models import OrderLine
from quad.commerce.tests.factories import pay
from quad.core.academic import current_academic_year
from quad.events import services as events
from quad.events.models import Event, Ticket, TicketType, WaitingListEntry
from quad.events.tests.factories import buy_tickets, make_event, make_ticket_type
from quad.mailings import audiences, services
from quad.mailings.models import Mailing
from quad.mailings.tests.conftest import write
from quad.memberships.models import Membership
from quad.memberships.services import create_membership_type, remove_member
from quad.societies.models import CommitteeTerm, Position
from quad.societies.services import grant_committee_term

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def reached(mailing: Mailing) -> list[Any]:
    return list(audiences.recipients(mailing))


def names(people: list[Any]) -> list[str]:
    return sorted(person.display_name for person in people)


def refund(line: OrderLine, *, actor: Any) -> None:
    commerce.refund_line(line, amount_pence=line.total_pence, actor=actor, reason="Changed their mind.")


# --- Members ---------------------------------------------------------------------------------------


def test_all_members_means_current_members_only(
    society: Any,
    membership_type: Any,
    members: list[Any],
    committee_trained: Any,
    other_society: Any,
    other_committee: Any,
) -> None:
    removed, refunded, *current = members
    remove_member(removed.memberships.get(), actor=committee_trained, reason="Broke the code of conduct.")
    refund(refunded.memberships.get().order_line, actor=committee_trained)
    assert refunded.memberships.get().status == Membership.Status.REFUNDED

    # Bought next year's membership: not a member until it starts.
    next_year = create_membership_type(
        society, actor=committee_trained, year=current_academic_year().next(), name="Full member", price_pence=500
    )
    early = make_person("Erin Early", "erin.early")
    join(early, next_year)
    # Last year's member whose membership the nightly sweep has not yet ended.
    last_year = current_academic_year().previous()
    old_type = create_membership_type(
        society, actor=committee_trained, year=last_year, name="Full member", price_pence=500
    )
    lapsed = make_person("Lou Lapsed", "lou.lapsed")
    Membership.objects.create(
        user=lapsed, society=society, membership_type=old_type, starts_on=last_year.start, ends_on=last_year.end
    )
    # A member of another society only.
    chess_type = create_membership_type(
        other_society, actor=other_committee, year=current_academic_year(), name="Chess member", price_pence=300
    )
    chess_player = make_person("Cleo Chess", "cleo.chess")
    join(chess_player, chess_type)

    mailing = write(society, committee_trained)

    assert names(reached(mailing)) == names(current)
    assert audiences.recipient_count(mailing) == len(current) == 3


def test_a_membership_type_reaches_only_its_own_members(
    society: Any, membership_type: Any, members: list[Any], committee_trained: Any
) -> None:
    associate = create_membership_type(
        society, actor=committee_trained, year=current_academic_year(), name="Associate", price_pence=200
    )
    associates = [make_person(f"Associate {n}", f"associate.{n}") for n in range(2)]
    for person in associates:
        join(person, associate)

    to_associates = write(
        society, committee_trained, audience=Mailing.Audience.MEMBERSHIP_TYPE, membership_type=associate
    )
    to_full = write(
        society, committee_trained, audience=Mailing.Audience.MEMBERSHIP_TYPE, membership_type=membership_type
    )
    to_all = write(society, committee_trained)

    assert names(reached(to_associates)) == names(associates)
    assert names(reached(to_full)) == names(members)
    assert names(reached(to_all)) == names(members + associates)


# --- Events ----------------------------------------------------------------------------------------


@pytest.fixture
def event(society: Any, committee_trained: Any) -> Event:
    return make_event(society, actor=committee_trained, title="Ceilidh")


@pytest.fixture
def ticket_type(event: Event, committee_trained: Any) -> TicketType:
    return make_ticket_type(event, actor=committee_trained, price_pence=800)


def test_ticket_holders_are_the_people_with_a_valid_ticket_each_once(
    society: Any,
    event: Event,
    ticket_type: TicketType,
    member: Any,
    student: Any,
    committee_trained: Any,
    other_society: Any,
    other_committee: Any,
) -> None:
    buy_tickets(member, ticket_type, 2)  # two tickets, one person
    [cancelled] = buy_tickets(student, make_ticket_type(event, actor=committee_trained, name="Late", price_pence=900))
    refund(cancelled.order_line, actor=committee_trained)
    assert Ticket.objects.get(pk=cancelled.pk).status == Ticket.Status.CANCELLED
    # A ticket to another society's event is not a ticket to this one.
    theirs = make_event(other_society, actor=other_committee, title="Blitz")
    elsewhere = make_person("Eli Elsewhere", "eli.elsewhere")
    buy_tickets(elsewhere, make_ticket_type(theirs, actor=other_committee))

    mailing = write(
        society, committee_trained, audience=Mailing.Audience.TICKET_HOLDERS, event=event, kind=Mailing.Kind.ESSENTIAL
    )

    assert reached(mailing) == [member]
    started = services.send_mailing(mailing, actor=committee_trained)
    assert started.recipient_count == 1
    assert list(started.deliveries.values_list("email", flat=True)) == [member.email]


def test_the_waiting_list_is_those_still_waiting_or_offered_a_place(
    society: Any, member: Any, committee_trained: Any
) -> None:
    event = make_event(society, actor=committee_trained, title="Barn dance", capacity=2)
    ticket_type = make_ticket_type(event, actor=committee_trained, price_pence=800)
    [first_place] = buy_tickets(member, ticket_type)
    [second_place] = buy_tickets(make_person("Hana Holder", "hana.holder"), ticket_type)
    claimed, offered, waiting, left = (make_person(f"Wait {n}", f"wait.{n}") for n in "ABCD")
    for person in (claimed, offered, waiting, left):
        events.join_waiting_list(event, ticket_type, user=person)
    events.leave_waiting_list(WaitingListEntry.objects.get(user=left), actor=left)
    refund(first_place.order_line, actor=committee_trained)  # the place is offered to the first in line...
    entry = WaitingListEntry.objects.get(user=claimed)
    assert entry.offer_order is not None
    pay(entry.offer_order)  # ...who takes it
    refund(second_place.order_line, actor=committee_trained)  # and the next place is offered on
    statuses = dict(WaitingListEntry.objects.values_list("user__display_name", "status"))
    assert statuses == {"Wait A": "claimed", "Wait B": "offered", "Wait C": "waiting", "Wait D": "left"}

    mailing = write(
        society, committee_trained, audience=Mailing.Audience.WAITING_LIST, event=event, kind=Mailing.Kind.ESSENTIAL
    )

    assert names(reached(mailing)) == ["Wait B", "Wait C"]


# --- Committee -------------------------------------------------------------------------------------


def test_the_committee_is_those_whose_term_is_current(society: Any, committee_trained: Any) -> None:
    current = names([term.user for term in CommitteeTerm.objects.filter(society=society).select_related("user")])
    assert len(current) == 3
    social = Position.objects.get(society=society, name="President")
    today = timezone.localdate()
    past = make_person("Pat Past", "pat.past")
    grant_committee_term(
        society, past, social, actor=committee_trained, starts_on=today - 60 * DAY, ends_on=today - DAY
    )
    incoming = make_person("Ira Incoming", "ira.incoming")
    grant_committee_term(
        society, incoming, social, actor=committee_trained, starts_on=current_academic_year().next().start
    )

    mailing = write(society, committee_trained, audience=Mailing.Audience.COMMITTEE, kind=Mailing.Kind.ESSENTIAL)

    assert names(reached(mailing)) == current


# --- Choices and accounts --------------------------------------------------------------------------


def test_news_leaves_out_members_who_turned_news_off(society: Any, members: list[Any], committee_trained: Any) -> None:
    quiet, *rest = members
    services.set_news_preference(quiet, society, receive=False)

    assert names(reached(write(society, committee_trained))) == names(rest)

    services.set_news_preference(quiet, society, receive=True)
    assert names(reached(write(society, committee_trained))) == names(members)


def test_turning_off_one_societys_news_leaves_another_societys_alone(
    society: Any, member: Any, committee_trained: Any, other_society: Any, other_committee: Any
) -> None:
    chess_type = create_membership_type(
        other_society, actor=other_committee, year=current_academic_year(), name="Chess member", price_pence=300
    )
    join(member, chess_type)
    services.set_news_preference(member, other_society, receive=False)

    assert reached(write(society, committee_trained)) == [member]
    assert reached(write(other_society, other_committee)) == []


def test_a_member_who_turned_news_off_still_gets_essential_mail(
    society: Any, event: Event, ticket_type: TicketType, member: Any, committee_trained: Any
) -> None:
    buy_tickets(member, ticket_type)
    services.set_news_preference(member, society, receive=False)

    essential = write(
        society, committee_trained, audience=Mailing.Audience.TICKET_HOLDERS, event=event, kind=Mailing.Kind.ESSENTIAL
    )
    news = write(society, committee_trained, audience=Mailing.Audience.TICKET_HOLDERS, event=event)

    assert reached(essential) == [member]
    assert reached(news) == []


def test_deactivated_accounts_are_left_out(society: Any, members: list[Any], committee_trained: Any) -> None:
    gone, *rest = members
    gone.is_active = False
    gone.save(update_fields=["is_active"])

    assert names(reached(write(society, committee_trained))) == names(rest)
    committee = write(society, committee_trained, audience=Mailing.Audience.COMMITTEE, kind=Mailing.Kind.ESSENTIAL)
    committee_trained.is_active = False
    committee_trained.save(update_fields=["is_active"])
    assert committee_trained not in reached(committee)


def test_someone_in_the_audience_twice_is_reached_once(
    society: Any, committee_trained: Any, membership_type: Any
) -> None:
    # The President is on the committee twice (a second position) and a member too.
    join(committee_trained, membership_type)
    treasurer = Position.objects.get(society=society, name="Treasurer")
    grant_committee_term(society, committee_trained, treasurer, actor=committee_trained, starts_on=timezone.localdate())
    assert CommitteeTerm.objects.filter(society=society, user=committee_trained).count() == 2

    committee = write(society, committee_trained, audience=Mailing.Audience.COMMITTEE, kind=Mailing.Kind.ESSENTIAL)
    everyone = write(society, committee_trained)

    assert [p.pk for p in reached(committee)].count(committee_trained.pk) == 1
    assert reached(everyone) == [committee_trained]
    started = services.send_mailing(committee, actor=committee_trained)
    assert started.recipient_count == started.deliveries.count() == 3
