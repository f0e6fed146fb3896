"""Society views: each reads its form, fetches through a permission helper, calls one service,
maps SocietyError to a form error or message, and redirects (or renders a partial for htmx)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quad.accounts.permissions import login_required, require_student
from quad.societies import queries, services
from quad.societies.errors import SocietyError
from quad.societies.forms import (
    CommitteeTermForm,
    FAQItemForm,
    HandoverForm,
    MiniSiteForm,
    PositionForm,
    PositionPowersForm,
    SocialLinksForm,
    SocietyApplicationForm,
)
from quad.societies.models import Category, CommitteeTerm, FAQItem, Position, Power
from quad.societies.permissions import (
    CommitteeAccess,
    get_society_application,
    get_society_for_committee,
    get_society_for_handover,
    get_visible_society,
)
from quad.societies.sections import manage_facts, sections_for

# --- Public -------------------------------------------------------------------------------------


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("category", "").strip()[:60]
    context = {
        "societies": queries.directory(query=query, category_slug=category),
        "categories": Category.objects.all(),
        "query": query,
        "category": category,
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "societies/directory.html#results", context)
    return render(request, "societies/directory.html", context)


@require_GET
def mini_site(request: HttpRequest, slug: str) -> HttpResponse:
    society = get_visible_society(request.user, slug)
    if not society.is_public:
        return redirect("societies:application", slug=slug)
    return render(
        request,
        "societies/mini_site.html",
        {
            "society": society,
            "committee": queries.current_terms(society),
            "links": society.social_links.all(),
            "faq": society.faq.all(),
            "is_committee": bool(queries.terms_of(request.user, society)),  # type: ignore[arg-type]
            "sections": {
                slot: render_to_string(section.template, section.context, request=request)
                for slot, section in sections_for(society, request.user).items()
            },
        },
    )


# --- Founding ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def apply_for_society(request: HttpRequest) -> HttpResponse:
    applicant = require_student(request.user, doing="found a society")
    form = SocietyApplicationForm(request.POST or None, applicant=applicant)
    if request.method == "POST" and form.is_valid():
        try:
            society = services.apply_for_society(
                applicant,
                name=form.cleaned_data["name"],
                category=form.cleaned_data["category"],
                purpose=form.cleaned_data["purpose"],
                constitution=form.cleaned_data["constitution"],
                committee=form.committee(),
            )
        except SocietyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your application has been sent to the union. We have emailed your committee.")
            return redirect("societies:application", slug=society.slug)
    return render(request, "societies/apply_for_society.html", {"form": form})


@login_required
@require_GET
def application(request: HttpRequest, slug: str) -> HttpResponse:
    society = get_society_application(request.user, slug)
    return render(
        request,
        "societies/application.html",
        {"society": society, "proposed": society.proposed_committee.all()},
    )


# --- Management area ---------------------------------------------------------------------------


def _manage_context(access: CommitteeAccess, **extra: object) -> dict[str, object]:
    return {"access": access, "society": access.society, "Power": Power, **extra}


@login_required
@require_GET
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_society_for_committee(request.user, slug)
    return render(
        request,
        "societies/manage.html",
        _manage_context(
            access,
            handover=queries.handover_for_next_year(access.society),
            facts=manage_facts(access.society),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_mini_site(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_society_for_committee(
        request.user, slug, power=Power.MANAGE_SITE if request.method == "POST" else None
    )
    society = access.society
    initial = {"purpose": society.purpose, "meeting_info": society.meeting_info, "contact_email": society.contact_email}
    form = MiniSiteForm(request.POST or None, request.FILES or None, initial=initial, has_logo=bool(society.logo))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_mini_site(
                society,
                actor=request.user,
                purpose=form.cleaned_data["purpose"],
                meeting_info=form.cleaned_data["meeting_info"],
                contact_email=form.cleaned_data["contact_email"],
                logo=form.cleaned_data["logo"],
                remove_logo=form.cleaned_data.get("remove_logo", False),
            )
        except SocietyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The mini site is updated.")
            return redirect("societies:edit-mini-site", slug=slug)
    return render(request, "societies/edit_mini_site.html", _manage_context(access, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def edit_social_links(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_society_for_committee(
        request.user, slug, power=Power.MANAGE_SITE if request.method == "POST" else None
    )
    society = access.society
    initial = {link.platform: link.url for link in society.social_links.all()}
    form = SocialLinksForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.set_social_links(society, actor=request.user, links=form.cleaned_data)
        messages.success(request, "Social links saved.")
        return redirect("societies:edit-social-links", slug=slug)
    return render(request, "societies/edit_social_links.html", _manage_context(access, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def edit_faq(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_society_for_committee(
        request.user, slug, power=Power.MANAGE_SITE if request.method == "POST" else None
    )
    form = FAQItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.add_faq_item(access.society, actor=request.user, **form.cleaned_data)
        messages.success(request, "Question added.")
        return redirect("societies:edit-faq", slug=slug)
    return render(request, "societies/edit_faq.html", _manage_context(access, form=form, faq=access.society.faq.all()))


@login_required
@require_POST
def remove_faq_item(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    access = get_society_for_committee(request.user, slug, power=Power.MANAGE_SITE)
    item = get_object_or_404(FAQItem, pk=item_id, society=access.society)
    services.remove_faq_item(item, actor=request.user)
    messages.success(request, "Question removed.")
    return redirect("societies:edit-faq", slug=slug)


@login_required
@require_GET
def manage_committee(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_society_for_committee(request.user, slug)
    return _render_committee(request, access, CommitteeTermForm(society=access.society))


def _render_committee(
    request: HttpRequest, access: CommitteeAccess, term_form: CommitteeTermForm, *, status: int = 200
) -> HttpResponse:
    society = access.society
    return render(
        request,
        "societies/manage_committee.html",
        _manage_context(
            access,
            current=queries.current_terms(society),
            upcoming=queries.upcoming_terms(society),
            positions=society.positions.all(),
            term_form=term_form,
            position_form=PositionForm(),
        ),
        status=status,
    )


@login_required
@require_POST
def grant_committee_term(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_society_for_committee(request.user, slug, power=Power.MANAGE_COMMITTEE)
    society = access.society
    form = CommitteeTermForm(request.POST, society=society)
    if form.is_valid():
        try:
            term = services.grant_committee_term(
                society,
                form.cleaned_data["email"],
                form.cleaned_data["position"],
                actor=request.user,
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
            )
        except SocietyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{term.user} is {term.position} from {term.starts_on:%-d %B %Y}.")
            return redirect("societies:manage-committee", slug=slug)
    return _render_committee(request, access, form, status=400)


@login_required
@require_POST
def end_committee_term(request: HttpRequest, slug: str, term_id: int) -> HttpResponse:
    access = get_society_for_committee(request.user, slug, power=Power.MANAGE_COMMITTEE)
    term = get_object_or_404(CommitteeTerm, pk=term_id, society=access.society)
    try:
        services.end_committee_term(term, actor=request.user)
    except SocietyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{term.user}'s term as {term.position} has ended.")
    return redirect("societies:manage-committee", slug=slug)


@login_required
@require_POST
def create_position(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_society_for_committee(request.user, slug, power=Power.MANAGE_COMMITTEE)
    form = PositionForm(request.POST)
    if form.is_valid():
        try:
            services.create_position(access.society, actor=request.user, **form.cleaned_data)
        except SocietyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Position “{form.cleaned_data['name']}” created.")
    else:
        messages.error(request, "Give the position a name.")
    return redirect("societies:manage-committee", slug=slug)


@login_required
@require_POST
def set_position_powers(request: HttpRequest, slug: str, position_id: int) -> HttpResponse:
    access = get_society_for_committee(request.user, slug, power=Power.MANAGE_COMMITTEE)
    position = get_object_or_404(Position, pk=position_id, society=access.society)
    form = PositionPowersForm(request.POST)
    if form.is_valid():
        services.set_position_powers(position, actor=request.user, powers=form.cleaned_data["powers"])
        messages.success(request, f"Powers of {position} saved.")
    return redirect("societies:manage-committee", slug=slug)


# --- Handover ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def handover(request: HttpRequest, slug: str) -> HttpResponse:
    society, may_write, is_incoming = get_society_for_handover(
        request.user, slug, to="write" if request.method == "POST" else "read"
    )
    note = queries.handover_for_next_year(society)
    initial = {"work_in_flight": note.work_in_flight, "external_accounts": note.external_accounts} if note else None
    form = HandoverForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.write_handover(society, actor=request.user, **form.cleaned_data)
        except SocietyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Handover notes saved. The incoming committee can read them now.")
            return redirect("societies:handover", slug=slug)
    return render(
        request,
        "societies/handover.html",
        {"society": society, "note": note, "form": form, "may_write": may_write, "is_incoming": is_incoming},
    )


@login_required
@require_POST
def acknowledge_handover(request: HttpRequest, slug: str) -> HttpResponse:
    society, _may_write, _is_incoming = get_society_for_handover(request.user, slug, to="acknowledge")
    note = queries.handover_for_next_year(society)
    if note is None:
        messages.error(request, "There are no handover notes to acknowledge yet.")
        return redirect("societies:handover", slug=slug)
    try:
        services.acknowledge_handover(note, actor=request.user)  # type: ignore[arg-type]
    except SocietyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Thank you: the handover is complete.")
    return redirect("societies:handover", slug=slug)
