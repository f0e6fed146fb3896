"""An STV count by the Electoral Reform Society's 1997 rules (ERS97), in integer hundredths.

The rules, by paragraph:

- 5.1.6 quota = valid votes / (seats + 1) to two decimals; if the division is not exact, truncate and add 0.01.
- 5.1.7, 5.3.13, 5.4.9 a continuing candidate is deemed elected on reaching the quota, or the total active vote
  divided by one more than the places not yet filled; candidates are considered in descending order of votes.
- 5.2.2 surpluses are deferred while their total could not change which candidates are excluded next.
- 5.2.3 the largest surplus goes first; 5.3.1 a first-stage surplus takes all the papers, 5.3.2 a later one only
  the last batch received; 5.3.7 transfer value = surplus / transferable papers, truncated to hundredths (or
  the papers' present value if their total value does not exceed the surplus).
- 5.2.5 bulk exclusion of as many of the lowest candidates as possible; 5.4 their papers move in batches
  (sub-stages) in descending order of transfer value, with elections checked after each batch.
- 5.4.8 the quota is recalculated, ignoring the non-transferable vote, until someone has been elected.
- 5.2.3, 5.2.5, 5.6.2 ties: look back to the first stage, then each later point after a batch of papers was
  transferred, for the earliest at which the tied candidates had unequal votes; then a lot (seeded, recorded).
  5.6.2: candidates tied for the last places at every point are none of them deemed elected at that stage.
- 5.5.1 when an exclusion would leave only as many continuing candidates as places, they are deemed elected;
  5.5.2 once every place is filled, no more papers move and the rest are formally excluded.

Papers are never individual objects. Identical rankings are gathered into one weighted entry (a ranking as
bytes, one byte per candidate), and each candidate holds parcels (batches): parallel lists of rankings and
paper counts at one transfer value. Moving a parcel strips every elected and excluded candidate from all its
rankings in one ``bytes.translate`` and files each under its first remaining byte, so a stage costs only the
distinct rankings it moves; nothing is done per paper.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from operator import itemgetter, ne
from typing import Literal

from .model import (
    RON_MODES,
    Action,
    CountError,
    CountResult,
    Election,
    LotDraw,
    RonMode,
    Stage,
    SubStage,
    check_ranking,
    find_ron,
)

RULES = ("ers97",)
UNIT = 100  # one vote, in hundredths
_SEP = b"\xff"  # never a candidate: at most 255 candidates, numbered 0-254

CONTINUING, ELECTED, EXCLUDED, WITHDRAWN = range(4)


@dataclass(slots=True, eq=False)
class _Parcel:
    """A batch of papers at one transfer value: parallel lists of rankings and how many papers have each."""

    value: int  # transfer value of each paper, in hundredths
    keys: list[bytes]  # rankings, as bytes; the holder and everyone before it are elected or excluded
    weights: list[int]  # papers with each ranking
    count: int  # number of papers


def count(
    election: Election,
    *,
    rules: str = "ers97",
    ron: RonMode = "ordinary",
    ron_candidate: int | str | None = "auto",
    seed: int = 0,
) -> CountResult:
    """Count an election and return the full record.

    ``ron_candidate`` is the number of the re-open-nominations candidate, None for no RON, or "auto" for the
    one candidate named like RON. ``ron`` is "ordinary" (RON is counted like anyone; if elected, that seat is
    left vacant) or "protected" (RON is never excluded). ``seed`` seeds the lot for ties nothing else breaks.
    """
    ron_index = _check_options(election, rules, ron, ron_candidate)
    tally, total = _tally_ballots(election)
    if not _valid_tally(tally, len(election.candidates)):
        election.check_ballots()  # names the first bad ballot
        raise CountError("a ballot names a candidate who is not standing, or one candidate twice")
    return _Count(election, tally, total, ron, ron_index, seed).run()


def count_rankings(
    candidates: Sequence[str],
    seats: int,
    rankings: Iterable[Sequence[int]],
    *,
    withdrawn: Iterable[int] = (),
    title: str = "",
    rules: str = "ers97",
    ron: RonMode = "ordinary",
    ron_candidate: int | str | None = "auto",
    seed: int = 0,
) -> CountResult:
    """Count one ballot per ranking (a sequence of candidate numbers from 0, or bytes): the fast path for
    large counts, gathering identical rankings without building an Election's ballots. Options as for count()."""
    election = Election(tuple(candidates), seats, (), frozenset(withdrawn), title)
    ron_index = _check_options(election, rules, ron, ron_candidate)
    try:
        tally: dict[bytes, int] = Counter(map(bytes, rankings))
    except (TypeError, ValueError) as error:
        raise CountError(f"a ranking could not be read: rankings are lists of candidate numbers ({error})") from error
    n = len(election.candidates)
    if not _valid_tally(tally, n):
        for key in tally:
            check_ranking(tuple(key), n, f"the ranking {list(key)}")
    return _Count(election, tally, sum(tally.values()), ron, ron_index, seed).run()


