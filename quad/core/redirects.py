"""Coming back to the page an action was taken from: a form's `next`, checked, so an action posted
from one queue (the union's approvals) returns there without letting a crafted link send anyone off
the site."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """The request's `next` (from the form, else the query string) if it is a path on this site;
    otherwise `default`."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    # Only a local path: "//elsewhere.example" and "https://elsewhere.example/" are refused.
    if (
        wanted.startswith("/")
        and not wanted.startswith("//")
        and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=False)
    ):
        return wanted
    return default
