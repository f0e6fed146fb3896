"""The demo's privacy data (called by `load_demo`): a graduate the sweep off-boarded, committee and
staff views of member lists in the access log (Mia can see them under "Your data"), an account erased
on request, and one retention sweep on record."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from quad.accounts.models import User
from quad.core.access_log import record_access
from quad.memberships.models import Membership, MembershipType
from quad.memberships.services import graduate_sweep
from quad.privacy import services
from quad.privacy.models import ErasureRecord
from quad.societies.models import Society

MakePerson = Callable[..., User]


def load(make_person: MakePerson, join: Callable[[User, MembershipType], object]) -> bool:
    """Idempotent: does nothing (False) once an erasure is on record."""
    if ErasureRecord.objects.exists():
        return False
    hiking = Society.objects.get(slug="hiking-society")
    staff = User.objects.get(email=f"jo.staff@{settings.UNION_EMAIL_DOMAIN}")
    priya = User.objects.get(email=f"priya.president@{settings.STUDENT_EMAIL_DOMAINS[0]}")

    # A student who joined Hiking and whose course has just ended: the sweep ends the membership and
    # tells her, and the off-boarding report shows it.
    gwen = make_person("Gwen Graduate", "gwen.graduate", years_left=1)
    membership_type = MembershipType.objects.filter(society=hiking).order_by("pk").first()
    if membership_type is not None and not Membership.objects.filter(user=gwen, society=hiking).exists():
        join(gwen, membership_type)
    gwen.course_ends_on = timezone.localdate() - datetime.timedelta(days=3)
    gwen.save(update_fields=["course_ends_on"])
    graduate_sweep()

    members = list(
        Membership.objects.filter(society=hiking, status=Membership.Status.ACTIVE).values_list("user_id", flat=True)
    )
    record_access(
        priya,
        "memberships.member_list.viewed",
        what=f"Member list of {hiking.name}",
        scope=hiking.audit_scope,
        subjects=members,
    )
    record_access(
        staff,
        "memberships.member_list.exported",
        what=f"Member list export of {hiking.name} (annual affiliation check)",
        scope=hiking.audit_scope,
        subjects=members,
    )

    # Someone who asked, by email, for their account to be erased.
    fran = make_person("Fran Former", "fran.former")
    services.erase_account(fran, actor=staff, reason="Asked by email to erase her account")

    services.apply_retention()
    return True
