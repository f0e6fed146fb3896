"""The pages: compose and preview, progress, sending (with a fresh sign-in for mail to members), the
unsubscribe link, news choices on the account page, the welcome email, emailing an article, the
management overview's "last emailed" line, and union staff's page of mail held for quiet hours."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode, urlparse

import pytest
from django.contrib.messages import get_messages
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from quad.core.models import AuditEvent
from quad.mailings import services
from quad.mailings.models import Mailing, NewsPreference, WelcomeEmail
from quad.mailings.rendering import unsubscribe_token
from quad.mailings.tests.conftest import Clock, local, write
from quad.news.models import Article

pytestmark = pytest.mark.django_db


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response
    return response.content.decode()


def mailing_url(mailing: Mailing, name: str = "mailings:mailing") -> str:
    return reverse(name, kwargs={"pk": mailing.pk})


def sign_in_again(client: Client) -> None:
    """allauth's reauthentication: the password again, as the send page asks for it."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


# --- Compose ----------------------------------------------------------------------------------------


@pytest.fixture
def committee_client(client: Client, committee_trained: Any) -> Client:
    client.force_login(committee_trained)
    return client


def compose(**fields: str) -> dict[str, str]:
    return {"audience": "members", "kind": "news", "subject": "Hike on Saturday", "body": "Meet at 9."} | fields


@pytest.mark.parametrize(
    ("posted", "error"),
    [
        (compose(subject=""), "This field is required."),
        (compose(subject="Hello\r\nBcc: everyone@example.com"), "The subject must be one line of ordinary text."),
        (compose(audience="membership_type"), "Choose which membership type to write to."),
        (compose(kind="essential"), "Mail to members is news, which members may turn off."),
    ],
    ids=["empty-subject", "header-injection", "no-membership-type", "essential-to-members"],
)
def test_a_mistake_in_the_email_is_shown_and_nothing_is_saved(
    posted: dict[str, str], error: str, committee_client: Client, society: Any
) -> None:
    response = committee_client.post(reverse("mailings:compose-mailing", kwargs={"slug": society.slug}), posted)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Please correct the errors below." in html
    assert error in html
    assert "Meet at 9.</textarea>" in html  # what they wrote is kept
    assert not Mailing.objects.exists()


def test_composing_saves_a_draft_and_opens_its_preview(committee_client: Client, society: Any, member: Any) -> None:
    response = committee_client.post(reverse("mailings:compose-mailing", kwargs={"slug": society.slug}), compose())

    mailing = Mailing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == mailing_url(mailing)
    assert (mailing.subject, mailing.status, mailing.society) == ("Hike on Saturday", Mailing.Status.DRAFT, society)


def test_a_committee_member_without_training_cannot_compose(
    client: Client, society: Any, committee_untrained: Any
) -> None:
    client.force_login(committee_untrained)
    url = reverse("mailings:compose-mailing", kwargs={"slug": society.slug})

    assert "needs the “Email members” power and valid GDPR training" in page(client, url)
    assert client.post(url, compose()).status_code == 403
    assert not Mailing.objects.exists()


def test_another_societys_committee_cannot_see_or_send_the_mailing(
    client: Client, society: Any, member: Any, committee_trained: Any, other_committee: Any
) -> None:
    mailing = write(society, committee_trained)
    client.force_login(other_committee)

    assert client.get(mailing_url(mailing)).status_code == 403
    assert client.get(mailing_url(mailing, "mailings:mailing-progress")).status_code == 403
    assert client.post(mailing_url(mailing, "mailings:send-mailing"), {"when": "now"}).status_code == 403
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT


# --- Preview and progress -------------------------------------------------------------------------


def test_the_preview_shows_how_many_people_it_reaches_and_never_their_addresses(
    committee_client: Client, society: Any, members: list[Any], committee_trained: Any
) -> None:
    services.set_news_preference(members[0], society, receive=False)
    mailing = write(society, committee_trained)

    html = page(committee_client, mailing_url(mailing))

    assert "All current members — <strong>4 people</strong>" in html
    assert "Send to 4 people" in html
    for person in members:
        assert person.email not in html
        assert person.email.split("@")[0] not in html


