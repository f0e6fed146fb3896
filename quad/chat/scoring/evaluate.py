"""Measure a scorer on the held-out evaluation set: precision and recall, overall and per category.

    .venv/bin/python -m quad.chat.scoring.evaluate [--scorer dotted.path] [--threshold 0.5]

With no --scorer, CHAT_SCORER's; with no --threshold, CHAT_FLAG_THRESHOLD's. A message counts as flagged
when its score is at or above the threshold. The last line printed is a JSON object of the figures
(docs/moderation.md quotes them, and a test holds the default scorer to them).

- abusive: every message of the five categories against ordinary chat. precision: of the flagged
  messages, the share that are abusive; recall: of the abusive messages, the share flagged.
- per category, as the review queue would show it: precision, of the messages flagged *with that
  category*, the share that are of it; recall, the share of the category's messages flagged with it;
  flagged, the share flagged at all (whatever category guessed), which is what gets a person to look.
- ordinary: the share of each kind of ordinary message flagged (swearing, banter...), and nudged by the
  fast check before posting.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import defaultdict
from typing import Any

from quad.chat.scoring.base import CATEGORIES, ORDINARY, Score, Scorer
from quad.chat.scoring.data import EVALUATION, Example, load


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def figures(examples: list[Example], scores: list[Score], *, threshold: float) -> dict[str, Any]:
    """The evaluation's figures for `scores` (one per example, in order) flagged at `threshold`."""
    flagged = [score.value >= threshold for score in scores]
    abusive = [example.category != ORDINARY for example in examples]
    hits = sum(f and a for f, a in zip(flagged, abusive, strict=True))
    result: dict[str, Any] = {
        "threshold": threshold,
        "messages": len(examples),
        "abusive": {
            "n": sum(abusive),
            "precision": _share(hits, sum(flagged)),
            "recall": _share(hits, sum(abusive)),
        },
        "categories": {},
        "ordinary_flagged": {},
    }
    for category in CATEGORIES:
        members = [i for i, e in enumerate(examples) if e.category == category]
        named = [i for i, s in enumerate(scores) if flagged[i] and s.category == category]
        right = [i for i in named if examples[i].category == category]
        result["categories"][category] = {
            "n": len(members),
            "precision": _share(len(right), len(named)),
            "recall": _share(len(right), len(members)),
            "flagged": _share(sum(flagged[i] for i in members), len(members)),
        }
    for kind in ("explicit", "implicit"):
        members = [i for i, e in enumerate(examples) if e.category != ORDINARY and e.kind == kind]
        result["abusive"][f"recall_{kind}"] = _share(sum(flagged[i] for i in members), len(members))
    kinds: dict[str, list[int]] = defaultdict(list)
    for i, example in enumerate(examples):
        if example.category == ORDINARY:
            kinds[example.kind].append(i)
    for kind, members in kinds.items():
        result["ordinary_flagged"][kind] = _share(sum(flagged[i] for i in members), len(members))
    return result


def nudge_figures(examples: list[Example], *, threshold: float) -> dict[str, float]:
    """How often the fast check before posting would nudge: abusive messages, and ordinary swearing."""
    from quad.chat.scoring import fast_score

    nudged = [fast_score(e.text).value >= threshold for e in examples]
    groups = {
        "abusive": [i for i, e in enumerate(examples) if e.category != ORDINARY],
        "ordinary": [i for i, e in enumerate(examples) if e.category == ORDINARY],
        "swearing": [i for i, e in enumerate(examples) if e.kind == "swearing"],
    }
    return {name: _share(sum(nudged[i] for i in members), len(members)) for name, members in groups.items()}


def evaluate(scorer: Scorer, *, threshold: float, examples: list[Example] | None = None) -> dict[str, Any]:
    examples = load(EVALUATION) if examples is None else examples
    started = time.perf_counter()
    scores = scorer.score([e.text for e in examples])
    elapsed = time.perf_counter() - started
    result = figures(examples, scores, threshold=threshold)
    result["ms_per_message"] = round(elapsed / max(len(examples), 1) * 1000, 3)
    return result


def report(name: str, result: dict[str, Any]) -> str:
    abusive = result["abusive"]
    lines = [
        f"{name} on {result['messages']} messages, flagged at {result['threshold']}",
        f"  abusive (n={abusive['n']}): precision {abusive['precision']:.0%}, recall {abusive['recall']:.0%} "
        f"(explicit {abusive['recall_explicit']:.0%}, implicit {abusive['recall_implicit']:.0%})",
        f"  {'category':<30}{'n':>4}{'precision':>11}{'recall':>8}{'flagged':>9}",
    ]
    for key, row in result["categories"].items():
        lines.append(
            f"  {CATEGORIES[key]:<30}{row['n']:>4}{row['precision']:>11.0%}{row['recall']:>8.0%}{row['flagged']:>9.0%}"
        )
    ordinary = ", ".join(f"{kind} {share:.0%}" for kind, share in result["ordinary_flagged"].items())
    lines.append(f"  ordinary messages flagged: {ordinary}")
    if "nudge" in result:
        nudge = result["nudge"]
        lines.append(
            f"  fast check before posting nudges: abusive {nudge['abusive']:.0%}, ordinary {nudge['ordinary']:.0%} "
            f"(swearing {nudge['swearing']:.0%})"
        )
    lines.append(f"  {result['ms_per_message']} ms a message")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quad.settings")
    from django.conf import settings

    from quad.chat.scoring import get_scorer

    parser = argparse.ArgumentParser(description="Measure a chat scorer on the held-out evaluation set.")
    parser.add_argument("--scorer", default="", help="dotted path of a Scorer class (default: CHAT_SCORER)")
    parser.add_argument("--threshold", type=float, default=None, help="default: CHAT_FLAG_THRESHOLD")
    args = parser.parse_args(argv)
    path = args.scorer or settings.CHAT_SCORER
    threshold = settings.CHAT_FLAG_THRESHOLD if args.threshold is None else args.threshold
    result = evaluate(get_scorer(path), threshold=threshold)
    result["scorer"] = path
    result["nudge"] = nudge_figures(load(EVALUATION), threshold=settings.CHAT_NUDGE_THRESHOLD)
    print(report(path, result))
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
