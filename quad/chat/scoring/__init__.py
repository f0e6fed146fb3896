"""Automatic flagging of chat messages: a nudge before posting, a flag for the moderators after.

Two checks, on one 0..1 scale (docs/moderation.md):

- `nudge(text)`, before posting: the lexical patterns alone, a few microseconds. At or above
  CHAT_NUDGE_THRESHOLD the poster is asked, kindly, whether to post anyway. It never refuses.
- `score_message` (tasks.py), after saving and off the request path: the scorer CHAT_SCORER names. At or
  above CHAT_FLAG_THRESHOLD the message joins the moderators' review queue (`flagged_at`). Nothing is
  hidden or deleted automatically: a person decides (quad.conduct).

A scorer is any class with `score(texts: list[str]) -> list[Score]`; the shipped ones are
`lexical.LexicalScorer` (the default, nothing to install), `semantic.SemanticScorer` (the optional
semantic extra: `make semantic`), and for comparison `thirdparty.ProfanityCheckScorer`
(alt-profanity-check) and `thirdparty.SafeTypeScorer` (safetype). `python -m quad.chat.scoring.evaluate`
measures any of them on the held-out evaluation set.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from quad.chat.scoring import lexical
from quad.chat.scoring.base import CATEGORIES, ORDINARY, Score, Scorer

__all__ = ["CATEGORIES", "DEFAULT_SCORER", "ORDINARY", "Score", "Scorer", "fast_score", "get_scorer", "nudge"]

DEFAULT_SCORER = "quad.chat.scoring.lexical.LexicalScorer"


@lru_cache(maxsize=4)
def _load(path: str) -> Scorer:
    # Once a process: the semantic scorer reads ~90 MB of weights when it is made.
    scorer: Scorer = import_string(path)()
    return scorer


def get_scorer(path: str = "") -> Scorer:
    """The scorer `path` names (a dotted path to a class), or CHAT_SCORER's."""
    return _load(path or settings.CHAT_SCORER)


def fast_score(text: str) -> Score:
    """The lexical check: cheap enough for the request path (well under a millisecond a message)."""
    return lexical.check(text)


def nudge(text: str) -> str:
    """A kind question to show before posting `text`, or "" when there is nothing to ask.

    The poster may post anyway: this only asks. Whatever they do, the background scorer looks again.
    """
    found = fast_score(text)
    if found.value < settings.CHAT_NUDGE_THRESHOLD:
        return ""
    reading = CATEGORIES.get(found.category)
    might = f"It might come across as {reading} and" if reading else "It might"
    return f"{might} break this group's guidelines. Post it anyway, or change it first?"
