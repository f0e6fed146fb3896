"""What each app holds about a person, and how to hand it over, erase it and stop keeping it
(STYLE.md rule 25, GDPR articles 13, 15, 17 and 5(1)(e)).

The `privacy` app runs subject access requests, erasure, retention sweeps and writes the privacy
notice. It sits above every other app, so they cannot import it; each registers here instead, in its
AppConfig.ready, a `PersonalData` entry: the models it answers for, what it stores and why (the notice),
an exporter, an eraser and, where erasure must wait, the reasons why. Retention sweeps register the same
way as `RetentionKind`s.

Erasure keeps the person's account row as an anonymous stub ("Erased member 42"): financial records,
results and society history keep pointing at it, so totals and counts stay true while nothing in them
identifies anyone. An eraser therefore deletes or scrubs what *its* app holds that is personal (free
text the person wrote, addresses, preferences, memberships of chats) and may leave plain foreign keys to
the stub. Erasers run in one transaction, highest app first, the account itself last.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Holding:
    """One line of the privacy notice: what is kept, why, on what lawful basis, for how long."""

    what: str
    why: str
    basis: str
    kept: str


@dataclass(frozen=True)
class ExportSection:
    """Part of a subject access export: a title and rows of plain JSON values (str, int, bool, None)."""

    title: str
    rows: list[Mapping[str, Any]]
    note: str = ""


@dataclass
class Erasure:
    """What one erasure did, filled in by each eraser: counts removed or anonymised, and what was kept
    and why (for example evidence an open case still needs)."""

    user_id: int
    removed: dict[str, int] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)

    def count(self, what: str, n: int) -> None:
        if n:
            self.removed[what] = self.removed.get(what, 0) + n

    def keep(self, reason: str) -> None:
        self.kept.append(reason)


Exporter = Callable[[Any], Iterable[ExportSection]]
Eraser = Callable[[Any, Erasure], None]
Refusal = Callable[[Any], Iterable[str]]


@dataclass(frozen=True)
class PersonalData:
    app: str
    title: str
    models: tuple[str, ...]
    holdings: tuple[Holding, ...]
    export: Exporter
    erase: Eraser
    refuse: Refusal | None = None


@dataclass(frozen=True)
class RetentionKind:
    """A kind of data kept for a period (a setting, in days) and swept daily. `sweep(now)` removes what
    is past its period and returns how many records it removed; run again, it removes nothing."""

    key: str
    title: str
    setting: str
    sweep: Callable[[datetime.datetime], int]
    description: str = ""


_registry: dict[tuple[str, str], PersonalData] = {}
_retention: dict[str, RetentionKind] = {}


def register(entry: PersonalData) -> None:
    _registry[(entry.app, entry.title)] = entry


def registered() -> list[PersonalData]:
    """In registration order: INSTALLED_APPS order, the lowest app first."""
    return list(_registry.values())


def register_retention(kind: RetentionKind) -> None:
    _retention[kind.key] = kind


def retention_kinds() -> list[RetentionKind]:
    return list(_retention.values())


def iso(value: Any) -> Any:
    """A date, time or money-ish value as JSON for an export row."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return value
