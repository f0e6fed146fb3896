"""Small counts checked by hand against the ERS97 rules (paragraph numbers in the test names and comments).

Ballots are written as "weight: A B C" (A first). Values are hundredths: 367 is 3.67.
"""

from __future__ import annotations

import pytest

from quad.elections.counting import CountError, CountResult, Election, count, count_rankings


def election(candidates: str, seats: int, *ballots: str, withdrawn: str = "", title: str = "") -> Election:
    names = tuple(candidates.split())
    index = {name: i for i, name in enumerate(names)}
    parsed = []
    for ballot in ballots:
        weight, ranking = ballot.split(":")
        parsed.append((int(weight), tuple(index[name] for name in ranking.split())))
    return Election(names, seats, tuple(parsed), frozenset(index[n] for n in withdrawn.split()), title)


def run(candidates: str, seats: int, *ballots: str, **options: object) -> CountResult:
    withdrawn = str(options.pop("withdrawn", ""))
    return count(election(candidates, seats, *ballots, withdrawn=withdrawn), **options)  # type: ignore[arg-type]


def names(result: CountResult, candidates: tuple[int, ...] | list[int]) -> list[str]:
    return [result.candidates[c] for c in candidates]


def totals(result: CountResult, stage: int) -> dict[str, int]:
    return dict(zip(result.candidates, result.stages[stage - 1].totals, strict=True))


def summary(result: CountResult) -> list[tuple[int, str, list[str], list[str]]]:
    """(stage, action, subjects, elected at that stage) for each stage."""
    return [(s.number, s.action, names(result, s.subjects), names(result, s.elected)) for s in result.stages]


# -- quota (5.1.6) -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valid", "seats", "quota"),
    [(10, 2, 334), (9, 2, 300), (7613, 3, 190325), (9560, 4, 191200), (11, 1, 550), (1, 1, 50), (2, 4, 40), (1, 2, 34)],
)
def test_quota_is_truncated_to_hundredths_plus_one_hundredth_unless_exact(valid: int, seats: int, quota: int) -> None:
    candidates = " ".join(f"C{i}" for i in range(seats + 1))
    result = run(candidates, seats, f"{valid}: C0")
    assert result.quota == quota


# -- surpluses (5.2.2, 5.3) ----------------------------------------------------------------------------------


def test_first_stage_surplus_examines_all_papers_and_truncates_the_transfer_value() -> None:
    # 3 seats, 24 votes: quota 6.00. A's surplus 6 over 12 transferable papers: 0.50 each.
    result = run("A B C D", 3, "12: A B", "5: B C", "3: C", "4: D")
    stage = result.stages[1]
    assert (stage.action, names(result, stage.subjects), stage.transfer_value) == ("surplus", ["A"], 50)
    assert stage.transferable_papers == 12
    assert totals(result, 2) == {"A": 600, "B": 1100, "C": 300, "D": 400}


def test_later_surplus_transfers_only_the_last_batch_received() -> None:
    # B is elected at stage 2 on A's 12 papers at 0.50 ("A B"); its surplus (5.00) comes from that batch only,
    # which has no further preference, so it is non-transferable. Had B's own "B C" papers been examined, C
    # would have gained 5.00 and been elected instead of D.
    result = run("A B C D", 3, "12: A B", "5: B C", "3: C", "4: D")
    assert summary(result) == [
        (1, "first", [], ["A"]),
        (2, "surplus", ["A"], ["B"]),
        (3, "surplus", ["B"], ["D"]),
    ]
    third = result.stages[2]
    assert third.transfer_value is None
    assert third.transferable_papers == 0
    assert third.nontransferable_change == 500
    assert totals(result, 3) == {"A": 600, "B": 600, "C": 300, "D": 400}
    # D is elected on the active vote (C 3 + D 4 = 7, one place left: 3.50), not the quota (5.3.13 b).
    assert third.threshold == 350
    assert result.winner_names() == ["A", "B", "D"]


def test_surplus_larger_than_transferable_papers_moves_them_at_present_value() -> None:
    # 19 votes, 2 seats: quota 6.34. A's surplus 3.66 but only 2 papers can move, worth 2.00 (5.3.7).
    result = run("A B C", 2, "8: A", "2: A B", "5: B", "4: C")
    stage = result.stages[1]
    assert stage.transfer_value == 100
    assert stage.transfers[1] == 200
    assert stage.nontransferable_change == 166
    assert stage.loss_of_fractions_change == 0
    assert result.winner_names() == ["A", "B"]


