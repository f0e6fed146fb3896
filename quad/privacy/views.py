"""The privacy notice, a person's own data (download, who has seen it, erase), and union staff's tools
for requests made on someone's behalf. Every view passes a permission helper; writes go through
`services`."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quad.accounts.models import User
from quad.accounts.permissions import login_required, require_fresh_sign_in, staff_required
from quad.core.access_log import record_access
from quad.core.models import DataAccess
from quad.core.personal_data import registered, retention_kinds
from quad.privacy import services
from quad.privacy.errors import PrivacyError
from quad.privacy.forms import EraseAccountForm, EraseMyAccountForm, PersonSearchForm
from quad.privacy.models import ErasureRecord, RetentionRun
from quad.privacy.permissions import get_own_account, get_person_for_staff
from quad.privacy.staff_views import paginate

COOKIES = [
    (settings.SESSION_COOKIE_NAME, "Keeps you signed in. Set when you sign in; ends when you sign out."),
    (settings.CSRF_COOKIE_NAME, "Protects forms from being sent by other websites. Set when a page has a form."),
]


def _zip_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _retention_periods() -> list[dict[str, object]]:
    return [
        {
            "title": kind.title,
            "days": getattr(settings, kind.setting),
            "setting": kind.setting,
            "about": kind.description,
        }
        for kind in retention_kinds()
    ]


@require_GET
def notice(request: HttpRequest) -> HttpResponse:
    """The privacy notice (GDPR articles 13 and 14), written from what each app declares it holds."""
    return render(
        request,
        "privacy/notice.html",
        {
            "parts": [entry for entry in registered() if entry.holdings],
            "periods": _retention_periods(),
            "cookies": COOKIES,
            "contact": settings.PRIVACY_CONTACT_EMAIL,
        },
    )


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    person = get_own_account(request.user)
    accesses = (
        DataAccess.objects.filter(subjects__user=person, confidential=False)
        .exclude(actor=person)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    return render(
        request,
        "privacy/my_data.html",
        {
            "person": person,
            "pager": paginate(request, accesses, "page"),
            # What the download covers: every part of Quad that keeps personal data (building the export
            # itself to list only the parts holding theirs would cost a heavy user half a second a visit).
            "parts": sorted({entry.title for entry in registered() if entry.holdings}),
        },
    )


@login_required
@require_POST
def download_my_data(request: HttpRequest) -> HttpResponse:
    person = get_own_account(request.user)
    if refusal := require_fresh_sign_in(request, come_back_to=reverse("privacy:my-data")):
        return refusal
    content = services.produce_export(person, actor=person)
    return _zip_response(content, f"quad-my-data-{timezone.localdate():%Y-%m-%d}.zip")


@login_required
@require_http_methods(["GET", "POST"])
def erase_my_account(request: HttpRequest) -> HttpResponse:
    person = get_own_account(request.user)
    form = EraseMyAccountForm(request.POST or None, person=person)
    refusals = services.erasure_refusals(person)
    if request.method == "POST":
        if refusal := require_fresh_sign_in(request, come_back_to=reverse("privacy:erase-my-account")):
            return refusal
        if form.is_valid():
            try:
                services.erase_account(person, actor=person)
            except PrivacyError as error:
                form.add_error(None, str(error))
            else:
                logout(request)
                messages.success(request, "Your account and your personal data have been erased. Goodbye.")
                return redirect("home")
    return render(request, "privacy/erase_my_account.html", {"form": form, "refusals": refusals})


# --- Union staff ------------------------------------------------------------------------------------


@staff_required
@require_GET
def people(request: HttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET or None)
    found: list[User] = []
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        found = list(User.objects.filter(Q(email__icontains=q) | Q(display_name__icontains=q)).order_by("email")[:50])
        record_access(
            request.user,
            "privacy.people.searched",
            what=f"People search “{q}”",
            scope="union",
            subjects=[p.pk for p in found],
        )
    return render(request, "privacy/people.html", {"form": form, "found": found})


@staff_required
@require_GET
def person(request: HttpRequest, pk: int) -> HttpResponse:
    subject = get_person_for_staff(request.user, pk)
    record_access(
        request.user, "privacy.person.viewed", what="Account page in the console", scope="union", subjects=[pk]
    )
    return render(
        request,
        "privacy/person.html",
        {
            "subject": subject,
            "parts": [
                (entry.title, sum(len(s.rows) for s in sections)) for entry, sections in services.collect(subject)
            ],
            "refusals": services.erasure_refusals(subject),
            "erasure": ErasureRecord.objects.filter(user=subject).select_related("erased_by").first(),
            "form": EraseAccountForm(),
            "is_self": subject.pk == request.user.pk,
        },
    )


@staff_required
@require_POST
def export_person(request: HttpRequest, pk: int) -> HttpResponse:
    subject = get_person_for_staff(request.user, pk)
    if refusal := require_fresh_sign_in(request, come_back_to=reverse("privacy:person", args=[pk])):
        return refusal
    content = services.produce_export(subject, actor=request.user)
    return _zip_response(content, f"quad-subject-access-{subject.pk}-{timezone.localdate():%Y-%m-%d}.zip")


@staff_required
@require_POST
def erase_person(request: HttpRequest, pk: int) -> HttpResponse:
    subject = get_person_for_staff(request.user, pk)
    if refusal := require_fresh_sign_in(request, come_back_to=reverse("privacy:person", args=[pk])):
        return refusal
    if subject.pk == request.user.pk:
        messages.error(request, "Erase your own account from “Your data” on your account page.")
        return redirect("privacy:person", pk=pk)
    form = EraseAccountForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the reason for erasing this account, in up to 300 characters.")
        return redirect("privacy:person", pk=pk)
    try:
        services.erase_account(subject, actor=request.user, reason=form.cleaned_data["reason"])
    except PrivacyError as error:
        messages.error(request, f"Not erased: {error}")
    else:
        messages.success(request, "The account is erased. What was kept, and why, is listed below.")
    return redirect("privacy:person", pk=pk)


@staff_required
@require_GET
def retention(request: HttpRequest) -> HttpResponse:
    since = timezone.now() - datetime.timedelta(days=60)
    titles = {kind.key: kind.title for kind in retention_kinds()}
    return render(
        request,
        "privacy/retention.html",
        {
            "periods": _retention_periods(),
            "runs": [
                (run, [(titles.get(key, key), n) for key, n in run.removed.items() if n])
                for run in RetentionRun.objects.filter(started_at__gte=since)[:60]
            ],
            "erasures": ErasureRecord.objects.select_related("erased_by")[:50],
        },
    )
