"""Shared pieces of Quad's permission helpers.

Every view fetches its object through a helper in its app's permissions.py; those
helpers raise these so that the rule "404 where you may not learn it exists, 403
where you may see it but not change it" reads the same everywhere.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404


def not_found() -> Http404:
    return Http404("Not found")


def forbidden(reason: str = "You do not have permission to do that.") -> PermissionDenied:
    return PermissionDenied(reason)