def test_loss_of_fractions_is_recorded_apart_from_non_transferable_papers() -> None:
    # 24 votes, 2 seats: quota 8.00; A's surplus 4.00 over 9 papers: 0.44 each, 3.96 moves, 0.04 is lost.
    result = run("A B C D", 2, "9: A B", "3: A", "6: B", "3: C", "3: D")
    stage = result.stages[1]
    assert stage.transfer_value == 44
    assert stage.transferable_papers == 9
    assert stage.loss_of_fractions_change == 4
    assert stage.nontransferable_change == 0
    assert totals(result, 2)["B"] == 996


def test_surplus_is_deferred_when_it_could_not_save_the_lowest_candidates() -> None:
    # 23 votes, 2 seats: quota 7.67. A's surplus 2.33 + D 1 + E 1 = 4.33 does not exceed C's 5 (5.2.2 b), so
    # the surplus waits and D and E are excluded together (5.2.5); their papers elect B. A's surplus never moves.
    result = run("A B C D E", 2, "10: A C", "6: B", "5: C", "1: D B", "1: E B")
    assert result.quota == 767
    assert summary(result) == [(1, "first", [], ["A"]), (2, "exclusion", ["D", "E"], ["B"])]
    assert names(result, result.stages[1].deferred) == ["A"]
    assert totals(result, 2)["A"] == 1000
    assert "deferred" in " ".join(result.stages[1].notes)


def test_surplus_is_transferred_when_it_could_change_the_exclusion() -> None:
    # Same, but C has 4: surplus 2.33 + D + E = 4.33 exceeds 4 - no deferral; A's surplus goes to C first.
    result = run("A B C D E", 2, "10: A C", "6: B", "4: C", "1: D B", "1: E B")
    assert result.stages[1].action == "surplus"
    assert result.stages[1].deferred == ()


# -- exclusions (5.2.5, 5.4) ---------------------------------------------------------------------------------


def test_bulk_exclusion_of_every_candidate_who_cannot_catch_up() -> None:
    # One seat, 21 votes: quota 10.50. D+E (2) <= C (2); C+D+E (4) <= B (7); B+C+D+E (11) > A (10).
    result = run("A B C D E", 1, "10: A", "7: B", "2: C B", "1: D B", "1: E B")
    assert summary(result) == [(1, "first", [], []), (2, "exclusion", ["C", "D", "E"], ["B"])]
    assert totals(result, 2)["B"] == 1100
    assert result.winner_names() == ["B"]


def test_excluded_papers_move_in_batches_by_descending_transfer_value() -> None:
    # 2 seats, 49 votes: quota 16.34. A's surplus 3.66 over 10 "A C D" papers: 0.36 each (loss 0.06).
    # E is excluded (stage 3), then C, who holds 5 papers at 1.00 (no further preference) and 10 at 0.36:
    # the 1.00 batch first (5.00 non-transferable), then the 0.36 batch to D, who is then elected.
    result = run("A B C D E", 2, "10: A C D", "10: A", "12: B", "5: C", "9: D", "3: E D")
    assert summary(result) == [
        (1, "first", [], ["A"]),
        (2, "surplus", ["A"], []),
        (3, "exclusion", ["E"], []),
        (4, "exclusion", ["C"], ["D"]),
    ]
    assert result.stages[1].transfer_value == 36
    assert result.stages[1].loss_of_fractions_change == 6
    batches = [
        (s.transfer_value, s.papers, s.nontransferable, names(result, s.elected)) for s in result.stages[3].substages
    ]
    assert batches == [(100, 5, 500, []), (36, 10, 0, ["D"])]
    assert totals(result, 4) == {"A": 1634, "B": 1200, "C": 0, "D": 1560, "E": 0}
    assert result.stages[3].threshold == 1380  # (12 + 15.60) / 2, not yet the quota
    assert names(result, result.stages[3].formally_excluded) == ["B"]


