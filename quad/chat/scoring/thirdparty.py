"""Off-the-shelf filters behind the Scorer interface, for comparison (docs/moderation.md).

Neither package is in requirements.lock. alt-profanity-check brings scikit-learn, SciPy and numpy (about
270 MB installed) for a model of explicit abuse; safetype is a small rule engine (a 30 kB wheel, no
dependencies). The evaluation showed neither beats the lexical scorer on the five categories, so
neither is a default; install one by hand to measure it again (`pip install alt-profanity-check`).
"""

from __future__ import annotations

from importlib.util import find_spec
from typing import Any

from quad.chat.scoring.base import Score


def _needs(module: str, package: str) -> str:
    return "" if find_spec(module) else f"cannot run: {package} is not installed (pip install {package})."


class ProfanityCheckScorer:
    """alt-profanity-check's probability that a text is offensive. It knows no categories, so it guesses
    "abuse or unwanted attention" for anything it would flag."""

    name = "alt-profanity-check"

    @staticmethod
    def missing() -> str:
        return _needs("profanity_check", "alt-profanity-check")

    def __init__(self) -> None:
        from profanity_check import predict_prob

        self.predict_prob = predict_prob

    def score(self, texts: list[str]) -> list[Score]:
        if not texts:
            return []
        return [Score(round(float(p), 4), "unwanted_attention" if p >= 0.5 else "") for p in self.predict_prob(texts)]


# safetype's categories and severities on our scale: its "profanity" is swearing, which alone is ordinary.
_SAFETYPE_CATEGORY = {"hate": "discrimination", "harassment": "unwanted_attention", "sexual": "sexual_harassment"}
_SAFETYPE_WEIGHT = {
    "profanity": {"low": 0.1, "medium": 0.15, "high": 0.2, "critical": 0.3},
    "hate": {"low": 0.5, "medium": 0.7, "high": 0.85, "critical": 0.95},
    "harassment": {"low": 0.5, "medium": 0.7, "high": 0.85, "critical": 0.95},
    "sexual": {"low": 0.3, "medium": 0.5, "high": 0.85, "critical": 0.95},
}
# Its harassment rules that are really threats or bullying, by rule id.
_SAFETYPE_RULE_CATEGORY = {
    "en.harassment.self-harm": "bullying",
    "en.harassment.kys": "bullying",
    "en.harassment.go-die": "bullying",
    "en.harassment.nobody-likes": "bullying",
    "en.harassment.threat": "threats",
}


class SafeTypeScorer:
    """safetype's rule matches, weighted by category and severity."""

    name = "safetype"

    @staticmethod
    def missing() -> str:
        return _needs("safetype", "safetype")

    def __init__(self) -> None:
        from safetype import create_moderation_engine

        self.engine: Any = create_moderation_engine(mode="mask")

    def score(self, texts: list[str]) -> list[Score]:
        scores = []
        for text in texts:
            best = Score(0.0, "")
            for match in self.engine.moderate(text).matches:
                weight = _SAFETYPE_WEIGHT.get(match.category, {}).get(match.severity, 0.0)
                if weight > best.value:
                    category = _SAFETYPE_RULE_CATEGORY.get(match.rule_id, _SAFETYPE_CATEGORY.get(match.category, ""))
                    best = Score(weight, category)
            scores.append(best)
        return scores
