"""Moving an election between phases by rewriting its windows in the database, for tests where another
thread reads the clock (the browser tests' live server) or where the clock must stay real (the permission
matrix). factories.Clock moves the clock instead, for the service tests."""

from __future__ import annotations

import datetime

from django.utils import timezone

from quad.elections.models import Election

HOUR = datetime.timedelta(hours=1)
# Hours from now at which nominations open and close and voting opens and closes, for each phase.
OFFSETS = {
    "upcoming": (1, 2, 3, 4),
    "nominations": (-1, 24, 48, 72),
    "waiting": (-48, -1, 24, 48),
    "voting": (-72, -48, -1, 24),
    "closed": (-96, -72, -48, -0.05),
}


def move_to(election: Election, phase: str) -> Election:
    """Rewrite the windows (and the complaints window, three days after voting closes) so that the
    election is in `phase` now. Voters' eligibility (the cut-off) is left alone."""
    now = timezone.now()
    names = ("nominations_open_at", "nominations_close_at", "voting_open_at", "voting_close_at")
    windows = {name: now + hours * HOUR for name, hours in zip(names, OFFSETS[phase], strict=True)}
    complaints = windows["voting_close_at"] + datetime.timedelta(days=3)
    Election.objects.filter(pk=election.pk).update(**windows, complaints_close_at=complaints)
    election.refresh_from_db()
    assert election.phase == phase, (election.phase, phase)
    return election
