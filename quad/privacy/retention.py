"""Former members' accounts (retention kind ``former_members``): a student whose course ended more than
RETENTION_FORMER_MEMBERS_DAYS ago and who has not signed in since is erased through every app's eraser.
Accounts whose erasure must wait (an app refuses, for example staff with open cases) are left for a
later run; union staff and officers' accounts are never swept."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db.models import F, Q

from quad.accounts.models import User
from quad.privacy import services
from quad.privacy.errors import PrivacyError

log = logging.getLogger(__name__)


def former_members(now: datetime.datetime) -> list[User]:
    cutoff = (now - datetime.timedelta(days=settings.RETENTION_FORMER_MEMBERS_DAYS)).date()
    return list(
        User.objects.filter(
            erased_at__isnull=True,
            is_union_staff=False,
            is_officer=False,
            course_ends_on__isnull=False,
            course_ends_on__lt=cutoff,
        )
        .filter(Q(last_login__isnull=True) | Q(last_login__date__lte=F("course_ends_on")))
        .order_by("pk")
    )


def erase_former_members(now: datetime.datetime) -> int:
    erased = 0
    for person in former_members(now):
        if services.erasure_refusals(person):
            continue
        try:
            services.erase_account(person, actor=None, reason="Retention: former member")
        except PrivacyError as error:  # something changed since the check; the next run tries again
            log.info("former member %s not erased: %s", person.pk, error)
            continue
        erased += 1
    return erased
