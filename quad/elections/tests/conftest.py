"""The elections cast, on top of the project's: three more members of ``society`` who stand for office,
a clock to move through an election's windows, and an election with nominations open.

- ``ada``, ``ben``, ``cal``: members of ``society`` (joined through the checkout, like ``member``)
- ``clock``: `timezone.now()` for this test, moved with ``clock.to(election, "voting")``
- ``election``: ``society``'s "Committee elections", set up by ``committee_trained`` with ``su_staff`` as
  returning officer, one post ("President", 1 seat); nominations open now and the eligibility cut-off is
  now, so ``member``, ``ada``, ``ben`` and ``cal`` may vote
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from conftest import join, make_person
from quad.elections.tests.factories import Clock, make_election


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock.now)
    return clock


@pytest.fixture
def ada(membership_type: Any) -> Any:
    user = make_person("Ada Aldous", "ada.aldous")
    join(user, membership_type)
    return user


@pytest.fixture
def ben(membership_type: Any) -> Any:
    user = make_person("Ben Bright", "ben.bright")
    join(user, membership_type)
    return user


@pytest.fixture
def cal(membership_type: Any) -> Any:
    user = make_person("Cal Carter", "cal.carter")
    join(user, membership_type)
    return user


@pytest.fixture
def election(
    society: Any, committee_trained: Any, su_staff: Any, member: Any, ada: Any, ben: Any, cal: Any, clock: Clock
) -> Any:
    return make_election(society, actor=committee_trained, returning_officer=su_staff)
