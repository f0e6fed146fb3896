"""Sections of the account page contributed by higher apps.

accounts sits below societies, memberships and the rest, so it cannot import them.
Instead each registers a small function here (in its AppConfig.ready) that returns the
template and context for its section of a person's account page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from quad.accounts.models import User


@dataclass(frozen=True)
class Section:
    template: str
    context: dict[str, Any]


SectionFunc = Callable[[User], Section | None]
_sections: list[tuple[int, SectionFunc]] = []


def register(order: int, func: SectionFunc) -> None:
    if all(existing is not func for _, existing in _sections):
        _sections.append((order, func))
        _sections.sort(key=lambda item: item[0])


def sections_for(user: User) -> list[Section]:
    return [section for _, func in _sections if (section := func(user)) is not None]
