"""Someone who used every part of Quad, built through the services (STYLE.md rule 15), and the tools the
erasure tests read the database with.

`use_everything` makes Rowan Everything: a paying member of Hiking Society and its GDPR-trained Treasurer,
named on another society's founding committee, with a checked-in ticket, a waiting-list place, collected
merch, a basket, a refund request (approved), a candidacy, a vote and a complaint in a certified election,
an article, a delivered mailing, a news preference, chat messages, a reaction, a mention, a scheduled post,
a private thread with the moderators, a report they made and a report about them (whose case is closed,
or left open), audit events and an access-log entry. Every free text they wrote carries a marker that
starts with `MARKER`, so one search finds whatever of it survives.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from conftest import found_society, join, make_person, train
from quad.chat import services as chat_services
from quad.chat.models import ChatGroup, GroupMember, Message, ModeratorThread
from quad.chat.permissions import current_version
from quad.chat.scheduling import schedule_message
from quad.commerce import services as commerce
from quad.conduct import services as conduct
from quad.conduct.models import Case, Category, Report
from quad.core.academic import current_academic_year
from quad.core.access_log import record_access
from quad.elections import services as elections
from quad.elections.models import Election
from quad.elections.tests.factories import make_election
from quad.elections.tests.phases import move_to
from quad.events import services as events
from quad.events.tests.factories import buy_tickets, make_event, make_ticket_type
from quad.mailings import delivery
from quad.mailings import services as mailings
from quad.mailings.models import Delivery
from quad.news.models import Article
from quad.news.services import create_article
from quad.shop import services as shop
from quad.shop.tests.factories import buy_merch, make_item, size
from quad.societies.models import Society
from quad.societies.services import grant_committee_term

DAY = datetime.timedelta(days=1)
NAME = "Rowan Everything"
LOCAL = "rowan.everything"
# Every marker starts with this: a search for it finds any of them.
MARKER = "ROWAN-MARKER"
MARKERS = {
    "refund request": f"{MARKER}-REFUND the zip broke on the first wash",
    "manifesto": f"{MARKER}-MANIFESTO more walks, fewer hills",
    "election complaint": f"{MARKER}-COMPLAINT the count started early",
    "chat message": f"{MARKER}-CHAT-HELLO I can bring the map",
    "reported chat message": f"{MARKER}-CHAT-REPORTED you are all slow walkers",
    "scheduled post": f"{MARKER}-SCHEDULED see you at nine",
    "reply to the moderators": f"{MARKER}-THREAD sorry, it was a joke",
    "report note": f"{MARKER}-REPORT-NOTE this felt like a dig at me",
}
# Society content Rowan wrote as a committee member: it stays with the society (news's registration says
# so), so it carries a marker of its own that the tests expect to survive.
ARTICLE_MARKER = "SOCIETY-ARTICLE-MARKER six walks this term"


@dataclass
class Everything:
    person: Any
    society: Society
    bystander: Any
    group: ChatGroup
    reported_message: Message
    thread: ModeratorThread
    their_report: Report
    report_about_them: Report
    case: Case
    election: Election
    article: Article

    @property
    def email(self) -> str:
        return str(self.person.email)

    @property
    def needles(self) -> list[str]:
        """What must not survive an erasure: every marker, the address and the display name."""
        return [MARKER, self.email, NAME]


def _enter(user: Any, group: ChatGroup) -> GroupMember:
    joined = chat_services.join_group(user, group, token=group.invite_token)
    return chat_services.accept_guidelines(joined, version=current_version(group))


def say(member: GroupMember, body: str) -> Message:
    return chat_services.post_message(member, body, in_quiet_hours=True)


def use_everything(
    *, society: Society, membership_type: Any, president: Any, su_staff: Any, case_open: bool = False
) -> Everything:
    """Rowan Everything, who used every part of Quad. `president` is ``society``'s trained President (who
    moderates its chat); `su_staff` handles the conduct case, which is closed unless `case_open`."""
    assert settings.QUIET_HOURS_START == settings.QUIET_HOURS_END, "turn quiet hours off: the mailing must go now"
    today = timezone.localdate()
    person = make_person(NAME, LOCAL)
    bystander = make_person("Bea Bystander", "bea.bystander")

    # Memberships and the committee: a paid membership, GDPR training, Treasurer of Hiking Society since
    # yesterday (a term under way, which erasure ends and keeps as history; one starting today would be
    # withdrawn), and a seat on another society's founding committee (their address is on the application).
    join(person, membership_type)
    join(bystander, membership_type)
    train(person)
    treasurer = society.positions.get(name="Treasurer")
    grant_committee_term(
        society, person, treasurer, actor=president, starts_on=today - DAY, ends_on=current_academic_year().end
    )
    other_president = make_person("Olive Orienteer", "olive.orienteer")
    orienteering = found_society(
        "Orienteering Club", other_president, make_person("Otis Orienteer", "otis.orienteer"), person, staff=su_staff
    )

    # Events: a ticket, checked in at the door; a place on a sold-out event's waiting list.
    walk = make_event(society, actor=president, title="Night walk")
    [ticket] = buy_tickets(person, make_ticket_type(walk, actor=president, price_pence=300))
    assert events.check_in(walk, ticket.code, actor=president).ok
    full = make_event(society, actor=president, title="Summit dinner", capacity=1)
    dinner = make_ticket_type(full, actor=president, price_pence=1500)
    buy_tickets(bystander, dinner)
    events.join_waiting_list(full, dinner, user=person)

    # Merch: a hoodie, collected, partly refunded on their request; another size in their basket.
    hoodie = make_item(society, actor=president, name="Club hoodie", variants=(("M", 2000, 5), ("L", 2200, 5)))
    collection = buy_merch(person, size(hoodie, "M"))
    collection = shop.mark_ready(collection, actor=president)
    shop.mark_collected(collection, actor=president)
    request = commerce.request_refund(collection.order_line, actor=person, reason=MARKERS["refund request"])
    commerce.approve_refund_request(request, actor=president, amount_pence=500, note="Sorry about the zip.")
    commerce.add_to_basket(person, size(hoodie, "L").variant)

    # An election, finished: they stood (and won), voted and complained; the complaint was answered.
    election = make_election(
        society, actor=president, returning_officer=su_staff, posts=(("Social Secretary", 1),), title="By-election"
    )
    post = election.posts.get()
    candidate = elections.nominate(post, user=person, manifesto=MARKERS["manifesto"])
    move_to(election, "voting")
    elections.cast_ballot(post, voter=person, ranking=[candidate.pk])
    move_to(election, "closed")
    elections.count_election(election, actor=su_staff)
    election.refresh_from_db()
    complaint = elections.file_complaint(election, complainant=person, text=MARKERS["election complaint"])
    elections.answer_complaint(complaint, actor=su_staff, upheld=False, response="The count started on time.")
    Election.objects.filter(pk=election.pk).update(complaints_close_at=timezone.now() - datetime.timedelta(minutes=1))
    election = elections.certify_election(election, actor=su_staff)

    # News and email: an article they wrote, a mailing delivered to them, news turned off for one society.
    article = create_article(
        society, actor=person, title="Autumn walks", body=ARTICLE_MARKER, status=Article.Status.PUBLISHED
    )
    mailing = mailings.create_mailing(society, actor=president, subject="Hike on Saturday", body="Meet at 9am.")
    mailings.send_mailing(mailing, actor=president)
    delivery.deliver(mailing.pk)
    assert Delivery.objects.get(mailing=mailing, user=person).status == Delivery.Status.SENT
    mailings.set_news_preference(person, orienteering, receive=False)

    # Chat: messages, a reaction, a mention, a post waiting for the morning, a private thread.
    group = chat_services.create_group(
        actor=president, society=society, name="Hiking chat", purpose="Planning our weekend walks."
    )
    _enter(president, group)
    theirs = _enter(person, group)
    bea = _enter(bystander, group)
    question = say(bea, "Who is coming on Saturday?")
    say(theirs, MARKERS["chat message"])
    reported = say(theirs, MARKERS["reported chat message"])
    chat_services.react(question, user=person, emoji="👍")
    say(bea, f"@{NAME} are you bringing the map?")
    schedule_message(theirs, MARKERS["scheduled post"])
    thread = chat_services.open_thread(theirs, actor=president, body="Please keep it friendly in the group.")
    chat_services.reply_in_thread(thread, actor=person, body=MARKERS["reply to the moderators"])

    # Conduct: their report of Bea's message (dismissed by the moderators), and Bea's report of theirs
    # (bullying goes straight to union staff, as a case).
    their_report = conduct.report_message(
        question, reporter=person, category=Category.OTHER, note=MARKERS["report note"]
    )
    conduct.dismiss_report(their_report, actor=president, note="Nothing against the guidelines.")
    about_them = conduct.report_message(reported, reporter=bystander, category=Category.BULLYING, note="Unkind.")
    about_them.refresh_from_db()
    assert about_them.case is not None
    case = about_them.case
    conduct.add_case_note(case, actor=su_staff, text="Read the thread; spoke to the committee.")
    if not case_open:
        case = conduct.close_case(case, actor=su_staff, outcome=Case.Outcome.WARNING, note="A warning was given.")

    # Someone viewed their data (the access log), on top of the audit events every service wrote.
    record_access(
        president,
        "memberships.member_list.viewed",
        what="Member list of Hiking Society",
        scope=society.audit_scope,
        subjects=[person.pk, bystander.pk],
    )

    their_report.refresh_from_db()
    about_them.refresh_from_db()
    person.refresh_from_db()
    return Everything(
        person=person,
        society=society,
        bystander=bystander,
        group=group,
        reported_message=reported,
        thread=thread,
        their_report=their_report,
        report_about_them=about_them,
        case=case,
        election=election,
        article=article,
    )


# --- Reading the whole database ---------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A needle found in one field of one row."""

    model: str
    pk: Any
    field: str
    needle: str
    value: str

    def __str__(self) -> str:
        return f"{self.model} #{self.pk} .{self.field} has {self.needle!r}: {self.value[:160]!r}"


