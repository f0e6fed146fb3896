"""The labelled messages: training exemplars and the held-out evaluation set (docs/moderation.md).

Both are CSV files with a header `category,kind,text`: `category` is a key of CATEGORIES or "ordinary";
`kind` says what sort of message it is (for ordinary chat: chat, swearing, banter, disagreement...; for the
five categories: explicit, or implicit — no abusive word in it).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXEMPLARS = HERE / "exemplars.csv"
EVALUATION = HERE / "evaluation.csv"


@dataclass(frozen=True)
class Example:
    category: str
    kind: str
    text: str


def load(path: Path) -> list[Example]:
    with path.open(newline="", encoding="utf-8") as file:
        return [Example(row["category"], row["kind"], row["text"]) for row in csv.DictReader(file)]