def _check_options(election: Election, rules: str, ron: str, ron_candidate: int | str | None) -> int | None:
    """The RON candidate's number (or None), once the options are known to be good."""
    if rules not in RULES:
        raise CountError(f"unknown rules {rules!r}: this engine counts {', '.join(RULES)}")
    if ron not in RON_MODES:
        raise CountError(f"unknown RON convention {ron!r}: use {' or '.join(RON_MODES)}")
    if len(election.candidates) > 255:
        raise CountError("this engine counts at most 255 candidates")
    if ron_candidate == "auto":
        return find_ron(election.candidates)
    if ron_candidate is None:
        return None
    if isinstance(ron_candidate, int) and 0 <= ron_candidate < len(election.candidates):
        return ron_candidate
    raise CountError(f"RON candidate {ron_candidate!r} is not one of the candidates (a number from 0, None or 'auto')")


def _tally_ballots(election: Election) -> tuple[dict[bytes, int], int]:
    """Identical rankings gathered: {ranking as bytes: papers}, and the number of papers."""
    ballots = election.ballots
    weights = list(map(itemgetter(0), ballots))
    if weights and (set(map(type, weights)) != {int} or min(weights) < 1):
        election.check_ballots()  # names the bad ballot
    try:
        keys = list(map(bytes, map(itemgetter(1), ballots)))
    except (TypeError, ValueError) as error:
        election.check_ballots()
        raise CountError(f"a ballot could not be read: {error}") from error
    if not weights or max(weights) == 1:
        return Counter(keys), len(keys)
    tally: dict[bytes, int] = {}
    get = tally.get
    for key, weight in zip(keys, weights, strict=True):
        tally[key] = get(key, 0) + weight
    return tally, sum(weights)


def _valid_tally(tally: dict[bytes, int], n: int) -> bool:
    """Every distinct ranking names candidates 0..n-1, each at most once (checked in C-speed passes)."""
    out_of_range = b"".join(tally).translate(None, bytes(range(n)))
    return not out_of_range and not any(map(ne, map(len, map(set, tally)), map(len, tally)))


