"""The privacy tools across every app at once (the issue's acceptance test): export, erase and export again
for someone who used every part of Quad; nothing personal survives anywhere in the database, money and
counts stay true, evidence an open case holds waits for the case; every model with personal data has a
registration; and the retention sweep, run twice, changes nothing the second time.

The person is built in `builders.use_everything`; every free text they wrote carries a marker, so a
search of every table for the markers, their address and their name finds whatever an eraser missed.
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Sum
from django.utils import timezone

from conftest import make_person
from quad.accounts.models import TrainingRecord, User
from quad.accounts.services import record_training
from quad.chat import services as chat_services
from quad.chat.invite_requests import request_invites
from quad.chat.models import GroupMember, Message, ThreadMessage
from quad.chat.permissions import current_version
from quad.commerce import queries as commerce_queries
from quad.commerce.models import Order, OrderLine, Payment, Refund
from quad.conduct import services as conduct
from quad.conduct.models import Case, Report
from quad.core.models import AuditEvent, DataAccess
from quad.core.personal_data import PersonalData, registered, retention_kinds
from quad.mailings import services as mailings
from quad.mailings.models import Mailing
from quad.news.models import Article
from quad.news.services import create_article
from quad.privacy.models import ErasureRecord, RetentionRun
from quad.privacy.services import apply_retention, build_export, erase_account, export_document
from quad.privacy.tests.builders import (
    ARTICLE_MARKER,
    MARKERS,
    NAME,
    Everything,
    links_to,
    row_counts,
    say,
    search_database,
    use_everything,
)
from quad.societies.models import Society
from quad.societies.services import update_mini_site, write_handover

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _daytime(settings: Any) -> None:
    """Quiet hours off (a suite run at night behaves like one by day), no alert emails, no flood limit."""
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = datetime.time(0, 0)
    settings.CONDUCT_ALERT_EMAILS = []
    settings.CHAT_RATE_LIMIT_PER_MINUTE = 1000


@pytest.fixture
def everything(society: Society, membership_type: Any, committee_trained: Any, su_staff: Any) -> Everything:
    """Rowan Everything; the case about their message is closed."""
    return use_everything(
        society=society, membership_type=membership_type, president=committee_trained, su_staff=su_staff
    )


@pytest.fixture
def everything_with_open_case(
    society: Society, membership_type: Any, committee_trained: Any, su_staff: Any
) -> Everything:
    """Rowan Everything; the case about their message is still open."""
    return use_everything(
        society=society,
        membership_type=membership_type,
        president=committee_trained,
        su_staff=su_staff,
        case_open=True,
    )


def as_json(document: Any) -> str:
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False)


def unzip(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def present(needles: Iterable[str], text: str) -> list[str]:
    lowered = text.lower()
    return [needle for needle in needles if needle.lower() in lowered]


def ledgers() -> dict[str, list[tuple[str, int, int, int]]]:
    """Every society's ledger as the finance page shows it: (product, sold, sales, refunds)."""
    return {
        society.name: [
            (row.product, row.sold, row.sales_pence, row.refunds_pence)
            for row in commerce_queries.society_ledger(society)
        ]
        for society in Society.objects.order_by("pk")
    }


def money() -> dict[str, Any]:
    """The money rows and their totals, and how many orders and lines there are."""
    return {
        "payments and refunds": commerce_queries.money_totals(),
        "orders": Order.objects.count(),
        "paid orders": Order.objects.filter(status=Order.Status.PAID).count(),
        "order totals": Order.objects.aggregate(n=Sum("total_pence"))["n"],
        "lines": OrderLine.objects.count(),
        "payments": Payment.objects.count(),
        "refunds": Refund.objects.count(),
    }


def assert_anonymous_stub(person: Any) -> Any:
    stub = User.objects.get(pk=person.pk)
    assert stub.email == f"erased-{stub.pk}@erased.invalid"
    assert stub.display_name == f"Erased member {stub.pk}"
    assert stub.erased_at is not None
    assert not stub.is_active and not stub.has_usable_password()
    return stub


