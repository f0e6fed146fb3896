"""What a committee writes cannot run in anyone's mailbox or in the preview, and cannot forge headers.

XSS: the email's HTML is the template's markup around the sanitised body. Each email is compared with
the same template rendered around a harmless marker: everything outside the body must be that markup
exactly, and the body itself must pass `assert_cannot_run` (quad.core.tests.test_markdown). The preview
page shows the email in a sandboxed iframe's `srcdoc`; once the attribute is unescaped (as a browser
does), the same holds for it.

Header injection: the form refuses a subject with a line break; should one get past it (a service
called from elsewhere), rendering puts the subject on one line, so a message has one Subject and no
header the committee wrote. A society's name becomes the From display name, quoted, with the union's
address.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import found_society, join, make_person
from quad.core.academic import current_academic_year
from quad.core.tests.test_markdown import XSS_VECTORS, assert_cannot_run
from quad.mailings import services
from quad.mailings.forms import MailingForm, WelcomeEmailForm
from quad.mailings.models import Mailing
from quad.mailings.rendering import UNSUBSCRIBE_PLACEHOLDER, render_mailing
from quad.mailings.tests.conftest import write
from quad.memberships.services import create_membership_type

pytestmark = pytest.mark.django_db

MARKER = "QUADBODYMARKER"
PREVIEW_LINK = "#unsubscribe-link"  # what the preview shows instead of a member's unsubscribe link


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def template_around_body(mailing: Mailing, unsubscribe: str) -> tuple[str, str]:
    """The email's HTML before and after the body, for this mailing's society and subject."""
    harmless = Mailing(society=mailing.society, subject=mailing.subject, body=MARKER, kind=mailing.kind)
    html = render_mailing(harmless).html.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe)
    before, after = html.split(f"<p>{MARKER}</p>")
    return before, after


def assert_body_cannot_run(html: str, mailing: Mailing, unsubscribe: str) -> None:
    before, after = template_around_body(mailing, unsubscribe)
    assert html.startswith(before), "the markup before the body changed"
    assert html.endswith(after), "the markup after the body changed"
    body = html[len(before) : len(html) - len(after)]
    assert_cannot_run(body)


def sent(mailoutbox: list[Any]) -> tuple[Any, str]:
    """The one message sent, and its HTML part."""
    [message] = mailoutbox
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    return message, html


def parsed(message: Any) -> EmailMessage:
    """The message as a mail server would read it."""
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)  # type: ignore[return-value]


def send(mailing: Mailing, actor: Any, capture: Any) -> None:
    with capture(execute=True):
        services.send_mailing(mailing, actor=actor)


def preview_frame(client: Client, mailing: Mailing) -> dict[str, str | None]:
    response = client.get(reverse("mailings:mailing", kwargs={"pk": mailing.pk}))
    assert response.status_code == 200
    [frame] = [attrs for tag, attrs in tags(response.content.decode()) if tag == "iframe"]
    return frame


# --- XSS in the body ---------------------------------------------------------------------------------


def test_the_check_would_catch_a_body_that_runs(society: Any, committee_trained: Any) -> None:
    """If the comparison passed anything, the vector tests below would prove nothing."""
    mailing = write(society, committee_trained)
    before, after = template_around_body(mailing, "https://x.example/unsubscribe")

    with pytest.raises(AssertionError):
        assert_body_cannot_run(f"{before}<script>alert(1)</script>{after}", mailing, "https://x.example/unsubscribe")
    with pytest.raises(AssertionError, match="before the body"):
        assert_body_cannot_run(f"<script>x</script>{before}<p>ok</p>{after}", mailing, "https://x.example/unsubscribe")


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_a_body_that_tries_to_run_code_cannot_run_in_the_email(
    vector: str,
    society: Any,
    member: Any,
    committee_trained: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailing = write(society, committee_trained, body=f"Before\n\n{vector}\n\nAfter")

    send(mailing, committee_trained, django_capture_on_commit_callbacks)

    message, html = sent(mailoutbox)
    unsubscribe = str(parsed(message)["List-Unsubscribe"]).strip().strip("<>")
    assert_body_cannot_run(html, mailing, unsubscribe)
    assert "<script" not in html.lower()


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_a_body_that_tries_to_run_code_cannot_run_in_the_preview(
    vector: str, client: Client, society: Any, member: Any, committee_trained: Any
) -> None:
    mailing = write(society, committee_trained, body=f"Before\n\n{vector}\n\nAfter")
    client.force_login(committee_trained)

    frame = preview_frame(client, mailing)

    assert "sandbox" in frame
    assert "allow-scripts" not in (frame["sandbox"] or "")
    srcdoc = frame["srcdoc"]  # the parser unescapes the attribute, as the browser does
    assert srcdoc is not None
    assert_body_cannot_run(srcdoc, mailing, PREVIEW_LINK)


def test_a_subject_with_a_script_tag_is_shown_as_text(
    client: Client,
    society: Any,
    member: Any,
    committee_trained: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    subject = '<script>alert("subject")</script> AGM'
    mailing = write(society, committee_trained, subject=subject)
    client.force_login(committee_trained)

    page = client.get(reverse("mailings:mailing", kwargs={"pk": mailing.pk})).content.decode()
    srcdoc = preview_frame(client, mailing)["srcdoc"] or ""
    listing = client.get(reverse("mailings:society-mailings", kwargs={"slug": society.slug})).content.decode()
    send(mailing, committee_trained, django_capture_on_commit_callbacks)
    message, html = sent(mailoutbox)

    for shown in (page, listing):
        assert '<script>alert("subject")' not in shown
        assert "&lt;script&gt;alert(&quot;subject&quot;)&lt;/script&gt; AGM" in shown
    for document in (srcdoc, html):
        assert not [tag for tag, _ in tags(document) if tag == "script"]
        assert (
            '<h1 style="font-size: 1.3rem;">&lt;script&gt;alert(&quot;subject&quot;)&lt;/script&gt; AGM</h1>'
            in document
        )
    assert message.subject == subject  # a subject line is text: nothing there runs


def test_a_society_name_with_a_script_tag_is_shown_as_text(
    client: Client,
    settings: Any,
    su_staff: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    president = make_person("Sly President", "sly.president")
    from conftest import train

    train(president)
    name = "<script>alert(1)</script> Club"
    society = found_society(
        name, president, make_person("Sly Two", "sly.two"), make_person("Sly Three", "sly.three"), staff=su_staff
    )
    membership_type = create_membership_type(
        society, actor=president, year=current_academic_year(), name="Member", price_pence=100
    )
    join(make_person("Meg Member", "meg.member"), membership_type)
    mailing = write(society, president)
    client.force_login(president)

    page = client.get(reverse("mailings:mailing", kwargs={"pk": mailing.pk})).content.decode()
    srcdoc = preview_frame(client, mailing)["srcdoc"] or ""
    send(mailing, president, django_capture_on_commit_callbacks)
    message, html = sent(mailoutbox)

    assert "<script>alert(1)</script>" not in page
    for document in (srcdoc, html):
        assert not [tag for tag, _ in tags(document) if tag == "script"]
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Club" in document
    headers = parsed(message)
    [sender] = headers["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (name, settings.MAILINGS_FROM_EMAIL)


# --- Header injection ----------------------------------------------------------------------------------


BREAKS = ["\n", "\r", "\r\n", "\u2028", "\x0b"]


@pytest.mark.parametrize("line_break", BREAKS, ids=repr)
def test_the_forms_refuse_a_subject_with_a_line_break(line_break: str, society: Any) -> None:
    subject = f"Hello{line_break}Bcc: everyone@example.com"
    mailing_form = MailingForm(
        {"audience": "members", "kind": "news", "subject": subject, "body": "Hi"}, society=society
    )
    welcome_form = WelcomeEmailForm({"enabled": "on", "subject": subject, "body": "Hi"})

    for form in (mailing_form, welcome_form):
        assert not form.is_valid()
        assert form.errors["subject"] == ["The subject must be one line of ordinary text."]


@pytest.mark.parametrize("line_break", BREAKS, ids=repr)
def test_a_subject_with_a_line_break_that_gets_past_the_form_cannot_add_a_header(
    line_break: str,
    society: Any,
    member: Any,
    committee_trained: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailing = write(society, committee_trained, subject=f"Hello{line_break}Bcc: victim@example.com")

    send(mailing, committee_trained, django_capture_on_commit_callbacks)

    message, _ = sent(mailoutbox)
    headers = parsed(message)
    assert headers.get_all("Subject") == ["Hello Bcc: victim@example.com"]
    assert headers["Bcc"] is None
    assert message.recipients() == [member.email]
    assert "victim@example.com" not in str(headers["To"])


def test_a_welcome_subject_with_a_line_break_cannot_add_a_header(
    society: Any,
    membership_type: Any,
    committee_trained: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    services.save_welcome_email(
        society, actor=committee_trained, subject="Welcome\r\nBcc: victim@example.com", body="Hi", enabled=True
    )
    newcomer = make_person("Nia Newcomer", "nia.newcomer")

    with django_capture_on_commit_callbacks(execute=True):
        join(newcomer, membership_type)

    [welcome] = [m for m in mailoutbox if m.subject.startswith("Welcome")]
    headers = parsed(welcome)
    assert headers.get_all("Subject") == ["Welcome Bcc: victim@example.com"]
    assert headers["Bcc"] is None
    assert welcome.recipients() == [newcomer.email]


def test_a_society_name_with_a_line_break_and_quotes_is_one_from_header_with_the_union_address(
    settings: Any,
    su_staff: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from conftest import train

    president = make_person("Quinn President", "quinn.president")
    train(president)
    name = 'The "Best"\r\nBcc: victim@example.com\nSociety'
    society = found_society(
        name,
        president,
        make_person("Quinn Two", "quinn.two"),
        make_person("Quinn Three", "quinn.three"),
        staff=su_staff,
    )
    membership_type = create_membership_type(
        society, actor=president, year=current_academic_year(), name="Member", price_pence=100
    )
    newcomer = make_person("Nia Newcomer", "nia.newcomer")
    with django_capture_on_commit_callbacks(execute=True):
        join(newcomer, membership_type)  # the welcome email
        services.send_mailing(write(society, president), actor=president)  # and a mailing

    welcome, mailing = sorted(
        (m for m in mailoutbox if m.from_email != settings.DEFAULT_FROM_EMAIL), key=lambda m: "List-Id" in m.message()
    )
    for message in (welcome, mailing):
        headers = parsed(message)
        [from_header] = headers.get_all("From") or []
        [sender] = from_header.addresses
        assert sender.addr_spec == settings.MAILINGS_FROM_EMAIL
        assert sender.display_name == 'The "Best" Bcc: victim@example.com Society'
        assert headers["Bcc"] is None
        assert message.recipients() == [newcomer.email]
    [list_id] = parsed(mailing).get_all("List-Id") or []
    assert str(list_id).endswith(f"<{society.slug}.{settings.UNION_EMAIL_DOMAIN}>")
    assert "\n" not in str(list_id) and "\r" not in str(list_id)
