"""Automatic flagging (docs/moderation.md): scored after posting, flagged for review, never hidden; a
kind nudge before posting; the labelled data; and each scorer's figures as the docs state them."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from quad.chat import services
from quad.chat.models import Message
from quad.chat.scoring import CATEGORIES, ORDINARY, Score, evaluate, fast_score, get_scorer, lexical, nudge
from quad.chat.scoring import receivers as scoring_receivers
from quad.chat.scoring import services as scoring_services
from quad.chat.scoring import tasks as scoring_tasks
from quad.chat.scoring.data import EVALUATION, EXEMPLARS, load
from quad.core.models import AuditEvent

DOCS = Path(__file__).resolve().parents[3] / "docs" / "moderation.md"
THREAT = "I know where you live, watch your back"


def post(member: Any, body: str, capture: Any) -> Message:
    """Post as a person does; the commit's callbacks run, so scoring is queued (and, in tests, run at once)."""
    with capture(execute=True):
        message = services.post_message(member, body)
    message.refresh_from_db()
    return message


class Fixed:
    """A scorer that gives every text the same score."""

    def __init__(self, value: float, category: str = "") -> None:
        self.value, self.category = value, category

    def score(self, texts: list[str]) -> list[Score]:
        return [Score(self.value, self.category) for _ in texts]


# --- Scoring after posting ---------------------------------------------------------------------------


def test_a_threat_is_scored_and_flagged_for_review_but_stays_visible(
    chatter, django_capture_on_commit_callbacks
) -> None:
    message = post(chatter, THREAT, django_capture_on_commit_callbacks)
    assert message.flag_score is not None and message.flag_score >= 0.5
    assert message.flagged_at is not None
    assert message.is_visible and message.hidden_at is None and message.deleted_at is None


def test_a_message_edited_into_a_threat_is_scored_again_and_flagged(
    chatter, django_capture_on_commit_callbacks
) -> None:
    message = post(chatter, "See you all on Saturday", django_capture_on_commit_callbacks)
    assert message.flagged_at is None
    with django_capture_on_commit_callbacks(execute=True):
        services.edit_message(message, actor=chatter.user, body=THREAT)
    message.refresh_from_db()
    assert message.flagged_at is not None and message.is_visible


def test_casual_swearing_is_scored_but_not_flagged(chatter, django_capture_on_commit_callbacks) -> None:
    message = post(chatter, "shit, I missed the bus", django_capture_on_commit_callbacks)
    assert message.flag_score == pytest.approx(0.15)
    assert message.flagged_at is None


def test_a_new_flag_is_audited_with_its_score_and_category(chatter, django_capture_on_commit_callbacks) -> None:
    message = post(chatter, THREAT, django_capture_on_commit_callbacks)
    event = AuditEvent.objects.get(action="chat.message.flagged")
    assert event.actor is None
    assert event.target_id == str(message.pk)
    assert event.data["category"] == "threats"
    assert event.data["score"] == pytest.approx(message.flag_score)
    assert event.data["scorer"] == "quad.chat.scoring.lexical.LexicalScorer"


def test_the_flag_threshold_is_the_setting(chatter, settings, django_capture_on_commit_callbacks) -> None:
    settings.CHAT_FLAG_THRESHOLD = 0.99
    message = post(chatter, THREAT, django_capture_on_commit_callbacks)
    assert message.flag_score is not None and message.flag_score < 0.99
    assert message.flagged_at is None


def test_scoring_again_lower_keeps_the_flag_for_a_person_to_review(chatter, django_capture_on_commit_callbacks) -> None:
    message = post(chatter, THREAT, django_capture_on_commit_callbacks)
    flagged_at = message.flagged_at
    scoring_services.score_message(message, scorer=Fixed(0.1))
    message.refresh_from_db()
    assert message.flag_score == pytest.approx(0.1)
    assert message.flagged_at == flagged_at
    assert AuditEvent.objects.filter(action="chat.message.flagged").count() == 1


def test_the_configured_scorer_does_the_scoring(chatter, settings, django_capture_on_commit_callbacks) -> None:
    settings.CHAT_SCORER = "quad.chat.tests.test_scoring.AlwaysWorried"
    message = post(chatter, "what time is training on wednesday?", django_capture_on_commit_callbacks)
    assert message.flag_score == pytest.approx(0.9)
    assert message.flagged_at is not None


class AlwaysWorried(Fixed):
    def __init__(self) -> None:
        super().__init__(0.9, "bullying")