# --- Export, erase, export again ----------------------------------------------------------------------


def test_export_erase_export(everything: Everything, su_staff: Any) -> None:
    person = everything.person
    before = as_json(export_document(person))
    for what, marker in MARKERS.items():
        assert marker in before, f"the export leaves out the {what}"
    assert person.email in before and NAME in before
    # The search below is not vacuous: before the erasure it finds the person all over the database.
    holding = {found.model for found in search_database(everything.needles)}
    assert {
        "accounts.User",
        "account.EmailAddress",
        "core.AuditEvent",
        "societies.ProposedCommitteeMember",
        "commerce.RefundRequest",
        "commerce.Refund",
        "elections.Candidate",
        "elections.Complaint",
        "elections.CountResult",
        "mailings.Delivery",
        "chat.Message",
        "chat.ScheduledPost",
        "chat.ThreadMessage",
        "conduct.Report",
        "conduct.Case",
    } <= holding, holding
    ledgers_before, money_before = ledgers(), money()
    assert any(rows for rows in ledgers_before.values()) and money_before["refunds"] >= 1

    record = erase_account(person, actor=su_staff, reason="The person's request (ticket 42).")

    stub = assert_anonymous_stub(person)
    assert record.user_id == stub.pk and record.erased_by_id == su_staff.pk and not record.by_themselves
    after = as_json(export_document(stub))
    assert present(everything.needles, after) == [], after
    files = unzip(build_export(stub))
    for name, text in files.items():
        assert present(everything.needles, text) == [], name
    # Financial records are kept with their amounts: every society's ledger, and every count, is unchanged.
    assert ledgers() == ledgers_before
    assert money() == money_before
    # The article was the society's content; it stays, under the stub.
    article = Article.objects.get(pk=everything.article.pk)
    assert article.body == ARTICLE_MARKER and article.author_id == stub.pk
    # Nothing personal survives anywhere: every field of every row of every table.
    survivors = search_database(everything.needles)
    assert survivors == [], "\n".join(map(str, survivors))


def test_open_case_evidence_is_kept_until_the_case_closes(everything_with_open_case: Everything, su_staff: Any) -> None:
    e = everything_with_open_case
    reported = MARKERS["reported chat message"]
    assert e.case.status != Case.Status.CLOSED

    record = erase_account(e.person, actor=su_staff, reason="The person's request.")

    assert_anonymous_stub(e.person)
    report = Report.objects.get(pk=e.report_about_them.pk)
    assert reported in as_json(report.evidence), "the open case's evidence lost the reported message"
    assert any("case" in kept.lower() for kept in record.kept), record.kept
    # Members no longer see the message; staff still can.
    message = Message.objects.get(pk=e.reported_message.pk)
    assert message.deleted_at is not None
    # What the open case holds may stay: its copy of the messages, the name it was opened under, the
    # message itself (for staff) and the private thread with the moderators in that group. Nothing else.
    held = {
        ("conduct.Report", report.pk, "evidence"),
        ("conduct.Report", report.pk, "reported_name"),
        ("conduct.Case", e.case.pk, "evidence"),
        ("conduct.Case", e.case.pk, "subject_name"),
        ("chat.Message", message.pk, "body"),
        *(
            ("chat.ThreadMessage", pk, "body")
            for pk in ThreadMessage.objects.filter(thread=e.thread).values_list("pk", flat=True)
        ),
    }
    survivors = [found for found in search_database(e.needles) if (found.model, found.pk, found.field) not in held]
    assert survivors == [], "\n".join(map(str, survivors))

    case = conduct.close_case(
        Case.objects.get(pk=e.case.pk), actor=su_staff, outcome=Case.Outcome.NO_ACTION, note="They left Quad."
    )
    assert case.closed_at is not None
    # Closing the case finishes the erasure it held back: the evidence loses the person's messages and name,
    # the message its text, the private thread goes, and the erasure record no longer lists the case.
    survivors = search_database(e.needles)
    assert survivors == [], "\n".join(map(str, survivors))
    assert reported not in as_json(Report.objects.get(pk=report.pk).evidence)
    record.refresh_from_db()
    assert not any(f"Case {case.pk}" in kept for kept in record.kept), record.kept
    assert AuditEvent.objects.filter(action="privacy.erasure.finished", target_id=str(e.person.pk)).exists()
    # The closed case itself (outcome, the stub's name, what is left of the evidence) waits out its retention
    # period, then the sweep takes it.
    period = datetime.timedelta(days=settings.RETENTION_CLOSED_CASES_DAYS)
    apply_retention(now=case.closed_at + period - DAY)
    assert Case.objects.filter(pk=case.pk).exists()
    apply_retention(now=case.closed_at + period + DAY)
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not Report.objects.filter(pk=report.pk).exists()