def every_model() -> Iterator[type[models.Model]]:
    """Every model with a table, Django's and allauth's included, and the many-to-many tables."""
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            yield model


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str, ensure_ascii=False)


def search_database(needles: Iterable[str]) -> list[Found]:
    """Every field of every row, in every table, that holds one of `needles` (ignoring case)."""
    wanted = [needle for needle in needles if needle]
    found = []
    for model in every_model():
        names = [f.attname for f in model._meta.concrete_fields]
        for row in model._default_manager.all().values(*names).iterator():
            for name, value in row.items():
                if value is None or isinstance(value, bool | int | float | datetime.date):
                    continue
                text = _text(value)
                lowered = text.lower()
                for needle in wanted:
                    if needle.lower() in lowered:
                        found.append(Found(model._meta.label, row[model._meta.pk.attname], name, needle, text))
    return found


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in every_model()}


def links_to(user: Any) -> dict[str, int]:
    """How many rows point at `user`, by "app.Model.field", for every foreign key, one-to-one and
    many-to-many field to the user model in every app."""
    user_model = get_user_model()
    counts = {}
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if f.auto_created or not (f.concrete or f.many_to_many) or f.related_model is not user_model:
                continue
            n = model._default_manager.filter(**{f.name: user}).count()
            if n:
                counts[f"{model._meta.label}.{f.name}"] = n
    return counts