def test_a_message_deleted_before_its_turn_is_not_scored(chatter) -> None:
    message = services.post_message(chatter, THREAT)
    services.delete_message(message, actor=chatter.user)
    assert scoring_tasks.score_message.call(message.pk) is None
    message.refresh_from_db()
    assert message.flag_score is None and message.flagged_at is None


def test_a_queue_that_fails_never_fails_the_post(
    chatter, monkeypatch, django_capture_on_commit_callbacks, caplog
) -> None:
    class Down:
        @staticmethod
        def enqueue(**kwargs: Any) -> None:
            raise ConnectionError("the task database is down")

    monkeypatch.setattr(scoring_tasks, "score_message", Down)
    message = post(chatter, THREAT, django_capture_on_commit_callbacks)
    assert Message.objects.filter(pk=message.pk).exists()
    assert message.flag_score is None
    assert "Could not queue chat message" in caplog.text


def test_scoring_is_queued_only_after_the_post_commits(
    chatter, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    queued: list[int] = []

    class Queue:
        @staticmethod
        def enqueue(**kwargs: Any) -> None:
            queued.append(kwargs["message_id"])

    monkeypatch.setattr(scoring_tasks, "score_message", Queue)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = services.post_message(chatter, THREAT)
    assert queued == []
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert queued == [message.pk]


def test_check_reports_a_scorer_that_cannot_be_imported(settings) -> None:
    settings.CHAT_SCORER = "quad.chat.scoring.nowhere.Scorer"
    [error] = scoring_receivers.check_chat_scorer()
    assert error.id == "chat.E001"
    settings.CHAT_SCORER = "quad.chat.scoring.lexical.LexicalScorer"
    assert scoring_receivers.check_chat_scorer() == []


def test_thresholds_outside_zero_to_one_fail_loudly(monkeypatch) -> None:
    from quad.settings import envfloat

    monkeypatch.setenv("CHAT_FLAG_THRESHOLD", "1.5")
    with pytest.raises(ImproperlyConfigured, match=re.escape("CHAT_FLAG_THRESHOLD must be a number from 0.0 to 1.0")):
        envfloat("CHAT_FLAG_THRESHOLD", 0.5)
    monkeypatch.setenv("CHAT_FLAG_THRESHOLD", "0.7")
    assert envfloat("CHAT_FLAG_THRESHOLD", 0.5) == 0.7


def test_env_example_documents_the_scoring_settings() -> None:
    listed = (Path(__file__).resolve().parents[3] / ".env.example").read_text()
    for name in ("CHAT_SCORER", "CHAT_NUDGE_THRESHOLD", "CHAT_FLAG_THRESHOLD"):
        assert re.search(rf"^{name}=", listed, flags=re.MULTILINE), name


# --- The nudge before posting ------------------------------------------------------------------------


def test_a_threat_gets_a_kind_question_before_posting() -> None:
    assert nudge(THREAT) == (
        "It might come across as threats or violence and break this group's guidelines. "
        "Post it anyway, or change it first?"
    )


@pytest.mark.parametrize(
    "text",
    [
        "this essay is f***ing hard",
        "shit, I missed the bus",
        "fucking freezing on the walk to campus",
        "what time is training on wednesday?",
        "congrats to the netball girls on the win!!",
    ],
)
def test_ordinary_chat_and_casual_swearing_get_no_nudge(text) -> None:
    assert nudge(text) == ""


def test_the_nudge_threshold_is_the_setting(settings) -> None:
    settings.CHAT_NUDGE_THRESHOLD = 0.1
    assert (
        nudge("shit, I missed the bus") == "It might break this group's guidelines. Post it anyway, or change it first?"
    )


def test_masked_and_leetspeak_spellings_are_read_as_words() -> None:
    assert fast_score("you're a w0rthless sl@g").category == "unwanted_attention"
    assert fast_score("k y s").value == 0.0  # spaced letters are not joined up: a known gap
    assert fast_score("this is f**king great").value == pytest.approx(0.15)


def test_skipping_patterns_by_their_words_changes_no_verdict() -> None:
    for example in load(EXEMPLARS) + load(EVALUATION):
        assert lexical.check(example.text) == lexical.check_every_pattern(example.text), example.text


# --- The labelled data -------------------------------------------------------------------------------


def test_the_evaluation_set_is_well_formed() -> None:
    examples = load(EVALUATION)
    assert len(examples) >= 150
    assert {e.category for e in examples} == {*CATEGORIES, ORDINARY}
    for category in CATEGORIES:
        members = [e for e in examples if e.category == category]
        assert len(members) >= 15, category
        assert {e.kind for e in members} == {"explicit", "implicit"}, category
    ordinary_kinds = [e.kind for e in examples if e.category == ORDINARY]
    assert ordinary_kinds.count("swearing") >= 10
    assert ordinary_kinds.count("banter") >= 10
    assert {"chat", "disagreement"} <= set(ordinary_kinds)
    assert all(e.text.strip() == e.text and e.text for e in examples)
    assert len({e.text for e in examples}) == len(examples)


def test_the_evaluation_set_is_held_out_from_the_exemplars() -> None:
    def words(text: str) -> set[str]:
        return set(re.findall(r"[a-z']+", text.lower()))

    exemplars = load(EXEMPLARS)
    assert {e.category for e in exemplars} == {*CATEGORIES, ORDINARY}
    for example in load(EVALUATION):
        mine = words(example.text)
        closest = max(len(mine & words(e.text)) / len(mine | words(e.text)) for e in exemplars)
        assert closest <= 0.6, example.text


# --- Figures, as the docs state them -----------------------------------------------------------------


def documented(path: str) -> tuple[int, int]:
    """Precision and recall (per cent) in docs/moderation.md's table row for the scorer at `path`."""
    row = next(line for line in DOCS.read_text().splitlines() if line.startswith("|") and f"`{path}`" in line)
    precision, recall = (int(n) for n in re.findall(r"\| (\d+)% ", row)[:2])
    return precision, recall


def test_the_default_scorer_achieves_exactly_what_the_docs_say(settings) -> None:
    assert settings.CHAT_SCORER == "quad.chat.scoring.lexical.LexicalScorer"
    measured = evaluate.evaluate(get_scorer(settings.CHAT_SCORER), threshold=settings.CHAT_FLAG_THRESHOLD)
    precision, recall = documented(settings.CHAT_SCORER)
    assert round(measured["abusive"]["precision"] * 100) == precision == 87
    assert round(measured["abusive"]["recall"] * 100) == recall == 27
    # The target (recall >= 70% at precision >= 80%) is missed, and the docs say so.
    assert "misses the target" in DOCS.read_text()
    assert measured["ordinary_flagged"]["swearing"] == 0.0


def test_the_semantic_scorer_achieves_what_the_docs_say() -> None:
    from quad.chat.scoring.semantic import SemanticScorer

    if problem := SemanticScorer.missing():
        pytest.skip(f"the semantic extra is not installed (make semantic): {problem}")
    path = "quad.chat.scoring.semantic.SemanticScorer"
    measured = evaluate.evaluate(get_scorer(path), threshold=0.5)
    precision, recall = documented(path)
    # Within two messages either way: another CPU's floating point may tip a score that sits on 0.5.
    assert abs(measured["abusive"]["precision"] * 100 - precision) <= 2
    assert abs(measured["abusive"]["recall"] * 100 - recall) <= 2


def test_the_semantic_model_was_fitted_on_the_exemplars_as_they_are() -> None:
    fitted = json.loads((EXEMPLARS.parent / "semantic_model.json").read_text())
    assert fitted["trained_on_sha256"] == hashlib.sha256(EXEMPLARS.read_bytes()).hexdigest(), (
        "exemplars.csv changed: refit with python -m quad.chat.scoring.train, then measure again"
    )
    assert fitted["classes"] == [ORDINARY, *CATEGORIES]
    assert 0.0 < fitted["flag_point"] < 1.0


def test_the_numpy_minilm_matches_the_published_model() -> None:
    from quad.chat.scoring.semantic import SemanticScorer

    if problem := SemanticScorer.missing():
        pytest.skip(f"the semantic extra is not installed (make semantic): {problem}")
    from quad.chat.scoring import minilm

    encoder = minilm.load()
    # BERT's uncased WordPiece, as its paper's example: "unaffable" -> un ##aff ##able.
    assert encoder.tokenizer.encode("Unaffable!") == [101, 14477, 20961, 3468, 999, 102]
    # sentence-transformers' documented similarities for all-MiniLM-L6-v2.
    vectors = encoder.embed(["A man is eating food.", "A man is eating a piece of bread.", "A man is riding a horse."])
    assert float(vectors[0] @ vectors[1]) == pytest.approx(0.7553, abs=1e-3)
    assert float(vectors[0] @ vectors[2]) == pytest.approx(0.2474, abs=1e-3)


def test_evaluate_prints_its_figures_as_json_last(capsys) -> None:
    evaluate.main(["--scorer", "quad.chat.scoring.lexical.LexicalScorer"])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    figures = json.loads(last)
    assert figures["scorer"] == "quad.chat.scoring.lexical.LexicalScorer"
    assert set(figures["categories"]) == set(CATEGORIES)
    assert figures["messages"] == len(load(EVALUATION))