def test_what_others_wrote_about_them_names_the_stub_instead(
    everything: Everything, committee_trained: Any, su_staff: Any
) -> None:
    """Free text other people wrote that names the person (or gives their address) is redacted to the stub's
    name, as accounts.personal_data.redact does: the erasure reaches their name wherever it was written."""
    e = everything
    president = committee_trained
    bea = GroupMember.objects.get(group=e.group, user=e.bystander)
    say(bea, f"Thanks {NAME} for the flapjacks!")
    mailings.create_mailing(
        e.society, actor=president, subject="Our new Social Secretary", body=f"Congratulations to {NAME}!"
    )
    create_article(
        e.society,
        actor=president,
        title="The new committee",
        body=f"{NAME} is our new Social Secretary.",
        status=Article.Status.PUBLISHED,
    )
    conduct.add_case_note(Case.objects.get(pk=e.case.pk), actor=su_staff, text=f"{NAME} accepted the warning.")
    write_handover(
        e.society, actor=president, work_in_flight=f"{NAME} is booking the minibus.", external_accounts=e.email
    )
    update_mini_site(
        e.society,
        actor=president,
        purpose=e.society.purpose,
        meeting_info=f"Ask {NAME} for the hut key.",
        contact_email="",
    )
    record_training(
        president,
        actor=su_staff,
        source=TrainingRecord.Source.EXTERNAL,
        completed_on=timezone.localdate(),
        note=f"Union workshop, with {NAME}.",
    )
    suspension = conduct.suspend_member(
        e.person, actor=su_staff, reason=f"{NAME} was warned twice.", case=Case.objects.get(pk=e.case.pk)
    )
    conduct.lift_suspension(suspension, actor=su_staff)
    reps = chat_services.create_group(actor=su_staff, name="Course reps", purpose="Reps and the union.")
    rep = make_person("Reggie Rep", "reggie.rep")
    chat_services.make_eligible(reps, [rep], actor=su_staff)
    joined = chat_services.join_group(rep, reps, token=reps.invite_token)
    chat_services.accept_guidelines(joined, version=current_version(reps))
    chat_services.set_role(joined, actor=su_staff, moderator=True)
    request_invites(
        reps, actor=rep, emails=[e.email, "sky.other@student.example.ac.uk"], note=f"{NAME} is our year's rep."
    )
    assert len(search_database([NAME, e.email])) >= 10

    erase_account(e.person, actor=su_staff, reason="The person's request.")

    survivors = search_database([NAME, e.email])
    assert survivors == [], "\n".join(map(str, survivors))


# --- Every model with personal data is registered ------------------------------------------------------

# Field names that hold personal data (addresses, names copied at the time, free text people write).
PERSONAL_FIELD_WORDS = (
    "email",
    "display_name",
    "reported_name",
    "subject_name",
    "note",
    "reason",
    "body",
    "text",
    "manifesto",
    "evidence",
)

