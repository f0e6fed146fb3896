"""One function per email about elections. Each queues on commit; election notices are essential mail."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse

from quad.core.emails import queue_email
from quad.elections.models import Complaint, Election


def _url(election: Election) -> str:
    return settings.SITE_URL + reverse("elections:election", kwargs={"pk": election.pk})


def election_notice(election: Election) -> None:
    from quad.elections.services import notice_recipients

    queue_email(
        "elections/emails/election_notice",
        to=notice_recipients(election),
        context={"election": election, "url": _url(election)},
    )


def voting_reminder(election: Election, recipients: Sequence[str]) -> None:
    queue_email(
        "elections/emails/voting_reminder", to=list(recipients), context={"election": election, "url": _url(election)}
    )


def results_published(election: Election) -> None:
    from quad.elections.services import notice_recipients

    queue_email(
        "elections/emails/results_published",
        to=notice_recipients(election),
        context={"election": election, "url": _url(election)},
    )


def complaint_filed(complaint: Complaint) -> None:
    queue_email(
        "elections/emails/complaint_filed",
        to=[complaint.election.returning_officer.email],
        context={"complaint": complaint, "election": complaint.election, "url": _url(complaint.election)},
    )
