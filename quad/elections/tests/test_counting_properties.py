"""Properties every ERS97 count must have, over random small elections (hypothesis)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from quad.elections.counting import CountResult, Election, count

SETTINGS = settings(max_examples=150, deadline=None)


@st.composite
def elections(draw: st.DrawFn) -> Election:
    n = draw(st.integers(1, 7))
    seats = draw(st.integers(1, 4))
    ballots = []
    for _ in range(draw(st.integers(0, 25))):
        ranking = draw(st.permutations(range(n)))[: draw(st.integers(0, n))]
        ballots.append((draw(st.integers(1, 6)), tuple(ranking)))
    withdrawn = draw(st.frozensets(st.integers(0, n - 1), max_size=max(0, n - 1)))
    names = tuple("RON" if i == n - 1 and n > 2 else f"C{i}" for i in range(n))
    return Election(names, seats, tuple(ballots), withdrawn, "property")


options = st.fixed_dictionaries({"ron": st.sampled_from(["ordinary", "protected"]), "seed": st.integers(0, 3)})


def every_point(result: CountResult) -> Iterator[tuple[tuple[int, ...], int]]:
    """(totals, non-transferable + loss of fractions) after every stage and every batch of every exclusion."""
    for stage in result.stages:
        base = stage.nontransferable + stage.loss_of_fractions - sum(sub.nontransferable for sub in stage.substages)
        running = base
        for sub in stage.substages:
            running += sub.nontransferable
            yield sub.totals, running
        yield stage.totals, stage.nontransferable + stage.loss_of_fractions


@SETTINGS
@given(elections(), options)
def test_never_more_winners_than_seats(election: Election, opts: dict[str, Any]) -> None:
    result = count(election, **opts)
    assert len(result.elected) <= election.seats
    assert len(result.winners) + result.vacant_seats == election.seats
    assert len(set(result.elected)) == len(result.elected)
    assert not set(result.elected) & set(result.excluded)
    assert not set(result.elected) & election.withdrawn
    standing = len(election.candidates) - len(election.withdrawn)
    if result.valid_votes:
        # Every place is filled, or every standing candidate is elected.
        assert len(result.elected) == min(election.seats, standing)


@SETTINGS
@given(elections(), options)
def test_votes_are_conserved_at_every_stage(election: Election, opts: dict[str, Any]) -> None:
    """elected + continuing + (excluded candidates' untransferred papers) + non-transferable + loss of
    fractions = valid votes, in hundredths, after every stage and batch; excluded candidates hold nothing
    once their exclusion is complete, and the elected receive nothing more."""
    result = count(election, **opts)
    for totals, lost in every_point(result):
        assert sum(totals) + lost == result.valid_votes
        assert all(v >= 0 for v in totals)
        assert all(totals[c] == 0 for c in election.withdrawn)
    assert sum(result.stages[0].totals) == result.valid_votes
    for stage in result.stages[:-1]:
        for c in result.excluded:
            if (result.excluded_at(c) or 0) <= stage.number:
                assert stage.totals[c] == 0
    for stage in result.stages:
        for c in result.elected:
            at = result.elected_at(c)
            if at is not None and at < stage.number:
                assert stage.transfers[c] <= 0
        assert stage.loss_of_fractions >= 0 and stage.nontransferable >= 0


@SETTINGS
@given(elections(), options, st.randoms(use_true_random=False))
def test_reordering_or_splitting_ballots_never_changes_the_result(
    election: Election,
    opts: dict[str, Any],
    rnd: random.Random,
) -> None:
    ballots = list(election.ballots)
    rnd.shuffle(ballots)
    split = []
    for weight, ranking in ballots:  # a weight-3 ballot as three separate papers, in scattered places
        split.extend([(1, ranking)] * weight if rnd.random() < 0.5 else [(weight, ranking)])
    rnd.shuffle(split)
    reordered = Election(election.candidates, election.seats, tuple(split), election.withdrawn, election.title)
    assert count(reordered, **opts).to_dict() == count(election, **opts).to_dict()


@SETTINGS
@given(elections())
def test_single_seat_winner_has_a_majority_of_the_continuing_vote_or_wins_by_completion(election: Election) -> None:
    single = Election(election.candidates, 1, election.ballots, election.withdrawn)
    result = count(single, ron_candidate=None)
    if not result.elected or not result.valid_votes:
        return
    (winner,) = result.elected
    at = result.elected_at(winner)
    assert at is not None
    stage = result.stages[at - 1]
    others = sum(v for c, v in enumerate(stage.totals) if c != winner and result.status[c] != "withdrawn")
    # At election the winner holds at least as much as everyone else still in the count put together,
    # unless the count ended because only the winner was left standing.
    assert stage.totals[winner] >= others or any("5.5.1" in n or "remain" in n for n in stage.notes)


def plain_instant_runoff(election: Election) -> int | None:
    """One-at-a-time instant runoff, giving up (None) on any tie: what a single-seat ERS97 count must match."""
    continuing = set(range(len(election.candidates))) - election.withdrawn
    while continuing:
        tally = dict.fromkeys(continuing, 0)
        for weight, ranking in election.ballots:
            for c in ranking:
                if c in continuing:
                    tally[c] += weight
                    break
        active = sum(tally.values())
        if not active:
            return None
        ranked = sorted(continuing, key=lambda c: tally[c], reverse=True)
        if 2 * tally[ranked[0]] >= active:
            if len(ranked) > 1 and 2 * tally[ranked[1]] >= active:
                return None
            return ranked[0]
        lowest = [c for c in continuing if tally[c] == tally[ranked[-1]]]
        if len(lowest) > 1:
            return None
        continuing.remove(lowest[0])
    return None


@SETTINGS
@given(elections())
def test_one_seat_is_instant_runoff(election: Election) -> None:
    single = Election(election.candidates, 1, election.ballots, election.withdrawn)
    expected = plain_instant_runoff(single)
    if expected is not None:
        assert count(single, ron_candidate=None).elected == (expected,)
