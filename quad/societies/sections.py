"""Parts of a society's mini site contributed by higher apps (memberships' Join, events, news, shop).

societies cannot import the apps above it, so each registers a function here from its
AppConfig.ready(): given the society and the viewer, it returns the rendered section's template
and context, or None to show the placeholder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from quad.societies.models import Society


@dataclass(frozen=True)
class Section:
    template: str
    context: dict[str, Any]


SectionFunc = Callable[[Society, Any], Section | None]
_slots: dict[str, SectionFunc] = {}

SLOTS = ("join", "events", "elections", "news", "shop")


def register(slot: str, func: SectionFunc) -> None:
    if slot not in SLOTS:
        raise ValueError(f"Unknown mini-site slot {slot!r}")
    _slots[slot] = func


def sections_for(society: Society, viewer: Any) -> dict[str, Section]:
    return {slot: section for slot, func in _slots.items() if (section := func(society, viewer)) is not None}


@dataclass(frozen=True)
class ManageLink:
    label: str
    url_name: str  # takes the society's slug


_manage_links: list[ManageLink] = []


def register_manage_link(label: str, url_name: str) -> None:
    """A higher app's page in the management area's navigation."""
    if all(link.url_name != url_name for link in _manage_links):
        _manage_links.append(ManageLink(label, url_name))


def manage_links() -> list[ManageLink]:
    return list(_manage_links)
