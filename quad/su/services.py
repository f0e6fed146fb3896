from __future__ import annotations

from typing import Any

from django.db import transaction

from quad.core import audit
from quad.societies.models import Society
from quad.su.errors import ConsoleError
from quad.su.models import FeaturedSociety


def feature_society(society: Society, *, actor: Any) -> FeaturedSociety:
    if society.status != Society.Status.ACTIVE:
        raise ConsoleError("Only active societies can be featured.")
    with transaction.atomic():
        featured, created = FeaturedSociety.objects.get_or_create(society=society, defaults={"featured_by": actor})
        if not created:
            raise ConsoleError(f"{society} is already featured.")
        audit.record("su.society.featured", actor=actor, target=society, scope=society.audit_scope)
    return featured


def unfeature_society(society: Society, *, actor: Any) -> None:
    with transaction.atomic():
        deleted, _ = FeaturedSociety.objects.filter(society=society).delete()
        if deleted:
            audit.record("su.society.unfeatured", actor=actor, target=society, scope=society.audit_scope)
