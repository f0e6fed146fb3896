"""`make run` loads the demo union: it loads without error, a second run adds nothing, and the console and
privacy tools have something to show (the demo sign-ins printed point people at them)."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.management import call_command

from quad.chat.models import InviteRequest
from quad.core.models import DataAccess
from quad.memberships.models import GraduateDeparture
from quad.privacy.models import ErasureRecord, RetentionRun

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("quad.")
    }


def test_the_demo_loads_once_and_shows_the_console_and_privacy_tools() -> None:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    printed = out.getvalue()
    assert "Demo privacy records loaded." in printed and "Demo rep group loaded." in printed
    assert "mia.member@student.example.ac.uk" in printed and "Your data" in printed

    departure = GraduateDeparture.objects.get(user__display_name="Gwen Graduate")
    assert departure.swept_at is not None and departure.notified
    [removed_from] = departure.removed_from
    assert removed_from.startswith("Member of Hiking Society (")
    assert ErasureRecord.objects.get().reason == "Asked by email to erase her account"
    assert DataAccess.objects.filter(subjects__user__email="mia.member@student.example.ac.uk").count() == 2
    assert InviteRequest.objects.filter(status=InviteRequest.Status.PENDING).count() == 1
    assert RetentionRun.objects.count() == 1

    before = counts()
    again = io.StringIO()
    call_command("load_demo", stdout=again)
    assert "loaded." not in again.getvalue()
    assert counts() == before
