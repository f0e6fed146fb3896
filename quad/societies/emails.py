"""One function per email about a society's lifecycle. Each queues on commit."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from quad.core.emails import queue_email
from quad.societies.models import Society


def _founders(society: Society) -> list[str]:
    addresses = list(society.proposed_committee.values_list("email", flat=True))
    if society.applied_by is not None:
        addresses.append(society.applied_by.email)
    return addresses


def _current_committee(society: Society) -> list[str]:
    from quad.societies.queries import current_terms

    return list(current_terms(society).values_list("user__email", flat=True))


def _context(society: Society) -> dict[str, object]:
    return {
        "society": society,
        "site_url": settings.SITE_URL + reverse("societies:mini-site", kwargs={"slug": society.slug}),
        "application_url": settings.SITE_URL + reverse("societies:application", kwargs={"slug": society.slug}),
    }


def application_received(society: Society) -> None:
    queue_email("societies/emails/application_received", to=_founders(society), context=_context(society))


def society_approved(society: Society) -> None:
    queue_email("societies/emails/society_approved", to=_founders(society), context=_context(society))


def society_rejected(society: Society) -> None:
    queue_email("societies/emails/society_rejected", to=_founders(society), context=_context(society))


def society_suspended(society: Society) -> None:
    queue_email("societies/emails/society_suspended", to=_current_committee(society), context=_context(society))


def society_reinstated(society: Society) -> None:
    queue_email("societies/emails/society_reinstated", to=_current_committee(society), context=_context(society))


def society_folded(society: Society) -> None:
    queue_email("societies/emails/society_folded", to=_current_committee(society), context=_context(society))