# Models that match the rule above but hold nothing personal a registration must answer for; each says why.
NOT_PERSONAL = {
    "shop.MerchPhoto": "alt_text describes a photo of a society's merch for screen readers: the society's words "
    "about its product, not about a person.",
    "privacy.ErasureRecord": "The record of an erasure itself: it points at the anonymous stub, and its reason is "
    "staff's; it must outlive the account to show the erasure happened (accountability).",
}


def holds_personal_data(model: Any) -> list[str]:
    """Why `model` holds personal data: links to a person, and fields named for personal data."""
    user_model = get_user_model()
    why = []
    for f in model._meta.get_fields():
        if f.auto_created or not (f.concrete or f.many_to_many):
            continue  # reverse relations are the other model's fields
        if f.is_relation and f.related_model is user_model:
            why.append(f"{f.name} links to a person")
        elif not f.is_relation and any(word in f.name for word in PERSONAL_FIELD_WORDS):
            why.append(f"{f.name} is personal data")
    return why


def quad_models() -> list[Any]:
    return [model for model in apps.get_models() if model._meta.app_config.name.startswith("quad.")]


def unregistered(entries: Iterable[PersonalData]) -> dict[str, list[str]]:
    """Quad's models that hold personal data and are in no entry's `models` (nor in NOT_PERSONAL)."""
    declared = {label for entry in entries for label in entry.models}
    return {
        model._meta.label: why
        for model in quad_models()
        if (why := holds_personal_data(model)) and model._meta.label not in declared | NOT_PERSONAL.keys()
    }


def test_every_model_with_personal_data_has_an_exporter() -> None:
    missing = unregistered(registered())
    assert missing == {}, "no PersonalData registration answers for:\n" + "\n".join(
        f"{label}: {', '.join(why)}" for label, why in sorted(missing.items())
    )
    # Every registration names real models, and every exemption is still a model that would need one.
    for entry in registered():
        for label in entry.models:
            assert apps.get_model(label), f"{entry.app} registers {label}, which does not exist"
    labels = {model._meta.label: model for model in quad_models()}
    for label in NOT_PERSONAL:
        assert label in labels and holds_personal_data(labels[label]), f"{label} in NOT_PERSONAL is stale"


def test_the_check_fails_for_a_model_nobody_registered() -> None:
    # With nothing registered, the account itself is missing (its address and name), and so is the
    # audit log (who did what).
    none = unregistered([])
    assert "email is personal data" in none["accounts.User"]
    assert "actor links to a person" in none["core.AuditEvent"]
    # Leave chat out, and its messages are missing; the rest is still answered for.
    without_chat = unregistered([entry for entry in registered() if entry.app != "chat"])
    assert "chat.Message" in without_chat and "body is personal data" in without_chat["chat.Message"]
    assert "accounts.User" not in without_chat


# --- After an erasure, only declared links point at the stub ------------------------------------------

# Rows that may still point at the erased account's stub, and why. Any other link means an eraser left
# a row that names the person's account behind.
KEPT_LINKS = {
    "core.AuditEvent.actor": "The audit trail of what the account did stays; the actor is the anonymous stub.",
    "societies.CommitteeTerm.user": "Past committee terms are the society's history.",
    "commerce.Order.buyer": "Orders are financial records (their lines, payments and refunds hang off them).",
    "commerce.RefundRequest.requested_by": "A decided refund request stays with its order, its reason erased.",
    "memberships.Membership.user": "Membership rows keep societies' member counts true.",
    "events.Ticket.holder": "Tickets were paid for and are counted in attendance.",
    "elections.Candidate.user": "Candidates are part of a certified result (the count refers to them).",
    "elections.VoteRecord.voter": "That someone voted is the election's turnout (never how).",
    "elections.Complaint.complainant": "A complaint stays with its election's record, its words erased.",
    "news.Article.author": "Articles are the society's content; no page shows their author.",
    "chat.Message.author": "Blanked messages keep their place in the group's sequence ('Message deleted').",
    "conduct.Report.reporter": "A closed report stays in the union's conduct record, its note erased.",
    "conduct.Report.reported_user": "A closed report stays in the union's conduct record, its evidence erased.",
    "conduct.Case.subject": "A closed case stays in the union's conduct record, its evidence erased.",
    "privacy.ErasureRecord.user": "The record of this erasure.",
}


