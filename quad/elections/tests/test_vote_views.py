"""The ballot page and the result sheet, through the views: a ranking is one select per candidate, so a
candidate cannot be ranked twice; a rank given twice, a gap or an empty ballot is refused with a message
naming the problem and nothing stored; a cast ballot keeps the order, and its receipt code is shown once
and kept nowhere with the voter. The result sheet and chart are drawn from the engine's record."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from quad.elections import queries
from quad.elections.counting import Election as CountElection
from quad.elections.counting import count
from quad.elections.models import Ballot, VoteRecord
from quad.elections.tests.factories import ron, stand


@pytest.fixture
def post(election: Any, ada: Any, ben: Any, clock: Any) -> Any:
    """President, Ada and Ben standing (and RON), voting open."""
    post = election.posts.get()
    stand(post, ada, ben)
    clock.to(election, "voting")
    return post


def vote_url(post: Any) -> str:
    return reverse("elections:vote", kwargs={"pk": post.election_id, "post_id": post.pk})


def ranks(post: Any, **by_name: int) -> dict[str, str]:
    """The form a browser sends: `ada=1` ranks Ada 1st; the rest are "Not ranked" (empty)."""
    fields = {f"rank-{c.pk}": "" for c in post.candidates.all()}
    for candidate in post.candidates.select_related("user"):
        key = "ron" if candidate.is_ron else candidate.user.display_name.split()[0].lower()
        if key in by_name:
            fields[f"rank-{candidate.pk}"] = str(by_name[key])
    return fields


def nothing_stored() -> bool:
    return not VoteRecord.objects.exists() and not Ballot.objects.exists()


def test_ballot_offers_every_standing_candidate_and_ron_with_a_labelled_select(
    client: Client, post: Any, member: Any
) -> None:
    client.force_login(member)
    page = client.get(vote_url(post)).content.decode()
    for name in ("Ada Aldous", "Ben Bright", "RON (re-open nominations)"):
        assert f"<legend data-ballot-name>{name}</legend>" in page
        assert f'Your ranking<span class="visually-hidden"> for {name}</span>' in page
    assert page.count('<option value="" selected>Not ranked</option>') == 3
    assert '<option value="3">3rd</option>' in page


def test_a_rank_given_twice_is_refused_naming_the_candidates(client: Client, post: Any, member: Any) -> None:
    client.force_login(member)
    response = client.post(vote_url(post), ranks(post, ada=1, ben=1))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your vote has not been cast." in page
    assert "You gave 1st to Ada Aldous and Ben Bright: give each candidate a different ranking." in page
    assert nothing_stored()


def test_a_gap_in_the_ranking_is_refused(client: Client, post: Any, member: Any) -> None:
    client.force_login(member)
    response = client.post(vote_url(post), ranks(post, ada=1, ron=3))
    assert "Your rankings skip 2nd: number your choices 1st, 2nd, 3rd and so on without gaps." in (
        response.content.decode()
    )
    assert nothing_stored()


def test_an_empty_ballot_is_refused(client: Client, post: Any, member: Any) -> None:
    client.force_login(member)
    response = client.post(vote_url(post), ranks(post))
    assert "Rank at least one candidate" in response.content.decode()
    assert nothing_stored()


def test_a_rank_beyond_the_candidates_is_refused(client: Client, post: Any, member: Any) -> None:
    client.force_login(member)
    response = client.post(vote_url(post), ranks(post, ada=1, ben=9))
    assert response.status_code == 200
    assert nothing_stored()


def test_a_cast_ballot_keeps_the_order_and_shows_the_receipt_once(
    client: Client, post: Any, member: Any, ada: Any, ben: Any
) -> None:
    client.force_login(member)
    response = client.post(vote_url(post), ranks(post, ben=1, ron=2, ada=3))
    assert response.status_code == 200
    ballot = Ballot.objects.get()
    assert ballot.ranking == [
        post.candidates.get(user=ben).pk,
        ron(post).pk,
        post.candidates.get(user=ada).pk,
    ]
    page = response.content.decode()
    assert ballot.receipt_code in page
    assert "no-store" in response["Cache-Control"]
    # Nothing joins the voter to the code: not the session, not a message waiting for the next page.
    assert ballot.receipt_code not in str(dict(client.session.items()))
    again = client.get(vote_url(post), follow=True)
    assert "You have voted for President. A vote cannot be changed." in again.content.decode()
    assert ballot.receipt_code not in again.content.decode()
    assert Ballot.objects.count() == 1


def test_result_sheet_and_chart_follow_the_count_record() -> None:
    # Ann 4, Bob 3, Cat 2: Cat is excluded; one of her papers goes to Ann, who is elected, and the
    # other, with no next preference, is non-transferable.
    papers = [[0]] * 4 + [[1]] * 3 + [[2], [2, 0]]
    election = CountElection.from_rankings(["Ann", "Bob", "Cat"], 1, papers)
    record = count(election, ron_candidate=None).to_dict()
    stages, rows = queries.result_sheet_table(record)
    assert [s.first for s in stages] == [True] + [False] * (len(stages) - 1)
    by_label = {row.label: row for row in rows}
    assert [row.label for row in rows][-3:] == ["Non-transferable", "Loss of fractions", "Quota"]
    assert by_label["Ann"].cells[0].total == "4.00"
    assert by_label["Ann"].cells[1].total == "5.00"
    assert by_label["Ann"].result == "Elected at stage 2"
    assert by_label["Cat"].cells[1].transfer == "-2.00"
    assert by_label["Cat"].cells[1].total == "-"
    assert by_label["Non-transferable"].cells[1].transfer == "+1.00"
    assert by_label["Quota"].cells[0].total == record["quota"]
    assert by_label["Cat"].result == "Excluded at stage 2"
    chart = queries.count_chart(record)
    assert len(chart) == len(stages)
    widths = [bar.width for stage in chart for bar in stage.bars]
    assert max(widths) == 1000 or chart[0].quota_at == 1000
    assert all(0 <= w <= 1000 for w in widths)
