"""Elections' part of a subject access export and of an erasure. Erasure waits while the person stands in,
runs, or has an unanswered complaint about an uncertified election; afterwards their candidacy stays
(without manifesto or photo), the published count names the stub, and the record that they voted stays so
that turnout is true. Ballots never name anyone. Run through the privacy services, as the views do.

The cast (see conftest): ``election`` has one post, President; ``member``, ``ada``, ``ben`` and ``cal`` may
vote; ``su_staff`` is the returning officer.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.base import ContentFile

from quad.elections import queries, services
from quad.elections.models import Ballot, Candidate, CountResult, Election, VoteRecord
from quad.elections.tests.factories import ron
from quad.privacy import services as privacy
from quad.privacy.errors import PrivacyError
from quad.societies.models import CommitteeTerm

pytestmark = pytest.mark.django_db

MANIFESTO = "Ada Aldous: more hills, fewer meetings."


def elections_part(user: Any) -> dict[str, list[dict[str, Any]]]:
    document = privacy.export_document(user)
    return {
        section["title"]: section["rows"]
        for part in document["parts"]
        if part["app"] == "elections"
        for section in part["sections"]
    }


def vote(post: Any, voter: Any, *choices: Any) -> str:
    ranking = [ron(post).pk if choice == "RON" else post.candidates.get(user=choice).pk for choice in choices]
    return services.cast_ballot(post, voter=voter, ranking=ranking)


@pytest.fixture
def counted(election: Election, member: Any, ada: Any, ben: Any, cal: Any, su_staff: Any, clock: Any) -> Election:
    """Ada (with a photo) and Ben stand for President; Ada wins three first preferences to one; counted."""
    post = election.posts.get()
    services.nominate(post, user=ada, manifesto=MANIFESTO, photo=ContentFile(b"not really a png", name="ada.png"))
    services.nominate(post, user=ben, manifesto="Ben Bright for President.")
    clock.to(election, "voting")
    vote(post, member, ada)
    vote(post, cal, ada, ben)
    vote(post, ada, ada, "RON")
    vote(post, ben, ben)
    clock.to(election, "closed")
    services.count_election(election, actor=su_staff)
    election.refresh_from_db()
    return election


@pytest.fixture
def certified(counted: Election, su_staff: Any, clock: Any) -> Election:
    clock.to(counted, "complaints-closed")
    return services.certify_election(counted, actor=su_staff)


# --- Refusals ------------------------------------------------------------------------------------


def test_a_candidate_cannot_be_erased_until_the_election_is_certified(
    election: Election, ada: Any, su_staff: Any
) -> None:
    services.nominate(election.posts.get(), user=ada, manifesto=MANIFESTO)

    assert privacy.erasure_refusals(ada) == [
        "A candidacy (standing) for President in the Hiking Society election “Committee elections”: "
        "the election has not been certified yet."
    ]
    with pytest.raises(PrivacyError, match="has not been certified yet"):
        privacy.erase_account(ada, actor=su_staff, reason="Their request")
    assert Candidate.objects.get(user=ada).manifesto == MANIFESTO


def test_a_withdrawn_candidate_waits_too_because_the_count_names_them(
    election: Election, ada: Any, su_staff: Any
) -> None:
    candidate = services.nominate(election.posts.get(), user=ada, manifesto=MANIFESTO)
    services.withdraw_candidate(candidate, actor=ada)

    [reason] = privacy.erasure_refusals(ada)

    assert reason.startswith("A candidacy (withdrawn, but named in the count) for President")


def test_the_returning_officer_cannot_be_erased_until_the_election_is_certified(
    election: Election, su_staff: Any, committee_trained: Any
) -> None:
    assert privacy.erasure_refusals(su_staff) == [
        "Returning officer of the Hiking Society election “Committee elections”, which has not been certified yet."
    ]
    with pytest.raises(PrivacyError, match="Returning officer"):
        privacy.erase_account(su_staff, actor=committee_trained, reason="Their request")


def test_an_unanswered_complaint_holds_erasure_back(counted: Election, cal: Any, su_staff: Any) -> None:
    complaint = services.file_complaint(counted, complainant=cal, text="Ben Bright canvassed in the queue.")

    assert privacy.erasure_refusals(cal) == [
        "A complaint about the Hiking Society election “Committee elections” has not been answered yet."
    ]

    services.answer_complaint(complaint, actor=su_staff, upheld=False, response="Cal, nobody else saw it.")
    assert privacy.erasure_refusals(cal) == []


# --- Export --------------------------------------------------------------------------------------


def test_the_export_holds_their_candidacy_that_they_voted_and_their_complaints(
    counted: Election, ada: Any, ben: Any, cal: Any
) -> None:
    services.file_complaint(counted, complainant=ada, text="The count room was too small.")

    part = elections_part(ada)

    [candidacy] = part["Your candidacies"]
    assert (candidacy["post"], candidacy["manifesto"], candidacy["photo"], candidacy["outcome"]) == (
        "President",
        MANIFESTO,
        True,
        "Elected",
    )
    assert part["Elections you voted in"] == [
        {"election": "Committee elections", "society": "Hiking Society", "post": "President"}
    ]
    [complaint] = part["Your complaints about elections"]
    assert (complaint["complaint"], complaint["outcome"]) == ("The count room was too small.", "Open")
    text = json.dumps(part)
    for other in (ben, cal):
        assert other.email not in text
    assert "Ben Bright for President." not in text


def test_the_returning_officer_sees_the_elections_they_ran(counted: Election, su_staff: Any) -> None:
    [ran] = elections_part(su_staff)["Elections you ran"]

    assert (ran["election"], ran["returning officer"], ran["set it up"]) == ("Committee elections", True, False)


# --- Erasure -------------------------------------------------------------------------------------


def test_after_certification_the_candidacy_stays_without_their_words_and_the_count_names_the_stub(
    certified: Election,
    ada: Any,
    su_staff: Any,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: Any,
) -> None:
    post = certified.posts.get()
    result = CountResult.objects.get(post=post)
    totals_before = [sorted(stage["totals"].values()) for stage in result.record["stages"]]
    candidate = Candidate.objects.get(user=ada)
    photo_name, storage = candidate.photo.name, candidate.photo.storage
    assert storage.exists(photo_name)
    voted_before, ballots_before = VoteRecord.objects.filter(post=post).count(), Ballot.objects.count()
    pk, stub = ada.pk, f"Erased member {ada.pk}"

    with django_capture_on_commit_callbacks(execute=True):
        privacy.erase_account(ada, actor=su_staff, reason="Their request")

    candidate.refresh_from_db()
    assert (candidate.user_id, candidate.manifesto, bool(candidate.photo)) == (pk, "", False)
    assert not storage.exists(photo_name)
    result.refresh_from_db()
    assert "Ada Aldous" not in json.dumps(result.record) and "Ada Aldous" not in result.sheet
    assert result.record["winners"] == [stub]
    assert stub in result.record["candidates"] and "Ben Bright" in result.record["candidates"]
    assert f"1. {stub} (stage 1)" in result.sheet
    assert [sorted(stage["totals"].values()) for stage in result.record["stages"]] == totals_before
    assert result.winners == [candidate.pk]
    # The sheet's table still lines up: every row's name column is as wide as the longest name.
    table = [line for line in result.sheet.split("\n") if " | " in line]
    assert len({line.index(" | ") for line in table}) == 1
    # Turnout and the ballots are as they were; the winner shown is the stub.
    assert VoteRecord.objects.filter(post=post).count() == voted_before
    assert VoteRecord.objects.filter(post=post, voter_id=pk).exists()
    assert Ballot.objects.count() == ballots_before
    [post_result] = queries.results_for(certified)
    assert [str(winner) for winner in post_result.winners] == [stub]
    # The committee place the election gave them (starting next term) is withdrawn.
    assert not CommitteeTerm.objects.filter(user_id=pk).exists()
    assert mailoutbox == []


def test_their_complaints_lose_their_words(certified: Election, cal: Any, su_staff: Any) -> None:
    # Filed and answered before certification (the window has closed since).
    complaint = certified.complaints.create(complainant=cal, text="Cal Carter saw canvassing.", status="dismissed")
    complaint.response = "Cal Carter, thank you; nobody else saw it."
    complaint.save(update_fields=["response"])

    privacy.erase_account(cal, actor=cal)

    complaint.refresh_from_db()
    assert complaint.text == "[erased]"
    assert complaint.response == f"Erased member {cal.pk}, thank you; nobody else saw it."
    assert complaint.complainant_id == cal.pk


def test_erasing_twice_is_refused(certified: Election, ada: Any, su_staff: Any) -> None:
    privacy.erase_account(ada, actor=ada)

    with pytest.raises(PrivacyError, match="already been erased"):
        privacy.erase_account(ada, actor=su_staff, reason="Again")