class _Count:
    def __init__(
        self,
        election: Election,
        tally: dict[bytes, int],
        total: int,
        ron_mode: RonMode,
        ron: int | None,
        seed: int,
    ) -> None:
        self.election = election
        self.names = election.candidates
        self.n = n = len(election.candidates)
        self.seats = election.seats
        self.withdrawn = sorted(election.withdrawn)
        self.tally = tally
        self.total = total
        self.ron = ron
        self.ron_mode = ron_mode
        self.seed = seed
        self.rng = random.Random(seed)
        self.status = [WITHDRAWN if c in election.withdrawn else CONTINUING for c in range(n)]
        self.votes = [0] * n
        self.parcels: list[list[_Parcel]] = [[] for _ in range(n)]
        self.nontransferable = 0
        self.loss = 0
        self.quota = 0
        self.threshold = 0
        self.valid = 0
        self.history: list[tuple[int, ...]] = []  # votes after the first stage and after each batch moved
        self.elected: list[int] = []
        self.excluded: list[int] = []
        self.stages: list[Stage] = []
        self.stage_lots: list[LotDraw] = []
        self.stage_notes: list[str] = []
        self.notes: list[str] = []

    # -- the papers ---------------------------------------------------------------------------------------

    def _first_stage_piles(self) -> tuple[list[_Parcel], int]:
        """Strip withdrawn candidates and sort the papers by first preference. Rankings are kept whole: by
        the time a candidate's papers move, that candidate (and anyone before it) is stripped out."""
        tally = self.tally
        if self.withdrawn:
            gone = bytes(self.withdrawn)
            stripped: dict[bytes, int] = {}
            for key, weight in tally.items():
                key = key.translate(None, gone)
                stripped[key] = stripped.get(key, 0) + weight
            tally = stripped
        invalid = tally.pop(b"", 0)
        piles: list[list[bytes]] = [[] for _ in range(self.n)]
        add = [pile.append for pile in piles]
        for key in tally:
            add[key[0]](key)
        parcels = []
        for keys in piles:
            weights = list(map(tally.__getitem__, keys))
            parcels.append(_Parcel(UNIT, keys, weights, sum(weights)))
        return parcels, invalid

    def _sort_papers(self, parcels: Iterable[_Parcel]) -> tuple[list[_Parcel], int]:
        """Sort papers to their next available preferences: a new parcel per candidate (at value 0 until
        credited), and the number of non-transferable papers."""
        dropped = bytes(c for c in range(self.n) if self.status[c] in (ELECTED, EXCLUDED))
        n = self.n
        keys: list[list[bytes]] = [[] for _ in range(n)]
        weights: list[list[int]] = [[] for _ in range(n)]
        add_key = [k.append for k in keys]
        add_weight = [w.append for w in weights]
        nontransferable = 0
        for parcel in parcels:
            if not parcel.keys:
                continue
            # Strip every elected and excluded candidate from all the parcel's rankings in one pass.
            remaining = _SEP.join(parcel.keys).translate(None, dropped).split(_SEP)
            for key, weight in zip(remaining, parcel.weights, strict=True):
                if key:
                    c = key[0]
                    add_key[c](key)
                    add_weight[c](weight)
                else:
                    nontransferable += weight
        return [_Parcel(0, k, w, sum(w)) for k, w in zip(keys, weights, strict=True)], nontransferable

    def _credit(self, sorted_papers: list[_Parcel], value: int) -> None:
        for c, parcel in enumerate(sorted_papers):
            if parcel.count:
                parcel.value = value
                self.parcels[c].append(parcel)
                self.votes[c] += value * parcel.count

    # -- helpers --------------------------------------------------------------------------------------------

    def continuing(self) -> list[int]:
        return [c for c in range(self.n) if self.status[c] == CONTINUING]

    def places_left(self) -> int:
        return self.seats - len(self.elected)

    def surplus(self, c: int) -> int:
        return max(0, self.votes[c] - self.quota) if self.status[c] == ELECTED else 0

    def active_vote(self) -> int:
        """Votes of continuing candidates plus votes awaiting transfer (surpluses, excluded candidates' papers)."""
        total = 0
        for c in range(self.n):
            if self.status[c] in (CONTINUING, EXCLUDED):
                total += self.votes[c]
            elif self.status[c] == ELECTED:
                total += self.surplus(c)
        return total

    def recalculate_quota(self) -> None:
        """5.1.6 (and 5.4.8 until someone is elected): truncate to hundredths, add 0.01 if inexact."""
        self.quota = -(-(self.valid - self.nontransferable) // (self.seats + 1))

    def look_back_key(self, c: int) -> tuple[int, ...]:
        """Votes now, then at each earlier point from the first stage on: comparing these tuples is the
        ERS97 tie-break by the earliest point at which tied candidates had unequal votes."""
        return (self.votes[c], *(point[c] for point in self.history))

    def break_tie(
        self, candidates: list[int], *, fewest: bool, stage: int, purpose: Literal["exclusion", "surplus"]
    ) -> int:
        """The candidate with the fewest (or most) votes; ties by looking back, then by lot."""
        keys = {c: self.look_back_key(c) for c in candidates}
        best = min(keys.values()) if fewest else max(keys.values())
        tied = sorted(c for c in candidates if keys[c] == best)
        if len(tied) == 1:
            return tied[0]
        chosen = self.rng.choice(tied)
        self.stage_lots.append(LotDraw(stage, purpose, tuple(tied), chosen, self.seed))
        return chosen

    def elect(self) -> list[int]:
        """Deem elected every continuing candidate at the quota or the active-vote threshold, highest first."""
        newly: list[int] = []
        while self.places_left() > 0:
            places = self.places_left()
            self.threshold = -(-self.active_vote() // (places + 1))
            bar = min(self.quota, self.threshold)
            qualified = [c for c in self.continuing() if self.votes[c] > 0 and self.votes[c] >= bar]
            if not qualified:
                break
            keys = {c: self.look_back_key(c) for c in qualified}
            groups: list[list[int]] = []
            for c in sorted(qualified, key=lambda c: (keys[c], -c), reverse=True):
                if groups and keys[groups[-1][0]] == keys[c]:
                    groups[-1].append(c)
                else:
                    groups.append([c])
            chosen: list[int] = []
            blocked = False
            for group in groups:
                if len(group) > places - len(chosen):
                    names = ", ".join(self.names[c] for c in group)
                    self.stage_notes.append(
                        f"{names} are tied at every point of the count for the last places: "
                        "none of them is deemed elected at this stage (ERS97 5.6.2)"
                    )
                    blocked = True
                    break
                chosen.extend(group)
            for c in chosen:
                self.status[c] = ELECTED
                self.elected.append(c)
            newly.extend(chosen)
            if blocked or not chosen:
                break
        return newly

    def sure_losers(self, surplus: int) -> list[int]:
        """5.2.5: the most of the lowest candidates who can be excluded together, given the deferred surplus:
        their votes plus the surplus must not exceed the vote of the candidate next above. Equal votes are
        never split. Under the protected convention RON is never among them."""
        continuing = sorted(self.continuing(), key=lambda c: self.votes[c])
        most = len(continuing) - self.places_left()
        clusters: list[list[int]] = []
        for c in continuing:
            if clusters and self.votes[clusters[-1][0]] == self.votes[c]:
                clusters[-1].append(c)
            else:
                clusters.append([c])
        losers: list[int] = []
        potential: list[int] = []
        total = surplus
        for i, cluster in enumerate(clusters[:-1]):
            for c in cluster:
                if not self.protected(c):
                    potential.append(c)
                    total += self.votes[c]
            if potential and total <= self.votes[clusters[i + 1][0]] and len(potential) <= most:
                losers = list(potential)
        return losers

    def protected(self, c: int) -> bool:
        return self.ron_mode == "protected" and c == self.ron

    # -- the stages -----------------------------------------------------------------------------------------

    def run(self) -> CountResult:
        piles, invalid = self._first_stage_piles()
        total = self.total
        for c, parcel in enumerate(piles):
            if parcel.count:
                self.parcels[c].append(parcel)
                self.votes[c] = UNIT * parcel.count
        self.valid = sum(self.votes)
        self.recalculate_quota()
        self.history.append(tuple(self.votes))
        self.begin_stage()
        if self.valid == 0:
            self.notes.append("There are no valid votes.")
            elected: list[int] = []
        else:
            elected = self.elect()
        previous = (tuple([0] * self.n), 0, 0)
        self.end_stage("first", (), previous, elected)

        while self.places_left() > 0:
            number = len(self.stages) + 1
            continuing = self.continuing()
            if len(continuing) <= self.places_left():
                self.complete_by_election(continuing, "only as many continuing candidates as places remain")
                break
            if self.valid == 0:
                self.notes.append("No one is elected without valid votes; every seat is left vacant.")
                break
            surpluses = {c: self.surplus(c) for c in self.elected if self.surplus(c) > 0}
            total_surplus = sum(surpluses.values())
            losers = self.sure_losers(total_surplus)
            if total_surplus and not losers:
                self.transfer_surplus(number, list(surpluses))
                continue
            deferred = tuple(sorted(surpluses)) if total_surplus else ()
            if not losers:
                self.begin_stage()
                eligible = [c for c in continuing if not self.protected(c)]
                losers = [self.break_tie(eligible, fewest=True, stage=number, purpose="exclusion")]
            else:
                self.begin_stage()
            self.exclude(number, sorted(losers), deferred)

        if self.places_left() == 0:
            rest = self.continuing()
            if rest and self.stages:
                for c in rest:
                    self.status[c] = EXCLUDED
                    self.excluded.append(c)
                last = self.stages[-1]
                self.stages[-1] = replace(last, formally_excluded=tuple(rest))
        return self.result(total, invalid)

    def begin_stage(self) -> None:
        self.stage_lots = []
        self.stage_notes = []

    def end_stage(
        self,
        action: Action,
        subjects: tuple[int, ...],
        previous: tuple[tuple[int, ...], int, int],
        elected: list[int],
        *,
        transfer_value: int | None = None,
        transferable_papers: int = 0,
        substages: tuple[SubStage, ...] = (),
        deferred: tuple[int, ...] = (),
    ) -> None:
        before, nontransferable, loss = previous
        totals = tuple(self.votes)
        self.stages.append(
            Stage(
                number=len(self.stages) + 1,
                action=action,
                subjects=subjects,
                transfers=tuple(t - b for t, b in zip(totals, before, strict=True)),
                totals=totals,
                nontransferable=self.nontransferable,
                nontransferable_change=self.nontransferable - nontransferable,
                loss_of_fractions=self.loss,
                loss_of_fractions_change=self.loss - loss,
                quota=self.quota,
                threshold=self.threshold,
                elected=tuple(elected),
                lots=tuple(self.stage_lots),
                notes=tuple(self.stage_notes),
                transfer_value=transfer_value,
                transferable_papers=transferable_papers,
                substages=substages,
                deferred=deferred,
            )
        )

    def snapshot(self) -> tuple[tuple[int, ...], int, int]:
        return tuple(self.votes), self.nontransferable, self.loss

    def transfer_surplus(self, number: int, candidates: list[int]) -> None:
        """5.3: transfer the largest surplus from the candidate's last batch of papers."""
        self.begin_stage()
        previous = self.snapshot()
        largest = max(self.surplus(c) for c in candidates)
        c = self.break_tie(
            [c for c in candidates if self.surplus(c) == largest], fewest=False, stage=number, purpose="surplus"
        )
        surplus = self.surplus(c)
        parcel = self.parcels[c][-1]
        sorted_papers, _ = self._sort_papers([parcel])
        transferable = sum(p.count for p in sorted_papers)
        if transferable and transferable * parcel.value > surplus:
            value = surplus // transferable
            self.loss += surplus - value * transferable
        else:
            value = parcel.value
            self.nontransferable += surplus - value * transferable
        if not transferable:
            self.stage_notes.append("No paper has a next available preference: the surplus is non-transferable.")
        elif value:
            self._credit(sorted_papers, value)
        else:
            self.stage_notes.append("The transfer value truncates to 0.00: no value moves.")
        self.votes[c] = self.quota
        self.parcels[c] = []  # an elected candidate's papers never move again
        self.history.append(tuple(self.votes))
        elected = self.elect()
        self.end_stage(
            "surplus",
            (c,),
            previous,
            elected,
            transfer_value=value if transferable else None,
            transferable_papers=transferable,
        )

    def exclude(self, number: int, losers: list[int], deferred: tuple[int, ...]) -> None:
        """5.4: exclude candidates together and move their papers in batches, highest transfer value first."""
        previous = self.snapshot()
        for c in losers:
            self.status[c] = EXCLUDED
            self.excluded.append(c)
        if deferred:
            self.stage_notes.append(
                "Surplus of " + " and ".join(self.names[c] for c in deferred) + " deferred (ERS97 5.2.2)"
            )
        continuing = self.continuing()
        if len(continuing) <= self.places_left():
            # 5.5.1: the remaining continuing candidates are deemed elected; no papers move.
            self.stage_notes.append(
                "Only as many continuing candidates as places remain: they are deemed elected (ERS97 5.5.1)"
            )
            self.end_stage("exclusion", tuple(losers), previous, self.deem_elected(continuing), deferred=deferred)
            return
        by_value: dict[int, list[tuple[int, _Parcel]]] = {}
        for c in losers:
            for parcel in self.parcels[c]:
                by_value.setdefault(parcel.value, []).append((c, parcel))
        substages: list[SubStage] = []
        elected: list[int] = []
        for value in sorted(by_value, reverse=True):
            before = tuple(self.votes)
            batch = by_value[value]
            papers = 0
            for c, parcel in batch:
                self.votes[c] -= value * parcel.count
                papers += parcel.count
                self.parcels[c] = [p for p in self.parcels[c] if p is not parcel]
            sorted_papers, nontransferable = self._sort_papers(parcel for _, parcel in batch)
            self._credit(sorted_papers, value)
            self.nontransferable += value * nontransferable
            self.history.append(tuple(self.votes))
            if not self.elected:
                self.recalculate_quota()
            newly = self.elect()
            elected.extend(newly)
            substages.append(
                SubStage(
                    transfer_value=value,
                    papers=papers,
                    transfers=tuple(t - b for t, b in zip(self.votes, before, strict=True)),
                    totals=tuple(self.votes),
                    nontransferable=value * nontransferable,
                    quota=self.quota,
                    threshold=self.threshold,
                    elected=tuple(newly),
                )
            )
            if self.places_left() == 0:
                break
        if not by_value:
            elected = self.elect()
        self.end_stage("exclusion", tuple(losers), previous, elected, substages=tuple(substages), deferred=deferred)

    def deem_elected(self, candidates: list[int]) -> list[int]:
        ordered = sorted(candidates, key=lambda c: (self.look_back_key(c), -c), reverse=True)
        for c in ordered:
            self.status[c] = ELECTED
            self.elected.append(c)
        return ordered

    def complete_by_election(self, continuing: list[int], why: str) -> None:
        """4.3: as many continuing candidates as places (or fewer) remain after a stage: all are elected."""
        elected = self.deem_elected(continuing)
        last = self.stages[-1]
        note = f"{why}: " + ", ".join(self.names[c] for c in elected) + " deemed elected"
        self.stages[-1] = replace(last, elected=last.elected + tuple(elected), notes=(*last.notes, note))

    def result(self, total: int, invalid: int) -> CountResult:
        words = {CONTINUING: "not elected", ELECTED: "elected", EXCLUDED: "excluded", WITHDRAWN: "withdrawn"}
        status = [words[s] for s in self.status]
        notes = list(self.notes)
        if self.ron is not None and self.ron in self.elected:
            notes.append(f"{self.names[self.ron]} (re-open nominations) is elected: that seat is left vacant.")
        unfilled = self.seats - len(self.elected)
        if unfilled:
            notes.append(f"{unfilled} seat{'s are' if unfilled != 1 else ' is'} left unfilled.")
        return CountResult(
            title=self.election.title,
            candidates=self.names,
            seats=self.seats,
            rules="ers97",
            seed=self.seed,
            ron_candidate=self.ron,
            ron_mode=self.ron_mode,
            withdrawn=tuple(sorted(self.election.withdrawn)),
            ballots=total,
            invalid_ballots=invalid,
            valid_votes=self.valid,
            stages=tuple(self.stages),
            elected=tuple(self.elected),
            excluded=tuple(self.excluded),
            status=tuple(status),
            notes=tuple(notes),
        )
