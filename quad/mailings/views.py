"""Society email: the committee's mailings, compose and preview, progress, the welcome email; the
member's unsubscribe link and news choices; union staff's view of mail held for quiet hours."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quad.accounts.permissions import login_required, require_fresh_sign_in, staff_required
from quad.core import quiet_hours
from quad.core.forms import error_messages
from quad.mailings import audiences, queries, services
from quad.mailings.errors import MailingError
from quad.mailings.forms import MailingForm, SendForm, WelcomeEmailForm
from quad.mailings.models import Mailing
from quad.mailings.permissions import (
    get_article_for_mailing,
    get_mailing_for_committee,
    get_mailing_for_staff,
    get_society_for_mailings,
    get_unsubscribe_target,
)
from quad.mailings.rendering import UNSUBSCRIBE_PLACEHOLDER, render_mailing
from quad.societies.models import Power
from quad.societies.permissions import CommitteeAccess, get_visible_society


def _context(access: CommitteeAccess, **extra: Any) -> dict[str, Any]:
    return {"access": access, "society": access.society, "Power": Power, **extra}


def _mailing_fields(form: MailingForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "subject": data["subject"],
        "body": data["body"],
        "audience": data["audience"],
        "kind": data["kind"],
        "membership_type": data["membership_type"],
        "event": data["event"],
    }


@login_required
@require_GET
def society_mailings(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_society_for_mailings(request.user, slug)
    society = access.society
    return render(
        request,
        "mailings/society_mailings.html",
        _context(
            access,
            mailings=queries.mailings_of(society)[:50],
            last_emailed=services.last_emailed(society),
            not_emailed=services.members_not_emailed(society),
            daily_cap=settings.MAILINGS_DAILY_CAP,
            stale_days=settings.MAILINGS_STALE_DAYS,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def compose_mailing(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_society_for_mailings(request.user, slug, power=Power.EMAIL if request.method == "POST" else None)
    form = MailingForm(request.POST or None, society=access.society)
    if request.method == "POST" and form.is_valid():
        try:
            mailing = services.create_mailing(access.society, actor=request.user, **_mailing_fields(form))
        except MailingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Draft saved. Check the preview, then send or schedule it.")
            return redirect("mailings:mailing", pk=mailing.pk)
    return render(request, "mailings/compose_mailing.html", _context(access, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def edit_mailing(request: HttpRequest, pk: int) -> HttpResponse:
    access, mailing = get_mailing_for_committee(
        request.user, pk, power=Power.EMAIL if request.method == "POST" else None
    )
    initial = {
        "audience": mailing.audience,
        "membership_type": mailing.membership_type,
        "event": mailing.event,
        "kind": mailing.kind,
        "subject": mailing.subject,
        "body": mailing.body,
    }
    form = MailingForm(request.POST or None, society=access.society, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_mailing(mailing, actor=request.user, **_mailing_fields(form))
        except MailingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Draft saved.")
            return redirect("mailings:mailing", pk=mailing.pk)
    return render(request, "mailings/compose_mailing.html", _context(access, form=form, mailing=mailing))


@login_required
@require_GET
def mailing(request: HttpRequest, pk: int) -> HttpResponse:
    access, mailing = get_mailing_for_committee(request.user, pk)
    rendered = render_mailing(mailing)
    preview_html = rendered.html.replace(UNSUBSCRIBE_PLACEHOLDER, "#unsubscribe-link")
    return render(
        request,
        "mailings/mailing.html",
        _context(
            access,
            mailing=mailing,
            rendered=rendered,
            preview_html=preview_html,
            audience=audiences.describe(mailing),
            recipient_count=(audiences.recipient_count(mailing) if mailing.is_editable else mailing.recipient_count),
            progress=queries.progress(mailing),
            failures=queries.failure_reasons(mailing),
            send_form=SendForm(),
            quiet_hours=quiet_hours.describe(),
            quiet_now=quiet_hours.quiet_until() is not None,
        ),
    )


@login_required
@require_GET
def mailing_progress(request: HttpRequest, pk: int) -> HttpResponse:
    _, mailing = get_mailing_for_committee(request.user, pk)
    return render(request, "mailings/progress.html", {"mailing": mailing, "progress": queries.progress(mailing)})


@login_required
@require_POST
def send_mailing(request: HttpRequest, pk: int) -> HttpResponse:
    _, mailing = get_mailing_for_committee(request.user, pk, power=Power.EMAIL)
    if mailing.audience in services.MEMBER_AUDIENCES and (
        refusal := require_fresh_sign_in(request, come_back_to=mailing.get_absolute_url())
    ):
        # Bulk email to all members is a dangerous action (STYLE.md rule 11). They come back to the
        # mailing's page, not to this POST-only URL, and press Send again.
        return refusal
    form = SendForm(request.POST)
    if not form.is_valid():
        for message in error_messages(form):
            messages.error(request, message)
        return redirect("mailings:mailing", pk=mailing.pk)
    send_at = form.cleaned_data["send_at"] if form.cleaned_data["when"] == "later" else None
    try:
        mailing = services.send_mailing(mailing, actor=request.user, send_at=send_at)
    except MailingError as error:
        messages.error(request, str(error))
        return redirect("mailings:mailing", pk=mailing.pk)
    if mailing.status == Mailing.Status.SENDING:
        messages.success(request, f"Sending to {mailing.recipient_count} people.")
    elif mailing.held_for_quiet_hours:
        messages.info(
            request,
            f"It is quiet hours ({quiet_hours.describe()}), so this will go at "
            f"{timezone.localtime(mailing.send_at):%H:%M on %-d %B}."
            if mailing.send_at
            else "Held for quiet hours.",
        )
    else:
        messages.success(request, f"Scheduled for {timezone.localtime(mailing.send_at):%H:%M on %-d %B}.")
    return redirect("mailings:mailing", pk=mailing.pk)


@login_required
@require_POST
def cancel_mailing(request: HttpRequest, pk: int) -> HttpResponse:
    _, mailing = get_mailing_for_committee(request.user, pk, power=Power.EMAIL)
    try:
        services.cancel_mailing(mailing, actor=request.user)
    except MailingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Cancelled: it is a draft again.")
    return redirect("mailings:mailing", pk=mailing.pk)


@login_required
@require_POST
def delete_mailing(request: HttpRequest, pk: int) -> HttpResponse:
    access, mailing = get_mailing_for_committee(request.user, pk, power=Power.EMAIL)
    try:
        services.delete_draft(mailing, actor=request.user)
    except MailingError as error:
        messages.error(request, str(error))
        return redirect("mailings:mailing", pk=mailing.pk)
    messages.success(request, "Draft deleted.")
    return redirect("mailings:society-mailings", slug=access.society.slug)


@login_required
@require_POST
def email_article(request: HttpRequest, pk: int) -> HttpResponse:
    access, article = get_article_for_mailing(request.user, pk, power=Power.EMAIL)
    if not article.is_public:
        # Its "read it on our page" link would lead members to a page they cannot see yet.
        messages.error(request, "Publish the article first: members follow its link to read it on your page.")
        return redirect("news:edit-article", pk=article.pk)
    try:
        mailing = services.create_mailing(
            access.society, actor=request.user, subject=article.title, body=article.body, article=article
        )
    except MailingError as error:
        messages.error(request, str(error))
        return redirect("mailings:society-mailings", slug=access.society.slug)
    messages.success(request, "A draft with the article is ready. Check it, then send it.")
    return redirect("mailings:mailing", pk=mailing.pk)


@login_required
@require_http_methods(["GET", "POST"])
def welcome_email(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_society_for_mailings(request.user, slug, power=Power.EMAIL if request.method == "POST" else None)
    welcome = services.welcome_email_for(access.society)
    form = WelcomeEmailForm(
        request.POST or None, initial={"enabled": welcome.enabled, "subject": welcome.subject, "body": welcome.body}
    )
    if request.method == "POST" and form.is_valid():
        services.save_welcome_email(access.society, actor=request.user, **form.cleaned_data)
        messages.success(request, "Welcome email saved. New members get it as soon as they join.")
        return redirect("mailings:welcome-email", slug=slug)
    return render(request, "mailings/welcome_email.html", _context(access, form=form, welcome=welcome))


@staff_required
@require_GET
def held_mailings(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "mailings/held_mailings.html",
        {"mailings": queries.held_for_quiet_hours(), "quiet_hours": quiet_hours.describe()},
    )


@require_POST  # outermost: a GET is refused (405) before anyone is asked who they are
@staff_required
def mark_urgent(request: HttpRequest, pk: int) -> HttpResponse:
    mailing = get_mailing_for_staff(request.user, pk)
    try:
        services.mark_urgent(mailing, actor=request.user)
    except MailingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{mailing}” is marked urgent: quiet hours do not hold it.")
    return redirect("mailings:held-mailings")


@csrf_exempt  # RFC 8058 one-click unsubscribe: the mail client POSTs without our form; the link is signed
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user, society = get_unsubscribe_target(token)
    except signing.BadSignature:
        return render(request, "mailings/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        services.set_news_preference(user, society, receive=False, via="unsubscribe link")
        return render(request, "mailings/unsubscribe.html", {"society": society, "done": True})
    return render(request, "mailings/unsubscribe.html", {"society": society, "done": False})


@login_required
@require_POST
def news_preference(request: HttpRequest, slug: str) -> HttpResponse:
    society = get_visible_society(request.user, slug)
    receive = request.POST.get("receive") == "yes"
    services.set_news_preference(request.user, society, receive=receive)
    messages.success(
        request,
        f"You will get news from {society.name}." if receive else f"No more news email from {society.name}.",
    )
    return redirect("accounts:home")
