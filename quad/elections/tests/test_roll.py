"""The electoral roll that notices, reminders and turnout use agrees with who may actually vote."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from quad.elections import services


def test_a_member_who_has_since_graduated_is_off_the_roll(election: Any, member: Any, ada: Any) -> None:
    assert set(services.eligible_voters(election)) >= {member, ada}
    ada.course_ends_on = timezone.localdate() - datetime.timedelta(days=1)
    ada.save(update_fields=["course_ends_on"])
    roll = set(services.eligible_voters(election))
    assert member in roll
    assert ada not in roll
    assert services.is_eligible(ada, election) is False
