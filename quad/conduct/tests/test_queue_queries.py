"""The queues' query counts do not grow with what is in them (STYLE.md rule 16)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quad.chat.models import Message
from quad.conduct import services
from quad.conduct.models import Category
from quad.conduct.tests.conftest import say

pytestmark = pytest.mark.django_db


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_incidents(rude: Any, reporters: list[Any], n: int) -> None:
    for i in range(n):
        message = say(rude, f"Unkind thing {i}")
        Message.objects.filter(pk=message.pk).update(flagged_at=message.created_at)
        for reporter in reporters:
            services.report_message(message, reporter=reporter, category=Category.OTHER, note=f"Note {i}")
        services.report_member(rude, reporter=reporters[0], category=Category.BULLYING)


@pytest.mark.parametrize("page", ["conduct:queue", "conduct:group-queue", "conduct:my-reports"])
def test_queue_pages_ask_the_same_number_of_queries_however_full(
    page, client: Client, group, rude, chatter, moderator, member, committee_trained, su_staff
) -> None:
    who = {"conduct:queue": su_staff, "conduct:group-queue": committee_trained, "conduct:my-reports": member}[page]
    url = reverse(page, kwargs={"pk": group.pk} if page == "conduct:group-queue" else None)
    client.force_login(who)
    add_incidents(rude, [member], 1)
    few = queries_for(client, url)

    add_incidents(rude, [member], 4)

    assert queries_for(client, url) == few