def test_each_registration_erases_what_it_declares(everything: Everything, su_staff: Any) -> None:
    person = everything.person
    before = links_to(person)
    # The person is linked from rows that must go, so the check below is not vacuous.
    must_go = {
        "accounts.TrainingRecord.user",
        "societies.ProposedCommitteeMember.user",
        "commerce.Basket.owner",
        "events.WaitingListEntry.user",
        "mailings.Delivery.user",
        "mailings.NewsPreference.user",
        "chat.GroupMember.user",
        "chat.Reaction.user",
        "chat.Mention.user",
        "chat.ScheduledPost.author",
        "chat.ModeratorThread.member",
        "core.DataAccessSubject.user",
    }
    assert must_go <= before.keys(), must_go - before.keys()
    assert not must_go & KEPT_LINKS.keys()

    erase_account(person, actor=su_staff, reason="The person's request.")

    stub = assert_anonymous_stub(person)
    after = links_to(stub)
    unexpected = {link: n for link, n in after.items() if link not in KEPT_LINKS}
    assert unexpected == {}, unexpected
    assert ErasureRecord.objects.filter(user=stub).count() == 1


# --- Retention, twice ----------------------------------------------------------------------------------


def test_retention_twice_changes_nothing(everything: Everything) -> None:
    now = timezone.now()

    def ago(days: int) -> datetime.datetime:
        return now - datetime.timedelta(days=days) - DAY

    # Old data of every kind: the group's messages, the closed case and its reports, the delivered
    # mailing's records, some audit events, the access log, and a former student who never came back.
    Message.objects.filter(group=everything.group).update(created_at=ago(settings.CHAT_RETENTION_DAYS))
    closed_long_ago = ago(settings.RETENTION_CLOSED_CASES_DAYS)
    Case.objects.filter(status=Case.Status.CLOSED).update(opened_at=closed_long_ago, closed_at=closed_long_ago)
    Report.objects.filter(status=Report.Status.CLOSED).update(created_at=closed_long_ago, closed_at=closed_long_ago)
    assert Mailing.objects.filter(status=Mailing.Status.SENT).update(
        finished_at=ago(settings.RETENTION_DELIVERY_LOGS_DAYS)
    )
    old_events = list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)[:5])
    AuditEvent.objects.filter(pk__in=old_events).update(created_at=ago(settings.RETENTION_AUDIT_EVENTS_DAYS))
    DataAccess.objects.update(created_at=ago(settings.RETENTION_ACCESS_LOG_DAYS))
    former = make_person(
        "Fern Former",
        "fern.former",
        course_ends_on=timezone.localdate() - datetime.timedelta(days=settings.RETENTION_FORMER_MEMBERS_DAYS + 30),
    )

    first = apply_retention()

    kinds = {kind.key for kind in retention_kinds()}
    assert set(first.removed) == kinds
    assert all(first.removed[key] > 0 for key in kinds), first.removed
    former.refresh_from_db()
    assert former.erased_at is not None
    assert not AuditEvent.objects.filter(pk__in=old_events).exists()
    counts = row_counts()

    second = apply_retention()

    assert second.removed == {key: 0 for key in kinds}
    assert second.total == 0
    again = row_counts()
    runs = RetentionRun._meta.label
    assert again.pop(runs) == counts.pop(runs) + 1
    assert again == counts
