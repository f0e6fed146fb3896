"""The console's own personal data: which staff member put a society on the front page."""

from __future__ import annotations

from typing import Any

from quad.core.personal_data import Erasure, ExportSection, Holding, PersonalData, iso, register
from quad.su.models import FeaturedSociety


def _export(user: Any) -> list[ExportSection]:
    featured = FeaturedSociety.objects.filter(featured_by=user).select_related("society")
    return [
        ExportSection(
            "Societies you featured on the front page",
            [{"society": f.society.name, "since": iso(f.featured_at)} for f in featured],
        )
    ]


def _erase(user: Any, erasure: Erasure) -> None:
    """Nothing to remove: the link stays, to the anonymous account, as the record of who featured it."""


register(
    PersonalData(
        app="su",
        title="Union console",
        models=("su.FeaturedSociety",),
        holdings=(
            Holding(
                what="Which union staff member featured a society on the front page",
                why="To account for what the union promotes",
                basis="Legitimate interests",
                kept="While the society is featured",
            ),
        ),
        export=_export,
        erase=_erase,
    )
)
