"""Society health: one table of every society with this year's members and revenue, when members were last
emailed and the site last changed, GDPR training on the committee, handover and open reports, with plain
flags (guidance O5, O9, O10, O12), sortable, as CSV too, at a fixed number of queries.

`society` (Hiking Society) has a President with training and a Treasurer and Secretary without;
`member` bought its £5 membership. `other_society` (Chess Club) has a trained President and nothing else.
"""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import found_society, join, make_person, train
from quad.chat import services as chat_services
from quad.chat.permissions import current_version
from quad.commerce import services as commerce_services
from quad.commerce.models import OrderLine, Payment
from quad.conduct import services as conduct_services
from quad.core.academic import current_academic_year
from quad.mailings import services as mailing_services
from quad.mailings.models import Mailing
from quad.societies import services as society_services
from quad.societies.models import Category, Position, Society
from quad.su import queries
from quad.su.queries import FLAG_HANDOVER, FLAG_SITE_STALE, FLAG_UNTRAINED, Handover, SocietyHealth

pytestmark = pytest.mark.django_db

HEALTH = reverse("su:health")
HEALTH_CSV = reverse("su:health-csv")


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings: Any) -> None:
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = datetime.time(0, 0)
    settings.CONDUCT_ALERT_EMAILS = []


def not_emailed(settings: Any) -> str:
    return f"Members not emailed in {settings.MAILINGS_STALE_DAYS} days"


def rows_of(client: Any, url: str = HEALTH) -> dict[str, SocietyHealth]:
    response = client.get(url)
    assert response.status_code == 200
    return {row.society.name: row for row in response.context["rows"]}


def names_in_order(client: Any, query: str) -> list[str]:
    response = client.get(HEALTH + query)
    assert response.status_code == 200
    return [row.society.name for row in response.context["rows"]]