def test_quota_is_recalculated_while_no_one_is_elected() -> None:
    # 2 seats, 20 votes: quota 6.67, no one reaches it. D's 4 papers go nowhere: quota (20 - 4) / 3 = 5.34
    # (5.4.8), A is elected with a surplus of 0.66 against the new quota, which (6 papers, 0.11 each) elects B.
    result = run("A B C D", 2, "6: A B", "5: B", "5: C", "4: D")
    assert [s.quota for s in result.stages] == [667, 534, 534]
    assert summary(result) == [(1, "first", [], []), (2, "exclusion", ["D"], ["A"]), (3, "surplus", ["A"], ["B"])]
    assert result.stages[2].transfer_value == 11
    assert totals(result, 3)["B"] == 566


# -- ties (5.2.3, 5.2.5, 5.6.2) -------------------------------------------------------------------------------


def test_exclusion_tie_is_broken_at_the_earliest_point_the_candidates_differed() -> None:
    # One seat. B and C are tied at 6 at stage 4. At the first stage B had 4 and C 5, so B is excluded -
    # although after stage 2 B was ahead (6 to 5): ERS97 looks forward from the first stage, not back.
    result = run("A B C X Y", 1, "10: A", "4: B", "5: C", "2: X B", "1: Y C", "2: Y")
    assert [names(result, s.subjects) for s in result.stages[1:]] == [["X"], ["Y"], ["B"]]
    assert totals(result, 3)["B"] == totals(result, 3)["C"] == 600
    assert result.lots == ()


def test_exclusion_tie_equal_at_first_stage_is_broken_at_a_later_point() -> None:
    # B and C both have 4 at the first stage; after X's papers B has 6 and C 4; after Y's, both 6: C goes.
    result = run("A B C X Y", 1, "10: A", "4: B", "4: C", "2: X B", "2: Y C", "1: Y")
    assert [names(result, s.subjects) for s in result.stages[1:]] == [["X"], ["Y"], ["C"]]
    assert totals(result, 3)["B"] == totals(result, 3)["C"] == 600
    assert result.lots == ()


def test_exclusion_tie_at_every_point_is_decided_by_a_recorded_seeded_lot() -> None:
    # 2 seats: A elected; B and C tied at 3 throughout. Both reach the active-vote threshold (3.00) for the
    # one place left, so neither is elected (5.6.2); the next exclusion is by lot and the other is elected
    # because only as many continuing candidates as places remain (5.5.1).
    chosen = {}
    for seed in range(16):
        result = run("A B C", 2, "5: A", "3: B", "3: C", seed=seed)
        (lot,) = result.lots
        assert (lot.stage, lot.purpose, names(result, lot.tied), lot.seed) == (3, "exclusion", ["B", "C"], seed)
        assert result.stages[2].subjects == (lot.chosen,)
        other = 3 - lot.chosen
        assert result.winners == (0, other)
        assert result.elected_at(other) == 3
        assert "5.6.2" in " ".join(result.stages[1].notes)
        assert run("A B C", 2, "5: A", "3: B", "3: C", seed=seed).to_dict() == result.to_dict()
        chosen[result.candidates[lot.chosen]] = seed
    assert set(chosen) == {"B", "C"}


def test_election_tie_is_broken_by_looking_back() -> None:
    # One seat; after C's exclusion A and B both have 4 and the (recalculated) quota is 4.00: A had more at
    # the first stage, so A is elected (5.6.2).
    result = run("A B C", 1, "4: A", "3: B", "1: C B", "1: C")
    assert summary(result) == [(1, "first", [], []), (2, "exclusion", ["C"], ["A"])]
    assert result.stages[1].quota == 400
    assert result.lots == ()


def test_strong_election_tie_elects_no_one_then_a_lot_decides() -> None:
    result = run("A B C", 1, "3: A", "3: B", "1: C A", "1: C B", seed=3)
    assert summary(result)[:2] == [(1, "first", [], []), (2, "exclusion", ["C"], [])]
    (lot,) = result.lots
    assert lot.stage == 3
    assert names(result, lot.tied) == ["A", "B"]
    assert result.winners == (({0, 1} - {lot.chosen}).pop(),)
    assert "5.5.1" in " ".join(result.stages[2].notes)


