"""Elections built through the services, and a clock to walk them through their phases.

An election's phase is read from the clock (`timezone.now()`), so tests create an election as it would
be created — windows in the future — and then move the clock into each window rather than rewriting
the windows. Plain Python: the concurrency scenes use it in a subprocess as well as under pytest.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from quad.elections import services
from quad.elections.models import Candidate, Election, Post

REAL_NOW = timezone.now
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@dataclass
class Clock:
    """`timezone.now()` shifted by `offset`: time still passes, from wherever the test has moved it."""

    offset: datetime.timedelta = datetime.timedelta(0)

    def now(self) -> datetime.datetime:
        return REAL_NOW() + self.offset

    def travel_to(self, moment: datetime.datetime) -> None:
        self.offset = moment - REAL_NOW()

    def to(self, election: Election, phase: str) -> None:
        """Move into one of `election`'s windows (see `moment_in`)."""
        self.travel_to(moment_in(election, phase))

    def install(self) -> None:
        """For the rest of this process (pytest's monkeypatch does it for one test instead)."""
        timezone.now = self.now  # type: ignore[assignment]


def moment_in(election: Election, phase: str) -> datetime.datetime:
    """A moment when `election` is in `phase`: upcoming, nominations, waiting, voting, closed (the
    complaints window open) or complaints-closed."""
    e = election
    moments = {
        "upcoming": e.nominations_open_at - HOUR,
        "nominations": e.nominations_open_at + (e.nominations_close_at - e.nominations_open_at) / 2,
        "waiting": e.nominations_close_at + (e.voting_open_at - e.nominations_close_at) / 2,
        "voting": e.voting_open_at + (e.voting_close_at - e.voting_open_at) / 2,
        "closed": e.voting_close_at + datetime.timedelta(minutes=1),
        "complaints-closed": (e.complaints_close_at or e.voting_close_at) + datetime.timedelta(minutes=1),
    }
    return moments[phase]


def windows(start: datetime.datetime | None = None) -> dict[str, Any]:
    """Nominations open now for a day; voting opens a day after they close, for a day; the cut-off is now."""
    t0 = start or timezone.now()
    return {
        "nominations_open_at": t0 - HOUR,
        "nominations_close_at": t0 + DAY,
        "voting_open_at": t0 + 2 * DAY,
        "voting_close_at": t0 + 3 * DAY,
        "eligibility_cutoff": t0,
        "term_starts_on": timezone.localdate(t0) + 30 * DAY,
    }


def make_election(
    society: Any,
    *,
    actor: Any,
    returning_officer: Any,
    posts: Sequence[tuple[str, int]] = (("President", 1),),
    title: str = "Committee elections",
    **options: Any,
) -> Election:
    """Created now (nominations open), with its posts added; `options` override `windows()` and the rest."""
    arguments = {**windows(), **options}
    election = services.create_election(
        society, actor=actor, title=title, returning_officer=returning_officer, **arguments
    )
    for name, seats in posts:
        services.add_post(election, actor=actor, name=name, seats=seats)
    return election


def stand(post: Post, *people: Any) -> list[Candidate]:
    return [services.nominate(post, user=person, manifesto=f"Vote {person.display_name}!") for person in people]


def ron(post: Post) -> Candidate:
    return post.candidates.get(is_ron=True)


def ids(candidates: Iterable[Candidate]) -> list[int]:
    return [candidate.pk for candidate in candidates]
