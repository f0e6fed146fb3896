"""What every scorer gives: a score between 0 and 1 and its best guess at the category."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# The union's five zero-tolerance categories (guidance O16), keyed as the data files write them.
CATEGORIES: dict[str, str] = {
    "sexual_harassment": "sexual harassment",
    "discrimination": "discrimination",
    "unwanted_attention": "abuse or unwanted attention",
    "threats": "threats or violence",
    "bullying": "bullying",
}
ORDINARY = "ordinary"


@dataclass(frozen=True)
class Score:
    """`value`: 0 (plainly fine) to 1 (plainly abusive). `category`: a key of CATEGORIES, or "" for none."""

    value: float
    category: str = ""


class Scorer(Protocol):
    """Anything with this method can score chat messages; CHAT_SCORER names the class."""

    def score(self, texts: list[str]) -> list[Score]:
        """One Score a text, in order. May be slow (it runs in the background), must not touch the network."""
        ...