def test_surplus_tie_is_broken_by_looking_back_then_lot() -> None:
    # A and B both elected at the first stage with 8 (quota 7.00; surplus 1 each). Equal at every point:
    # the lot says whose surplus goes first.
    result = run("A B C D", 3, "8: A C", "8: B D", "6: C", "6: D", seed=5)
    lot = result.lots[0]
    assert (lot.purpose, lot.stage, names(result, lot.tied)) == ("surplus", 2, ["A", "B"])
    assert result.stages[1].subjects == (lot.chosen,)
    # Not tied: the larger surplus first, no lot.
    result = run("A B C D", 3, "9: A C", "8: B D", "6: C", "5: D")
    assert names(result, result.stages[1].subjects) == ["A"]
    assert result.lots == ()


# -- RON (re-open nominations) ----------------------------------------------------------------------------


@pytest.mark.parametrize("ron", ["ordinary", "protected"])
def test_ron_elected_leaves_the_seat_vacant(ron: str) -> None:
    result = run("Alice Bob RON", 2, "5: Alice", "4: RON", "2: Bob Alice", ron=ron)
    assert names(result, result.elected) == ["Alice", "RON"]
    assert result.winner_names() == ["Alice"]
    assert result.vacant_seats == 1
    assert result.ron_elected
    assert result.to_dict()["vacant_seats"] == 1
    assert any("vacant" in note for note in result.notes)


def test_ron_ordinary_is_excluded_like_anyone_protected_is_never_excluded() -> None:
    ballots = ("5: Alice", "4: Bob", "2: RON Bob")
    ordinary = run("Alice Bob RON", 1, *ballots, ron="ordinary")
    assert names(ordinary, ordinary.stages[1].subjects) == ["RON"]
    assert ordinary.winner_names() == ["Bob"]
    protected = run("Alice Bob RON", 1, *ballots, ron="protected")
    assert names(protected, protected.stages[1].subjects) == ["Bob"]
    assert protected.winner_names() == ["Alice"]
    assert all(2 not in stage.subjects for stage in protected.stages)


def test_ron_protected_wins_a_tie_by_never_being_excluded() -> None:
    # One seat: Bob goes; RON and Alice are then tied at every point, so neither is elected (5.6.2). Under the
    # protected convention Alice is excluded without a lot and RON takes the seat (5.5.1): it is left vacant.
    result = run("Alice Bob RON", 1, "3: Alice", "3: RON", "1: Bob", ron="protected")
    assert names(result, result.elected) == ["RON"]
    assert names(result, result.stages[2].subjects) == ["Alice"]
    assert result.lots == ()
    assert result.winners == ()
    assert result.vacant_seats == 1
    # Under the ordinary convention the same tie goes to a lot.
    ordinary = run("Alice Bob RON", 1, "3: Alice", "3: RON", "1: Bob", ron="ordinary")
    assert names(ordinary, ordinary.lots[0].tied) == ["Alice", "RON"]


def test_ron_is_found_by_name_or_given_by_number() -> None:
    assert run("Alice R.O.N. Bob", 1, "3: Alice", "5: R.O.N.").vacant_seats == 1
    assert run("Alice Re-open_nominations Bob", 1, "3: Alice", "5: Re-open_nominations").vacant_seats == 1
    # Given by number: "Nobody" is RON here.
    assert run("Alice Nobody", 1, "3: Alice", "5: Nobody", ron_candidate=1).winners == ()
    # Told there is none: a candidate called RON is just a candidate.
    assert run("Alice RON", 1, "3: Alice", "5: RON", ron_candidate=None).winner_names() == ["RON"]
    with pytest.raises(CountError, match="RON candidate 7"):
        run("Alice RON", 1, "3: Alice", ron_candidate=7)
    with pytest.raises(CountError, match="more than one"):
        run("RON R.O.N.", 1, "3: RON")


# -- withdrawn candidates, exhausted and invalid papers ---------------------------------------------------


def test_withdrawn_candidates_are_skipped_on_every_ballot() -> None:
    result = run("A B C D", 1, "3: B A", "2: B", "4: C", "2: A D", "1: D", withdrawn="B")
    assert result.invalid_ballots == 2  # "B" alone: no preference for anyone still standing
    assert result.ballots == 12
    assert result.valid_votes == 1000
    assert totals(result, 1) == {"A": 500, "B": 0, "C": 400, "D": 100}
    assert result.status[1] == "withdrawn"
    assert 1 not in result.elected and 1 not in result.excluded
    assert result.winner_names() == ["A"]
    assert "B" not in result.to_dict()["stages"][0]["totals"]


