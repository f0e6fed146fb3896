"""The access log (GDPR accountability; DESIGN.md "each view of [member lists] is audit-logged").

Every view or export of other people's personal data calls `record_access` with who looked, a stable
dotted action, a readable description of what, the scope (``society:12`` or ``union``) and whose data it
was. People looking at their own data are not logged. A `confidential` access (conduct evidence) is
shown to staff but not listed to the people it was about.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from quad.core.models import DataAccess, DataAccessSubject


def record_access(
    actor: Any, action: str, *, what: str, scope: str, subjects: Iterable[int], confidential: bool = False
) -> DataAccess:
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    people = sorted({pk for pk in subjects if pk is not None and pk != actor_id})
    # Both rows or neither; inside a caller's transaction no savepoint is needed.
    with transaction.atomic(savepoint=False):
        access = DataAccess.objects.create(
            actor_id=actor_id,
            action=action,
            what=what[:200],
            scope=scope,
            subject_count=len(people),
            confidential=confidential,
        )
        DataAccessSubject.objects.bulk_create(
            [DataAccessSubject(access=access, user_id=pk) for pk in people], batch_size=1000
        )
    return access