def csv_rows(client: Any, query: str = "") -> list[list[str]]:
    response = client.get(HEALTH_CSV + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def enter(user: Any, group: Any) -> Any:
    joined = chat_services.join_group(user, group, token=group.invite_token)
    return chat_services.accept_guidelines(joined, version=current_version(group))


def applied_society(name: str) -> Society:
    """A society that has applied and not yet been decided."""
    category, _ = Category.objects.get_or_create(slug="sport-outdoors", defaults={"name": "Sport & Outdoors"})
    local = f"founder{Society.objects.count()}"
    founder = make_person(f"{name} Founder", f"{local}.founder")
    return society_services.apply_for_society(
        founder,
        name=name,
        category=category,
        purpose="Testing.",
        constitution="1. Named as above.",
        committee=[
            (founder.email, "President"),
            (make_person("A", f"{local}.a").email, "Treasurer"),
            (make_person("B", f"{local}.b").email, "Secretary"),
        ],
    )


# --- Each column against what was done -------------------------------------------------------------


def test_each_column_shows_what_happened_this_year(
    staff_client, society, other_society, member, membership_type, committee_trained, su_staff, settings
) -> None:
    # A second member, who is refunded £2 of their £5 this year: revenue is £10 of sales less £2.
    second = make_person("Sid Second", "sid.second")
    join(second, membership_type)
    line = OrderLine.objects.get(order__buyer=second)
    commerce_services.refund_line(line, amount_pence=200, actor=su_staff, reason="Joined late.")
    # Money taken last academic year does not count: a third member's payment is moved back a year.
    third = make_person("Tia Third", "tia.third")
    join(third, membership_type)
    last_year = timezone.make_aware(datetime.datetime.combine(current_academic_year().start, datetime.time(9)))
    Payment.objects.filter(order__buyer=third).update(created_at=last_year - datetime.timedelta(days=1))
    # Members were emailed.
    mailing = mailing_services.create_mailing(society, actor=committee_trained, subject="Hello", body="A walk.")
    mailing = mailing_services.send_mailing(mailing, actor=committee_trained)
    # The site was edited through the mini-site editor.
    society_services.add_faq_item(society, actor=committee_trained, question="When?", answer="Saturdays.")
    society.refresh_from_db()
    # Handover notes are written for next year's committee, not yet acknowledged.
    society_services.write_handover(
        society, actor=committee_trained, work_in_flight="The spring trip.", external_accounts="Instagram: Theo."
    )
    # One report is still with the group's moderators; another, of bullying, went straight to a case.
    group = chat_services.create_group(actor=committee_trained, society=society, name="Walks", purpose="Walks.")
    enter(committee_trained, group)
    reporter = enter(member, group)
    rude = enter(second, group)
    first = chat_services.post_message(rude, "Off topic again", in_quiet_hours=True)
    worse = chat_services.post_message(rude, "You are useless", in_quiet_hours=True)
    conduct_services.report_message(first, reporter=reporter.user, category="other")
    conduct_services.report_message(worse, reporter=reporter.user, category="bullying")

    rows = rows_of(staff_client)

    hiking, chess = rows["Hiking Society"], rows["Chess Club"]
    assert hiking.members == 3  # Mia, Sid and Tia hold current memberships
    assert hiking.revenue_pence == 500 + 500 - 200
    assert hiking.last_emailed == Mailing.objects.get(pk=mailing.pk).started_at
    assert hiking.site_updated == society.site_updated_at
    assert hiking.site_updated > society.approved_at
    assert (hiking.committee_trained, hiking.committee_size) == (1, 3)
    assert hiking.handover == Handover.WRITTEN
    assert (hiking.open_reports, hiking.open_cases) == (1, 1)
    assert not_emailed(settings) not in hiking.flags
    assert FLAG_SITE_STALE not in hiking.flags
    assert FLAG_UNTRAINED not in hiking.flags

    assert (chess.members, chess.revenue_pence, chess.last_emailed) == (0, 0, None)
    assert (chess.committee_trained, chess.committee_size) == (1, 3)
    assert chess.handover == Handover.NOT_WRITTEN
    assert (chess.open_reports, chess.open_cases) == (0, 0)
    assert not_emailed(settings) in chess.flags

    html = staff_client.get(HEALTH).content.decode()
    assert "£8.00" in html
    assert "1 report, 1 case" in html
    assert reverse("su:society-detail", kwargs={"slug": society.slug}) in html
    assert not_emailed(settings) in html


def test_flags_in_plain_words_for_a_society_that_has_let_things_slide(
    staff_client, society, committee_trained, member, settings
) -> None:
    # The only trained committee member's training has lapsed; the site was last touched long ago; the
    # last email to members went out more than a month ago.
    committee_trained.training_records.update(
        completed_on=datetime.date(2020, 1, 1), expires_on=datetime.date(2021, 1, 1)
    )
    Society.objects.filter(pk=society.pk).update(site_updated_at=timezone.now() - datetime.timedelta(days=400))
    mailing = mailing_services.send_mailing(
        mailing_services.create_mailing(society, actor=committee_trained, subject="Hi", body="News."),
        actor=committee_trained,
    )
    Mailing.objects.filter(pk=mailing.pk).update(
        started_at=timezone.now() - datetime.timedelta(days=settings.MAILINGS_STALE_DAYS + 1)
    )

    hiking = rows_of(staff_client)["Hiking Society"]

    assert (hiking.committee_trained, hiking.committee_size) == (0, 3)
    assert not_emailed(settings) in hiking.flags
    assert FLAG_SITE_STALE in hiking.flags
    assert FLAG_UNTRAINED in hiking.flags
    html = staff_client.get(HEALTH).content.decode()
    for words in (not_emailed(settings), "Site not updated this term", "No trained committee member"):
        assert words in html


def test_the_not_emailed_flag_follows_the_setting(staff_client, society, committee_trained, member, settings) -> None:
    mailing = mailing_services.send_mailing(
        mailing_services.create_mailing(society, actor=committee_trained, subject="Hi", body="News."),
        actor=committee_trained,
    )
    Mailing.objects.filter(pk=mailing.pk).update(started_at=timezone.now() - datetime.timedelta(days=10))
    assert not_emailed(settings) not in rows_of(staff_client)["Hiking Society"].flags

    settings.MAILINGS_STALE_DAYS = 7

    assert "Members not emailed in 7 days" in rows_of(staff_client)["Hiking Society"].flags


def test_societies_that_are_not_active_are_listed_without_flags(staff_client, society, su_staff) -> None:
    applied_society("Knitting Circle")
    society_services.suspend_society(society, actor=su_staff, reason="Unpaid hall hire.")

    rows = rows_of(staff_client)

    assert set(rows) == {"Hiking Society", "Knitting Circle"}
    assert rows["Knitting Circle"].society.status == Society.Status.APPLIED
    assert rows["Knitting Circle"].flags == ()
    assert rows["Knitting Circle"].handover == ""
    assert rows["Hiking Society"].flags == ()  # suspended: no committee at work to act on flags


def test_filter_by_status(staff_client, society, su_staff) -> None:
    applied_society("Knitting Circle")

    assert names_in_order(staff_client, "?status=applied") == ["Knitting Circle"]
    assert names_in_order(staff_client, "?status=active") == ["Hiking Society"]
    assert names_in_order(staff_client, "?status=nonsense") == ["Hiking Society", "Knitting Circle"]


# --- Handover and terms ------------------------------------------------------------------------------


def test_handover_is_flagged_only_in_the_last_term_and_until_the_incoming_committee_acknowledges(
    society, committee_trained, su_staff
) -> None:
    year = current_academic_year()
    first_term = timezone.make_aware(datetime.datetime.combine(year.start, datetime.time(12)))
    last_term = timezone.make_aware(datetime.datetime.combine(queries.term_starts(year)[-1], datetime.time(12)))

    def hiking(now: datetime.datetime) -> SocietyHealth:
        return next(row for row in queries.society_health(now=now) if row.society == society)

    assert hiking(last_term).handover == Handover.NOT_WRITTEN
    assert FLAG_HANDOVER in hiking(last_term).flags
    assert FLAG_HANDOVER not in hiking(first_term).flags  # not due yet

    note = society_services.write_handover(
        society, actor=committee_trained, work_in_flight="The trip.", external_accounts="Instagram: the secretary."
    )
    assert hiking(last_term).handover == Handover.WRITTEN
    assert FLAG_HANDOVER in hiking(last_term).flags

    incoming = make_person("Ina Incoming", "ina.incoming")
    society_services.grant_committee_term(
        society,
        incoming,
        Position.objects.get(society=society, name="President"),
        actor=su_staff,
        starts_on=year.next().start,
    )
    society_services.acknowledge_handover(note, actor=incoming)

    assert hiking(last_term).handover == Handover.DONE
    assert FLAG_HANDOVER not in hiking(last_term).flags


def test_terms_begin_with_the_year_then_in_january_and_april() -> None:
    year = current_academic_year()
    starts = queries.term_starts(year)

    assert starts[0] == year.start
    assert [(day.month, day.day) for day in starts[1:]] == [(1, 1), (4, 1)]
    assert queries.term_start(starts[1] + datetime.timedelta(days=10)) == starts[1]
    assert queries.term_start(starts[1] - datetime.timedelta(days=1)) == year.start
    assert not queries.handover_due(starts[2] - datetime.timedelta(days=1))
    assert queries.handover_due(starts[2])
    assert queries.handover_due(year.end)


def test_a_site_edited_before_this_term_began_is_stale(society) -> None:
    today = timezone.localdate()
    began = timezone.make_aware(datetime.datetime.combine(queries.term_start(today), datetime.time.min))
    Society.objects.filter(pk=society.pk).update(site_updated_at=began - datetime.timedelta(minutes=1))
    assert FLAG_SITE_STALE in queries.society_health()[0].flags

    Society.objects.filter(pk=society.pk).update(site_updated_at=began)
    assert FLAG_SITE_STALE not in queries.society_health()[0].flags


# --- Sorting -------------------------------------------------------------------------------------------


def test_sorting_by_a_column_both_ways_with_aria_sort_on_its_header(
    staff_client, society, other_society, member, su_staff
) -> None:
    applied_society("Archery Club")

    assert names_in_order(staff_client, "") == ["Archery Club", "Chess Club", "Hiking Society"]
    assert names_in_order(staff_client, "?sort=-name") == ["Hiking Society", "Chess Club", "Archery Club"]
    # Hiking has a member and £5; the others none: ties stay in name order either way.
    assert names_in_order(staff_client, "?sort=-members") == ["Hiking Society", "Archery Club", "Chess Club"]
    assert names_in_order(staff_client, "?sort=members") == ["Archery Club", "Chess Club", "Hiking Society"]
    assert names_in_order(staff_client, "?sort=-revenue")[0] == "Hiking Society"
    assert names_in_order(staff_client, "?sort=revenue")[-1] == "Hiking Society"
    assert names_in_order(staff_client, "?sort=bogus") == ["Archery Club", "Chess Club", "Hiking Society"]

    html = staff_client.get(HEALTH + "?sort=-members").content.decode()
    assert '<th scope="col" aria-sort="descending"><a href="?sort=members">Members this year</a></th>' in html
    assert '<th scope="col"><a href="?sort=name">Society</a></th>' in html
    html = staff_client.get(HEALTH + "?sort=members&status=active").content.decode()
    assert (
        '<th scope="col" aria-sort="ascending"><a href="?status=active&amp;sort=-members">Members this year</a></th>'
        in html
    )


def test_sorting_by_training_flags_and_last_emailed(
    staff_client, society, other_society, committee_trained, member
) -> None:
    # Chess Club's committee: 1 of 3 trained, as Hiking's; training the Hiking Treasurer makes 2 of 3.
    train(Position.objects.get(society=society, name="Treasurer").terms.get().user)
    mailing_services.send_mailing(
        mailing_services.create_mailing(society, actor=committee_trained, subject="Hi", body="News."),
        actor=committee_trained,
    )

    assert names_in_order(staff_client, "?sort=-training") == ["Hiking Society", "Chess Club"]
    assert names_in_order(staff_client, "?sort=training") == ["Chess Club", "Hiking Society"]
    # Never emailed sorts as the oldest.
    assert names_in_order(staff_client, "?sort=emailed") == ["Chess Club", "Hiking Society"]
    assert names_in_order(staff_client, "?sort=-flags") == ["Chess Club", "Hiking Society"]


# --- CSV -----------------------------------------------------------------------------------------------


def test_csv_has_the_same_columns_order_and_flags(staff_client, society, other_society, member, settings) -> None:
    rows = csv_rows(staff_client, "?sort=-members")

    assert rows[0] == [
        "Society",
        "Status",
        "Members this year",
        "Revenue this year",
        "Members last emailed",
        "Site last updated",
        "GDPR-trained committee",
        "Handover",
        "Open reports",
        "Open cases",
        "Flags",
    ]
    assert [row[0] for row in rows[1:]] == ["Hiking Society", "Chess Club"]
    hiking = rows[1]
    assert hiking[1:5] == ["Active", "1", "£5.00", "never"]
    assert hiking[5] == timezone.localdate().isoformat()
    assert hiking[6:10] == ["1 of 3", "Not written", "0", "0"]
    assert not_emailed(settings) in hiking[10].split("; ")
    assert [row[0] for row in csv_rows(staff_client, "?sort=name")[1:]] == ["Chess Club", "Hiking Society"]


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_quoted(staff_client, su_staff) -> None:
    for name in ("=HYPERLINK(evil)", "+Plus Society", "-Minus Society", "@At Society"):
        applied_society(name)
    applied_society("Plain Society")

    names = [row[0] for row in csv_rows(staff_client)[1:]]

    assert sorted(names) == sorted(
        ["'=HYPERLINK(evil)", "'+Plus Society", "'-Minus Society", "'@At Society", "Plain Society"]
    )


def test_the_page_links_to_the_csv_with_the_same_filter_and_sort(staff_client, society) -> None:
    html = staff_client.get(HEALTH + "?status=active&sort=-revenue").content.decode()

    assert f'href="{HEALTH_CSV}?status=active&amp;sort=-revenue"' in html


# --- Cost and access -------------------------------------------------------------------------------------


def _queries_for(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_page_and_the_csv_cost_the_same_queries_for_3_societies_as_for_10(
    staff_client, society, other_society, member, su_staff
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            number = Society.objects.count() + 1
            president = make_person("P", f"president.{number}")
            train(president)
            found_society(
                f"Society {number}",
                president,
                make_person("T", f"treasurer.{number}"),
                make_person("S", f"secretary.{number}"),
                staff=su_staff,
            )

    add(1)
    assert Society.objects.count() == 3
    page_three, csv_three = _queries_for(staff_client, HEALTH), _queries_for(staff_client, HEALTH_CSV)
    # The societies and eight grouped measures, plus the session, the staff account and its two-factor check.
    assert page_three <= 12
    assert csv_three <= 12

    add(7)
    assert Society.objects.count() == 10
    assert _queries_for(staff_client, HEALTH) == page_three
    assert _queries_for(staff_client, HEALTH_CSV) == csv_three


@pytest.mark.parametrize("url", [HEALTH, HEALTH_CSV])
def test_committee_and_students_are_refused_and_visitors_sent_to_sign_in(
    client, url, society, committee_trained, member
) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

    for person in (committee_trained, member):
        client.force_login(person)
        assert client.get(url).status_code == 403


def test_the_table_scrolls_inside_its_own_region_on_a_phone(staff_client, society) -> None:
    html = staff_client.get(HEALTH).content.decode()

    assert '<div class="table-wrap" role="region" aria-labelledby="health-heading" tabindex="0"><table>' in html


def test_the_console_links_to_health_and_approvals(staff_client) -> None:
    html = staff_client.get(reverse("su:console")).content.decode()

    assert f'href="{HEALTH}"' in html
    assert f'href="{reverse("su:approvals")}"' in html