def test_exhausted_papers_are_non_transferable() -> None:
    result = run("A B C", 1, "4: A", "3: B", "2: C")
    # C (2) is excluded; its papers have no next preference.
    assert result.stages[1].nontransferable == 200
    assert result.stages[1].quota == 350  # recalculated: (9 - 2) / 2
    assert result.winner_names() == ["A"]


def test_empty_ballots_are_invalid_not_valid_votes() -> None:
    result = run("A B", 1, "3: A", "2: B", "4: ")
    assert (result.ballots, result.invalid_ballots, result.valid_votes) == (9, 4, 500)


# -- seats and candidates ---------------------------------------------------------------------------------


def test_single_seat_is_instant_runoff() -> None:
    # A leads on first preferences; D then B are excluded and C wins on transfers.
    result = run("A B C D", 1, "8: A", "6: B C", "5: C B", "2: D C")
    assert summary(result) == [
        (1, "first", [], []),
        (2, "exclusion", ["D"], []),
        (3, "exclusion", ["B"], ["C"]),
    ]
    assert result.winner_names() == ["C"]


def test_fewer_candidates_than_seats_all_elected_rest_vacant() -> None:
    result = run("A B C", 5, "5: A", "1: B")
    assert sorted(result.winner_names()) == ["A", "B", "C"]
    assert result.vacant_seats == 2
    assert result.elected_at(2) == 1
    assert any("unfilled" in note for note in result.notes)


def test_as_many_candidates_as_seats_are_all_elected() -> None:
    result = run("A B", 2, "5: A", "1: A B")
    assert sorted(result.winner_names()) == ["A", "B"]
    assert result.vacant_seats == 0


def test_no_valid_votes_elects_no_one_in_a_contest() -> None:
    result = run("A B C", 1, "2: ")
    assert result.elected == ()
    assert result.vacant_seats == 1
    assert result.valid_votes == 0


def test_zero_vote_candidates_go_in_the_first_bulk_exclusion() -> None:
    # One seat, quota 4.50: C, D (0) and E (2) together do not exceed B (3); with B they would exceed A (4).
    result = run("A B C D E", 1, "4: A", "3: B", "2: E B")
    assert summary(result) == [(1, "first", [], []), (2, "exclusion", ["C", "D", "E"], ["B"])]


# -- inputs -----------------------------------------------------------------------------------------------


def test_bad_ballots_are_refused_with_a_clear_message() -> None:
    with pytest.raises(CountError, match="ranked twice"):
        count(Election(("A", "B"), 1, ((1, (0, 0)),)))
    with pytest.raises(CountError, match="not a candidate number"):
        count(Election(("A", "B"), 1, ((1, (0, 2)),)))
    with pytest.raises(CountError, match="not a candidate number"):
        count(Election(("A", "B"), 1, ((1, (-1,)),)))
    with pytest.raises(CountError, match="weight"):
        count(Election(("A", "B"), 1, ((0, (0,)),)))
    with pytest.raises(CountError, match="weight"):
        count(Election(("A", "B"), 1, ((1.5, (0,)),)))  # type: ignore[arg-type]
    with pytest.raises(CountError, match="rules"):
        count(Election(("A", "B"), 1, ((1, (0,)),)), rules="meek")
    with pytest.raises(CountError, match="RON convention"):
        count(Election(("A", "B"), 1, ((1, (0,)),)), ron="sometimes")  # type: ignore[arg-type]
    with pytest.raises(CountError, match="seat"):
        Election(("A",), 0, ())
    with pytest.raises(CountError, match="ranked twice"):
        count_rankings(["A", "B"], 1, [(0, 1), (1, 1)])


def test_count_rankings_equals_count_of_the_same_ballots() -> None:
    rankings = [(0, 1), (1,), (0, 1), (2, 0), (1, 2, 0)]
    one = count_rankings(["A", "B", "C"], 1, rankings, title="t")
    other = count(Election.from_rankings(["A", "B", "C"], 1, rankings, title="t"))
    assert one.to_dict() == other.to_dict()
