"""The data the counting engine takes and gives back: an election's ballots and the full count record.

Every vote value is an integer number of hundredths (``190325`` is 1903.25); nothing here uses floats.
Candidates are numbered from 0 in the order of ``Election.candidates`` (BLT files number them from 1).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Ballot = tuple[int, tuple[int, ...]]
"""A weighted ballot: (how many identical papers, candidate numbers in order of preference)."""

Action = Literal["first", "surplus", "exclusion"]
RonMode = Literal["ordinary", "protected"]
RON_MODES: tuple[RonMode, ...] = ("ordinary", "protected")

_RON_NAMES = {"ron", "reopennominations", "reopennominationsron", "ronreopennominations"}


class CountError(ValueError):
    """The ballots or options cannot be counted; the message says why."""


def hundredths(value: int) -> str:
    """1903.25 from 190325; -52.15 from -5215."""
    sign = "-" if value < 0 else ""
    whole, part = divmod(abs(value), 100)
    return f"{sign}{whole}.{part:02d}"


def is_ron_name(name: str) -> bool:
    """True for "RON", "R.O.N.", "Re-open nominations" and the like."""
    return re.sub(r"[^a-z]", "", name.lower()) in _RON_NAMES


def find_ron(candidates: Sequence[str]) -> int | None:
    """The number of the one candidate named RON (re-open nominations), or None."""
    found = [i for i, name in enumerate(candidates) if is_ron_name(name)]
    if len(found) > 1:
        raise CountError(f"more than one candidate is named like RON: {', '.join(candidates[i] for i in found)}")
    return found[0] if found else None


@dataclass(frozen=True)
class Election:
    """What is counted: candidate names, seats, weighted ballots, withdrawn candidates and a title."""

    candidates: tuple[str, ...]
    seats: int
    ballots: tuple[Ballot, ...]
    withdrawn: frozenset[int] = frozenset()
    title: str = ""

    def __post_init__(self) -> None:
        if not self.candidates:
            raise CountError("an election needs at least one candidate")
        if self.seats < 1:
            raise CountError(f"an election needs at least one seat, not {self.seats}")
        for c in self.withdrawn:
            if not 0 <= c < len(self.candidates):
                raise CountError(f"withdrawn candidate {c + 1} is not one of the {len(self.candidates)} candidates")

    @classmethod
    def from_rankings(
        cls,
        candidates: Sequence[str],
        seats: int,
        rankings: Iterable[Sequence[int]],
        *,
        withdrawn: Iterable[int] = (),
        title: str = "",
    ) -> Election:
        """One ballot per ranking, identical rankings gathered into one weighted ballot."""
        tally = Counter(map(tuple, rankings))
        return cls(
            candidates=tuple(candidates),
            seats=seats,
            ballots=tuple((weight, ranking) for ranking, weight in tally.items()),
            withdrawn=frozenset(withdrawn),
            title=title,
        )

    @property
    def ballot_count(self) -> int:
        return sum(weight for weight, _ in self.ballots)

    def check_ballots(self) -> None:
        """Raise CountError naming the first ballot that is not a positive weight and a valid ranking."""
        n = len(self.candidates)
        for index, (weight, ranking) in enumerate(self.ballots, start=1):
            if not isinstance(weight, int) or isinstance(weight, bool) or weight < 1:
                raise CountError(f"ballot {index}: the weight must be a whole number of at least 1, not {weight!r}")
            check_ranking(ranking, n, f"ballot {index}")


def check_ranking(ranking: Sequence[int], n: int, where: str) -> None:
    seen: set[int] = set()
    for c in ranking:
        if not isinstance(c, int) or isinstance(c, bool) or not 0 <= c < n:
            raise CountError(f"{where}: {c!r} is not a candidate number from 0 to {n - 1}")
        if c in seen:
            raise CountError(f"{where}: candidate {c} is ranked twice")
        seen.add(c)


@dataclass(frozen=True)
class LotDraw:
    """A tie that looking back through the count could not break, decided by a seeded lot."""

    stage: int
    purpose: Literal["exclusion", "surplus"]
    tied: tuple[int, ...]
    chosen: int
    seed: int


@dataclass(frozen=True)
class SubStage:
    """One batch of an exclusion: the excluded candidates' papers of one transfer value."""

    transfer_value: int
    papers: int
    transfers: tuple[int, ...]
    totals: tuple[int, ...]
    nontransferable: int
    """Value of papers set aside as non-transferable in this batch."""
    quota: int
    threshold: int
    elected: tuple[int, ...]


