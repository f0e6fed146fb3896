import copy

import pytest
from django.db import transaction

from quad.core.emails import queue_email, render_email

PREFIX = "testmail/notice"


@pytest.fixture(autouse=True)
def _notice_templates(settings, tmp_path):
    """A throwaway email with subject, text and HTML templates, as every Quad email has."""
    folder = tmp_path / "templates" / "testmail"
    folder.mkdir(parents=True)
    (folder / "notice_subject.txt").write_text("{% autoescape off %}Notice: {{ topic }}{% endautoescape %}")
    (folder / "notice.txt").write_text("{% autoescape off %}About {{ topic }} from {{ UNION_NAME }}{% endautoescape %}")
    (folder / "notice.html").write_text("<p>About {{ topic }}</p>")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path / "templates", *templates[0]["DIRS"]]
    settings.TEMPLATES = templates


@pytest.mark.django_db
def test_each_recipient_gets_their_own_message(mailoutbox, django_capture_on_commit_callbacks) -> None:
    recipients = ["a@example.com", "b@example.com", "c@example.com"]

    with django_capture_on_commit_callbacks(execute=True):
        queue_email(PREFIX, to=recipients, context={"topic": "the AGM"})

    assert len(mailoutbox) == 3
    assert sorted(message.to[0] for message in mailoutbox) == recipients
    for message in mailoutbox:
        # Nobody sees another person's address, in any header.
        assert message.recipients() == message.to
        assert len(message.to) == 1
        assert message.cc == []
        assert message.bcc == []
        others = set(recipients) - set(message.to)
        assert not any(other in message.message().as_string() for other in others)


@pytest.mark.django_db
def test_message_has_rendered_subject_text_and_html(mailoutbox, django_capture_on_commit_callbacks, settings) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        queue_email(PREFIX, to=["a@example.com"], context={"topic": "the AGM"})

    (message,) = mailoutbox
    assert message.subject == "Notice: the AGM"
    assert message.body == f"About the AGM from {settings.UNION_NAME}"
    assert message.alternatives[0][0] == "<p>About the AGM</p>"
    assert message.alternatives[0][1] == "text/html"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL


@pytest.mark.django_db
def test_duplicate_and_empty_addresses_are_sent_once_or_not_at_all(
    mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        queue_email(PREFIX, to=["a@example.com", "", "a@example.com"], context={"topic": "x"})

    assert [message.to for message in mailoutbox] == [["a@example.com"]]


@pytest.mark.django_db
def test_nobody_to_send_to_queues_nothing(mailoutbox, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue_email(PREFIX, to=["", ""], context={"topic": "x"})

    assert callbacks == []
    assert mailoutbox == []


@pytest.mark.django_db
def test_nothing_is_sent_before_the_transaction_commits(mailoutbox, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue_email(PREFIX, to=["a@example.com"], context={"topic": "x"})
        assert mailoutbox == []

    assert len(callbacks) == 1
    assert mailoutbox == []


@pytest.mark.django_db
def test_nothing_is_sent_when_the_transaction_rolls_back(mailoutbox, django_capture_on_commit_callbacks) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue_email(PREFIX, to=["a@example.com", "b@example.com"], context={"topic": "x"})
        raise RuntimeError("the change failed")

    assert callbacks == []
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_real_rollback_sends_nothing_and_real_commit_sends(mailoutbox) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_email(PREFIX, to=["rolled@example.com"], context={"topic": "x"})
        raise RuntimeError("the change failed")
    assert mailoutbox == []

    with transaction.atomic():
        queue_email(PREFIX, to=["committed@example.com"], context={"topic": "x"})
        assert mailoutbox == []

    assert [message.to for message in mailoutbox] == [["committed@example.com"]]


@pytest.mark.django_db
def test_newlines_in_a_subject_cannot_inject_headers(mailoutbox, django_capture_on_commit_callbacks) -> None:
    evil = "Hiking\r\nBcc: attacker@evil.example\nX-Injected: yes"

    with django_capture_on_commit_callbacks(execute=True):
        queue_email(PREFIX, to=["a@example.com"], context={"topic": evil})

    (message,) = mailoutbox
    assert "\n" not in message.subject
    assert "\r" not in message.subject
    assert message.recipients() == ["a@example.com"]
    parsed = message.message()
    assert parsed["Bcc"] is None
    assert parsed["X-Injected"] is None
    assert "attacker@evil.example" in parsed["Subject"]  # kept as harmless text on the one line


def test_render_email_makes_the_subject_one_line() -> None:
    subject, _text, _html = render_email(PREFIX, {"topic": "one\ntwo\r\n\tthree"})

    assert subject == "Notice: one two three"
