"""Union staff's views of the access log and the graduate off-boarding report."""

# Placeholders until the access log and departures views are written (being written now).
from django.http import HttpRequest, HttpResponse

from quad.accounts.permissions import staff_required


@staff_required
def access_log(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


@staff_required
def departures(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