def test_the_progress_partial_counts_deliveries(
    committee_client: Client,
    society: Any,
    members: list[Any],
    committee_trained: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailing = write(society, committee_trained)
    services.send_mailing(mailing, actor=committee_trained)  # started; its workers not run yet
    url = mailing_url(mailing, "mailings:mailing-progress")

    html = page(committee_client, url)
    assert "Sending: 0 of 5" in html
    assert "0 sent" in html and "5 on the way" in html
    assert 'hx-trigger="every 2s"' in html  # keeps asking while it sends

    with django_capture_on_commit_callbacks(execute=True):
        services.enqueue_delivery(mailing.pk, mailing.deliveries.count())
    html = page(committee_client, url)
    assert "Sent: 5 of 5" in html
    assert "5 sent" in html and "0 on the way" in html
    assert "hx-trigger" not in html  # done: it stops polling
    for person in members:
        assert person.email not in html


# --- Sending ------------------------------------------------------------------------------------------


def test_sending_to_members_needs_a_fresh_sign_in_then_sends(
    committee_client: Client,
    society: Any,
    members: list[Any],
    committee_trained: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailing = write(society, committee_trained)
    url = mailing_url(mailing, "mailings:send-mailing")

    response = committee_client.post(url, {"when": "now"})

    assert response.status_code == 302
    # They come back to the mailing's page (the send URL takes only POST) and press Send again.
    back = mailing_url(mailing)
    assert response["Location"] == f"{reverse('account_reauthenticate')}?{urlencode({'next': back})}"
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT

    sign_in_again(committee_client)
    with django_capture_on_commit_callbacks(execute=True):
        response = committee_client.post(url, {"when": "now"})

    assert response.status_code == 302
    assert response["Location"] == mailing_url(mailing)
    assert messages_of(response) == ["Sending to 5 people."]
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in members)


def test_a_fresh_sign_in_goes_stale(
    committee_client: Client, society: Any, member: Any, committee_trained: Any, settings: Any
) -> None:
    mailing = write(society, committee_trained)
    sign_in_again(committee_client)
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0

    response = committee_client.post(mailing_url(mailing, "mailings:send-mailing"), {"when": "now"})

    assert response["Location"].startswith(reverse("account_reauthenticate"))
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT


def test_mail_to_the_committee_needs_no_fresh_sign_in(
    committee_client: Client, society: Any, committee_trained: Any
) -> None:
    mailing = write(society, committee_trained, audience=Mailing.Audience.COMMITTEE, kind=Mailing.Kind.ESSENTIAL)

    response = committee_client.post(mailing_url(mailing, "mailings:send-mailing"), {"when": "now"})

    assert response["Location"] == mailing_url(mailing)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENDING


def test_scheduling_from_the_page_and_cancelling_it(
    committee_client: Client, society: Any, member: Any, committee_trained: Any
) -> None:
    mailing = write(society, committee_trained)
    sign_in_again(committee_client)
    when = timezone.localtime() + datetime.timedelta(days=2)

    response = committee_client.post(
        mailing_url(mailing, "mailings:send-mailing"), {"when": "later", "send_at": f"{when:%Y-%m-%dT%H:%M}"}
    )

    assert messages_of(response) == [f"Scheduled for {when:%H:%M on %-d %B}."]
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SCHEDULED
    assert mailing.send_at == when.replace(second=0, microsecond=0)

    response = committee_client.post(mailing_url(mailing, "mailings:cancel-mailing"))
    assert messages_of(response)[-1] == "Cancelled: it is a draft again."
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT


def test_sending_in_quiet_hours_says_when_it_will_go(
    noon: datetime.datetime,
    clock: Clock,
    settings: Any,
    committee_client: Client,
    society: Any,
    member: Any,
    committee_trained: Any,
) -> None:
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = datetime.time(22, 0), datetime.time(8, 0)
    day = timezone.localdate(noon)
    clock.travel_to(local(day, 23, 30))
    mailing = write(society, committee_trained)
    assert "It is quiet hours (22:00–08:00): if you send now, it goes in the morning." in page(
        committee_client, mailing_url(mailing)
    )
    sign_in_again(committee_client)

    response = committee_client.post(mailing_url(mailing, "mailings:send-mailing"), {"when": "now"})

    tomorrow = day + datetime.timedelta(days=1)
    assert messages_of(response) == [f"It is quiet hours (22:00–08:00), so this will go at 08:00 on {tomorrow:%-d %B}."]
    assert f"Scheduled, at 08:00, {tomorrow:%-d %B %Y} (held for quiet hours 22:00–08:00)" in page(
        committee_client, mailing_url(mailing)
    )


def test_a_refusal_from_the_cap_is_shown_as_a_message(
    committee_client: Client, settings: Any, society: Any, member: Any, committee_trained: Any
) -> None:
    settings.MAILINGS_DAILY_CAP = 1
    services.send_mailing(write(society, committee_trained), actor=committee_trained)
    second = write(society, committee_trained)
    sign_in_again(committee_client)

    response = committee_client.post(mailing_url(second, "mailings:send-mailing"), {"when": "now"})

    assert response["Location"] == mailing_url(second)
    [message] = messages_of(response)
    assert "the union's daily limit" in message
    second.refresh_from_db()
    assert second.status == Mailing.Status.DRAFT


# --- Unsubscribe --------------------------------------------------------------------------------------


@pytest.fixture
def unsubscribe_path(
    society: Any,
    member: Any,
    committee_trained: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> str:
    """The unsubscribe link from a news email `member` received."""
    with django_capture_on_commit_callbacks(execute=True):
        services.send_mailing(write(society, committee_trained), actor=committee_trained)
    [message] = mailoutbox
    return urlparse(message.message()["List-Unsubscribe"].strip("<>")).path


def test_the_unsubscribe_link_asks_first(client: Client, unsubscribe_path: str, society: Any, member: Any) -> None:
    html = page(client, unsubscribe_path)

    assert "Stop getting news email from Hiking Society?" in html
    assert services.receives_news(member, society)


def test_one_click_unsubscribe_turns_news_off_and_is_recorded(unsubscribe_path: str, society: Any, member: Any) -> None:
    # RFC 8058: the mail client POSTs to the link, with no form of ours and so no CSRF token.
    client = Client(enforce_csrf_checks=True)

    response = client.post(unsubscribe_path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert "Hiking Society will not send you news email any more" in response.content.decode()
    assert not services.receives_news(member, society)
    [event] = AuditEvent.objects.filter(action="mailings.news.unsubscribed")
    assert (event.actor, event.target_id, event.data) == (member, str(society.pk), {"via": "unsubscribe link"})


def tampered(path: str) -> str:
    token = path.rstrip("/").rsplit("/", 1)[1]
    middle = len(token) // 2
    changed = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    return reverse("mailings:unsubscribe", kwargs={"token": changed})


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_altered_unsubscribe_link_is_refused_and_changes_nothing(
    method: str, unsubscribe_path: str, society: Any, member: Any
) -> None:
    other_salt = signing.dumps([member.pk, society.pk], salt="quad.accounts.something-else", compress=True)
    no_salt = signing.dumps([member.pk, society.pk], compress=True)
    for path in [
        tampered(unsubscribe_path),
        reverse("mailings:unsubscribe", kwargs={"token": other_salt}),
        reverse("mailings:unsubscribe", kwargs={"token": no_salt}),
        reverse("mailings:unsubscribe", kwargs={"token": "not-a-token"}),
    ]:
        response = getattr(Client(enforce_csrf_checks=True), method)(path)

        assert response.status_code == 400, path
        assert "This link is not valid" in response.content.decode()
    assert services.receives_news(member, society)
    assert not NewsPreference.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="mailings.news.").exists()


def test_an_unsubscribe_link_for_a_closed_account_is_refused(client: Client, society: Any, member: Any) -> None:
    member.is_active = False
    member.save(update_fields=["is_active"])
    path = reverse("mailings:unsubscribe", kwargs={"token": unsubscribe_token(member.pk, society.pk)})

    assert client.post(path).status_code == 400
    assert not NewsPreference.objects.exists()


# --- The account page ----------------------------------------------------------------------------------


def test_a_member_sees_their_societies_news_choices_on_the_account_page(
    client: Client, society: Any, member: Any
) -> None:
    client.force_login(member)

    html = page(client, reverse("accounts:home"))

    assert "News email from your societies" in html
    assert "Hiking Society: you get news email" in html


def test_someone_in_no_society_has_no_news_choices(client: Client, student: Any) -> None:
    client.force_login(student)

    assert "News email from your societies" not in page(client, reverse("accounts:home"))


def test_a_member_turns_a_societys_news_off_and_on_from_the_account_page(
    client: Client, society: Any, member: Any
) -> None:
    client.force_login(member)
    url = reverse("mailings:news-preference", kwargs={"slug": society.slug})

    response = client.post(url, {"receive": "no"})

    assert response["Location"] == reverse("accounts:home")
    assert messages_of(response) == ["No more news email from Hiking Society."]
    assert not services.receives_news(member, society)
    assert "Hiking Society: news email off" in page(client, reverse("accounts:home"))
    assert AuditEvent.objects.filter(action="mailings.news.unsubscribed", actor=member, data__via="account").exists()

    client.post(url, {"receive": "yes"})
    assert services.receives_news(member, society)
    assert AuditEvent.objects.filter(action="mailings.news.subscribed", actor=member).exists()


# --- The welcome email --------------------------------------------------------------------------------


def test_the_committee_edits_the_welcome_email(committee_client: Client, society: Any, committee_trained: Any) -> None:
    url = reverse("mailings:welcome-email", kwargs={"slug": society.slug})
    assert "Hello, and welcome to Hiking Society!" in page(committee_client, url)  # the default text

    response = committee_client.post(
        url, {"enabled": "on", "subject": "Welcome, walker!", "body": "Our first walk is on **Saturday**."}
    )

    assert response["Location"] == url
    welcome = WelcomeEmail.objects.get(society=society)
    assert (welcome.subject, welcome.body, welcome.enabled, welcome.updated_by) == (
        "Welcome, walker!",
        "Our first walk is on **Saturday**.",
        True,
        committee_trained,
    )
    assert AuditEvent.objects.filter(action="mailings.welcome.updated", actor=committee_trained).exists()
    assert "Welcome, walker!" in page(committee_client, url)


def test_a_welcome_subject_on_two_lines_is_refused(committee_client: Client, society: Any) -> None:
    url = reverse("mailings:welcome-email", kwargs={"slug": society.slug})

    response = committee_client.post(url, {"enabled": "on", "subject": "Hi\nBcc: x@example.com", "body": "Hello"})

    assert response.status_code == 200
    assert "The subject must be one line of ordinary text." in response.content.decode()
    assert not WelcomeEmail.objects.exists()


def test_an_untrained_committee_member_may_read_but_not_change_the_welcome_email(
    client: Client, society: Any, committee_untrained: Any
) -> None:
    client.force_login(committee_untrained)
    url = reverse("mailings:welcome-email", kwargs={"slug": society.slug})

    assert "Changing it needs the “Email members” power and valid GDPR training." in page(client, url)
    response = client.post(url, {"enabled": "", "subject": "Hijacked", "body": "x"})

    assert response.status_code == 403
    assert not WelcomeEmail.objects.exists()


# --- Emailing an article ------------------------------------------------------------------------------


def test_emailing_an_article_makes_a_draft_of_it(
    committee_client: Client, society: Any, member: Any, committee_trained: Any
) -> None:
    article = Article.objects.create(
        society=society,
        title="Our autumn programme",
        slug="our-autumn-programme",
        body="Six walks, one **ceilidh**.",
        status=Article.Status.PUBLISHED,
        author=committee_trained,
    )

    response = committee_client.post(reverse("mailings:email-article", kwargs={"pk": article.pk}))

    mailing = Mailing.objects.get()
    assert response["Location"] == mailing_url(mailing)
    assert (mailing.subject, mailing.body, mailing.article, mailing.status) == (
        "Our autumn programme",
        "Six walks, one **ceilidh**.",
        article,
        Mailing.Status.DRAFT,
    )
    assert (mailing.audience, mailing.kind) == (Mailing.Audience.MEMBERS, Mailing.Kind.NEWS)
    assert article.get_absolute_url() in page(committee_client, mailing_url(mailing))  # "Read it on our page"


def test_a_draft_article_cannot_be_emailed_until_it_is_published(
    committee_client: Client, society: Any, member: Any, committee_trained: Any
) -> None:
    article = Article.objects.create(
        society=society, title="Not yet", slug="not-yet", body="Soon.", author=committee_trained
    )

    response = committee_client.post(reverse("mailings:email-article", kwargs={"pk": article.pk}), follow=True)

    assert not Mailing.objects.exists()
    assert response.redirect_chain[-1][0] == reverse("news:edit-article", kwargs={"pk": article.pk})
    assert "Publish the article first" in response.content.decode()


def test_another_societys_committee_cannot_email_the_article(
    client: Client, society: Any, other_committee: Any, committee_trained: Any
) -> None:
    article = Article.objects.create(
        society=society, title="Ours", slug="ours", body="x", status=Article.Status.PUBLISHED, author=committee_trained
    )
    client.force_login(other_committee)

    assert client.post(reverse("mailings:email-article", kwargs={"pk": article.pk})).status_code == 403
    assert not Mailing.objects.exists()


# --- Keeping in touch ---------------------------------------------------------------------------------


def test_the_management_overview_flags_members_not_emailed_until_a_mailing_goes(
    committee_client: Client, society: Any, member: Any, committee_trained: Any, settings: Any
) -> None:
    url = reverse("societies:manage", kwargs={"slug": society.slug})
    flag = f"Not emailed for over {settings.MAILINGS_STALE_DAYS} days"

    html = page(committee_client, url)
    assert "<dt>Members last emailed</dt><dd>never" in html
    assert flag in html

    # Mail to the committee does not count: members still heard nothing.
    services.send_mailing(
        write(society, committee_trained, audience=Mailing.Audience.COMMITTEE, kind=Mailing.Kind.ESSENTIAL),
        actor=committee_trained,
    )
    assert flag in page(committee_client, url)

    mailing = services.send_mailing(write(society, committee_trained), actor=committee_trained)
    html = page(committee_client, url)
    assert flag not in html
    assert f"({timezone.localtime(mailing.started_at):%-d %B %Y})" in html

    # A month and more later, the flag is back.
    Mailing.objects.filter(pk=mailing.pk).update(
        started_at=timezone.now() - datetime.timedelta(days=settings.MAILINGS_STALE_DAYS + 1)
    )
    assert flag in page(committee_client, url)


# --- Union staff: mail held for quiet hours -----------------------------------------------------------


def test_staff_see_mail_held_for_quiet_hours_and_send_it_as_urgent(
    noon: datetime.datetime,
    clock: Clock,
    settings: Any,
    staff_client: Client,
    society: Any,
    members: list[Any],
    committee_trained: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = datetime.time(22, 0), datetime.time(8, 0)
    clock.travel_to(local(timezone.localdate(noon), 23, 30))
    held = services.send_mailing(
        write(society, committee_trained, subject="Tonight's walk is off"), actor=committee_trained
    )
    url = reverse("mailings:held-mailings")

    html = page(staff_client, url)
    assert "<strong>Hiking Society</strong>: Tonight&#x27;s walk is off — goes at 08:00" in html
    assert reverse("mailings:mark-urgent", kwargs={"pk": held.pk}) in html

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("mailings:mark-urgent", kwargs={"pk": held.pk}))

    assert response["Location"] == url
    held.refresh_from_db()
    assert held.status == Mailing.Status.SENT
    assert len(mailoutbox) == len(members)
    assert "Nothing is held." in page(staff_client, url)


def test_only_union_staff_see_held_mail(client: Client, society: Any, committee_trained: Any) -> None:
    client.force_login(committee_trained)

    assert client.get(reverse("mailings:held-mailings")).status_code == 403
    mailing = write(society, committee_trained)
    assert client.post(reverse("mailings:mark-urgent", kwargs={"pk": mailing.pk})).status_code == 403
    mailing.refresh_from_db()
    assert mailing.urgent_by is None