@dataclass(frozen=True)
class Stage:
    """One stage of the count: the first count, a surplus transfer, or an exclusion (bulk or single)."""

    number: int
    action: Action
    subjects: tuple[int, ...]
    """Whose surplus is transferred, or who is excluded; empty at the first stage."""
    transfers: tuple[int, ...]
    """Change in each candidate's vote at this stage."""
    totals: tuple[int, ...]
    """Each candidate's vote at the end of the stage (excluded candidates hold any untransferred papers)."""
    nontransferable: int
    """Non-transferable papers' value so far (the non-transferable vote, without loss of fractions)."""
    nontransferable_change: int
    loss_of_fractions: int
    """Value lost so far by truncating transfer values to hundredths (the non-transferable difference)."""
    loss_of_fractions_change: int
    quota: int
    threshold: int
    """Active vote / (places left + 1), rounded up: the last election test made at this stage."""
    elected: tuple[int, ...] = ()
    """Deemed elected at this stage, in order."""
    transfer_value: int | None = None
    """Surplus stages: the value each transferred paper carried."""
    transferable_papers: int = 0
    substages: tuple[SubStage, ...] = ()
    deferred: tuple[int, ...] = ()
    """Elected candidates whose surpluses were deferred when this exclusion was chosen."""
    formally_excluded: tuple[int, ...] = ()
    """Continuing candidates excluded when the count ended (ERS97 5.5.2)."""
    lots: tuple[LotDraw, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def excluded(self) -> tuple[int, ...]:
        return self.subjects if self.action == "exclusion" else ()


@dataclass(frozen=True)
class CountResult:
    """The full record of a count: every stage, the order of election, lots drawn and vacant seats."""

    title: str
    candidates: tuple[str, ...]
    seats: int
    rules: str
    seed: int
    ron_candidate: int | None
    ron_mode: RonMode
    withdrawn: tuple[int, ...]
    ballots: int
    """Papers counted, valid or not."""
    invalid_ballots: int
    """Papers with no preference for a candidate who has not withdrawn."""
    valid_votes: int
    """In hundredths."""
    stages: tuple[Stage, ...]
    elected: tuple[int, ...]
    """Everyone deemed elected, RON included, in order of election."""
    excluded: tuple[int, ...]
    """In order of exclusion, formal exclusions at the end last."""
    status: tuple[str, ...]
    """Per candidate: "elected", "excluded", "withdrawn"."""
    notes: tuple[str, ...] = field(default=())

    @property
    def quota(self) -> int:
        return self.stages[0].quota

    @property
    def final_quota(self) -> int:
        return self.stages[-1].quota

    @property
    def winners(self) -> tuple[int, ...]:
        """Who takes a seat, in order of election: the elected without RON."""
        return tuple(c for c in self.elected if c != self.ron_candidate)

    @property
    def ron_elected(self) -> bool:
        return self.ron_candidate is not None and self.ron_candidate in self.elected

    @property
    def vacant_seats(self) -> int:
        """Seats left for re-opened nominations: RON elected, or too few candidates."""
        return self.seats - len(self.winners)

    @property
    def lots(self) -> tuple[LotDraw, ...]:
        return tuple(lot for stage in self.stages for lot in stage.lots)

    def winner_names(self) -> list[str]:
        return [self.candidates[c] for c in self.winners]

    def elected_at(self, candidate: int) -> int | None:
        """The stage at which a candidate was deemed elected, or None."""
        for stage in self.stages:
            if candidate in stage.elected:
                return stage.number
        return None

    def excluded_at(self, candidate: int) -> int | None:
        for stage in self.stages:
            if candidate in stage.subjects and stage.action == "exclusion":
                return stage.number
            if candidate in stage.formally_excluded:
                return stage.number
        return None

    def describe(self, stage: Stage) -> str:
        subjects = [self.candidates[c] for c in stage.subjects]
        names = " and ".join([", ".join(subjects[:-1]), subjects[-1]] if len(subjects) > 1 else subjects)
        if stage.action == "first":
            return "First preferences"
        if stage.action == "surplus":
            return f"Surplus of {names}"
        return f"Exclusion of {names}"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; vote values as exact decimal strings ("1903.25")."""
        names = self.candidates

        def values(row: Sequence[int]) -> dict[str, str]:
            return {names[c]: hundredths(v) for c, v in enumerate(row) if c not in self.withdrawn}

        def lot(draw: LotDraw) -> dict[str, Any]:
            return {
                "stage": draw.stage,
                "purpose": draw.purpose,
                "tied": [names[c] for c in draw.tied],
                "chosen": names[draw.chosen],
                "seed": draw.seed,
            }

        stages = []
        for stage in self.stages:
            stages.append(
                {
                    "stage": stage.number,
                    "action": stage.action,
                    "description": self.describe(stage),
                    "subjects": [names[c] for c in stage.subjects],
                    "transfer_value": None if stage.transfer_value is None else hundredths(stage.transfer_value),
                    "transfers": values(stage.transfers),
                    "totals": values(stage.totals),
                    "non_transferable": hundredths(stage.nontransferable),
                    "loss_of_fractions": hundredths(stage.loss_of_fractions),
                    "quota": hundredths(stage.quota),
                    "threshold": hundredths(stage.threshold),
                    "elected": [names[c] for c in stage.elected],
                    "excluded": [names[c] for c in stage.excluded],
                    "formally_excluded": [names[c] for c in stage.formally_excluded],
                    "deferred_surpluses": [names[c] for c in stage.deferred],
                    "substages": [
                        {
                            "transfer_value": hundredths(sub.transfer_value),
                            "papers": sub.papers,
                            "transfers": values(sub.transfers),
                            "totals": values(sub.totals),
                            "non_transferable": hundredths(sub.nontransferable),
                            "quota": hundredths(sub.quota),
                            "threshold": hundredths(sub.threshold),
                            "elected": [names[c] for c in sub.elected],
                        }
                        for sub in stage.substages
                    ],
                    "lots": [lot(draw) for draw in stage.lots],
                    "notes": list(stage.notes),
                }
            )
        return {
            "title": self.title,
            "rules": self.rules,
            "seats": self.seats,
            "candidates": list(names),
            "withdrawn": [names[c] for c in self.withdrawn],
            "ron": None if self.ron_candidate is None else names[self.ron_candidate],
            "ron_mode": self.ron_mode,
            "seed": self.seed,
            "ballots": self.ballots,
            "invalid_ballots": self.invalid_ballots,
            "valid_votes": hundredths(self.valid_votes),
            "quota": hundredths(self.quota),
            "elected": [
                {"candidate": names[c], "stage": self.elected_at(c), "ron": c == self.ron_candidate}
                for c in self.elected
            ],
            "winners": [names[c] for c in self.winners],
            "vacant_seats": self.vacant_seats,
            "excluded": [names[c] for c in self.excluded],
            "lots": [lot(draw) for draw in self.lots],
            "notes": list(self.notes),
            "stages": stages,
        }
