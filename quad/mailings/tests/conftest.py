"""Mailings tests: quiet hours off unless a test turns them on, so a suite run at night behaves
like one run by day; helpers to write and send a mailing to a society's members."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from conftest import join, make_person


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings: Any) -> None:
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = datetime.time(0, 0)


@pytest.fixture
def members(membership_type: Any, member: Any) -> list[Any]:
    """`member` and four more current members of `society`."""
    people = [member]
    for n in range(4):
        person = make_person(f"Member {n}", f"member.{n}")
        join(person, membership_type)
        people.append(person)
    return people


def write(society: Any, actor: Any, **fields: Any) -> Any:
    from quad.mailings import services

    values = {"subject": "Hike on Saturday", "body": "Meet at **9am** by the [lake](https://example.com/lake)."}
    return services.create_mailing(society, actor=actor, **(values | fields))
