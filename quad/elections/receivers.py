"""Elections' part of the mini site and the management navigation."""

from __future__ import annotations

from typing import Any

from quad.elections.models import Election
from quad.societies import sections
from quad.societies.models import Society


def elections_section(society: Society, viewer: Any) -> sections.Section | None:
    elections = list(Election.objects.filter(society=society).order_by("-voting_open_at")[:3])
    if not elections:
        return None
    return sections.Section("elections/site_section.html", {"elections": elections})


sections.register("elections", elections_section)
sections.register_manage_link("Elections", "elections:society-elections")
