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


@dataclass(frozen=True)
class ManageFact:
    """One line of the management area's summary, e.g. "Members last emailed: 3 days ago"."""

    label: str
    value: str
    warning: str = ""  # shown as a flag when something needs the committee's attention


FactFunc = Callable[[Society], ManageFact | None]
_manage_facts: list[FactFunc] = []


def register_manage_fact(func: FactFunc) -> None:
    if all(existing is not func for existing in _manage_facts):
        _manage_facts.append(func)


def manage_facts(society: Society) -> list[ManageFact]:
    return [fact for func in _manage_facts if (fact := func(society)) is not None]
