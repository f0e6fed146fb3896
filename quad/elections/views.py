"""Elections: calling one, nominations, the ballot, the count, results, complaints and certification."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quad.accounts.models import User
from quad.accounts.permissions import login_required, require_fresh_sign_in
from quad.core.access_log import record_access
from quad.core.forms import error_messages
from quad.core.markdown import render_markdown
from quad.elections import queries, services
from quad.elections.errors import ElectionError
from quad.elections.forms import (
    AnswerComplaintForm,
    BallotForm,
    ComplaintForm,
    ElectionForm,
    NominationForm,
    PostForm,
    ReceiptForm,
    ordinal,
)
from quad.elections.models import Election
from quad.elections.permissions import (
    ElectionsAccess,
    can_organise,
    get_complaint_for_returning_officer,
    get_counted_election,
    get_election,
    get_election_for_organiser,
    get_election_for_returning_officer,
    get_election_for_voter,
    get_own_candidacy,
    get_post,
    get_post_for_voter,
    get_society_for_elections,
)


def _management(access: ElectionsAccess) -> dict[str, Any]:
    """Context for the management pages: the committee's area, or a plain page for union staff."""
    return {
        "society": access.society,
        "access": access.committee,
        "elections_access": access,
        "manage_base": "elections/staff_base.html" if access.is_staff else "societies/manage_base.html",
    }


# --- Organisers --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def society_elections(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_society_for_elections(request.user, slug, write=request.method == "POST")
    form = ElectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            election = services.create_election(access.society, actor=request.user, **form.cleaned_data)
        except ElectionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Election called, and eligible members emailed. Now add the posts to fill.")
            return redirect("elections:manage-election", pk=election.pk)
    elections = Election.objects.filter(society=access.society).order_by("-voting_open_at")[:50]
    return render(
        request,
        "elections/society_elections.html",
        {**_management(access), "elections": elections, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_election(request: HttpRequest, pk: int) -> HttpResponse:
    election, access = get_election_for_organiser(request.user, pk, write=request.method == "POST")
    form = PostForm(request.POST or None, society=election.society)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_post(
                election, actor=request.user, name=data["name"], seats=data["seats"], position=data["position"]
            )
        except ElectionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{data['name']} added. RON is on its ballot.")
            return redirect("elections:manage-election", pk=pk)
    voted, eligible = queries.turnout_by_post(election)
    posts = queries.posts_with_candidates(election)
    for post in posts:
        post.voted = voted.get(post.pk, 0)  # type: ignore[attr-defined]
    return render(
        request,
        "elections/manage_election.html",
        {
            **_management(access),
            "election": election,
            "posts": posts,
            "eligible": eligible,
            "voting_started": election.phase in {"voting", "closed", "counted", "certified"},
            "form": form,
        },
    )


@login_required
@require_POST
def send_reminders(request: HttpRequest, pk: int) -> HttpResponse:
    election, _ = get_election_for_organiser(request.user, pk, write=True)
    try:
        sent = services.send_reminders(election, actor=request.user)
    except ElectionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Reminder sent to {sent} member{'s' if sent != 1 else ''} yet to vote.")
    return redirect("elections:manage-election", pk=pk)


# --- The public election page ------------------------------------------------------------------


@require_GET
def election(request: HttpRequest, pk: int) -> HttpResponse:
    the_election = get_election(request.user, pk)
    user = request.user
    posts = queries.posts_with_candidates(the_election)
    for post in posts:
        for candidate in post.standing:  # type: ignore[attr-defined]
            candidate.manifesto_html = render_markdown(candidate.manifesto)
    signed_in = user.is_authenticated
    return render(
        request,
        "elections/election.html",
        {
            "election": the_election,
            "society": the_election.society,
            "posts": posts,
            "phase": the_election.phase,
            "eligible": signed_in and services.is_eligible(user, the_election),
            "voted": queries.voted_post_ids(the_election, user),
            "standing_for": {
                c.post_id: c
                for post in posts
                for c in post.standing  # type: ignore[attr-defined]
                if signed_in and c.user_id == user.pk
            },
            "is_organiser": signed_in and can_organise(user, the_election.society.slug),
            "is_returning_officer": signed_in and user.pk == the_election.returning_officer_id,
        },
    )


# --- Standing ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def nominate(request: HttpRequest, pk: int, post_id: int) -> HttpResponse:
    the_election, post = get_post_for_voter(request.user, pk, post_id, doing="stand in this election")
    if the_election.phase != "nominations":
        messages.error(request, "Nominations are not open.")
        return redirect(the_election)
    if post.candidates.filter(user=cast(User, request.user)).exists():
        messages.info(request, f"You have already stood for {post.name}.")
        return redirect(the_election)
    form = NominationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.nominate(
                post, user=request.user, manifesto=form.cleaned_data["manifesto"], photo=form.cleaned_data["photo"]
            )
        except ElectionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"You are standing for {post.name}. Your manifesto is published below.")
            return redirect(the_election)
    return render(request, "elections/nominate.html", {"election": the_election, "post": post, "form": form})


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int, candidate_id: int) -> HttpResponse:
    candidate = get_own_candidacy(request.user, pk, candidate_id)
    try:
        services.withdraw_candidate(candidate, actor=request.user)
    except ElectionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"You have withdrawn from the election for {candidate.post.name}.")
    return redirect("elections:election", pk=pk)


# --- Voting ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest, pk: int, post_id: int) -> HttpResponse:
    the_election, post = get_post_for_voter(request.user, pk, post_id, doing="vote in this election")
    if the_election.phase != "voting":
        messages.error(request, "Voting is not open.")
        return redirect(the_election)
    if services.has_voted(post, request.user):
        messages.info(request, f"You have voted for {post.name}. A vote cannot be changed.")
        return redirect(the_election)
    candidates = services.standing(post)
    form = BallotForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        ranking = form.ranking()
        try:
            code = services.cast_ballot(post, voter=request.user, ranking=ranking)
        except ElectionError as error:
            form.add_error(None, str(error))
        else:
            # Rendered, not redirected: the receipt code must not wait in the session, tied to the voter.
            names = {c.pk: c.name for c in candidates}
            voted = queries.voted_post_ids(the_election, request.user)
            response = render(
                request,
                "elections/vote_cast.html",
                {
                    "election": the_election,
                    "post": post,
                    "receipt_code": code,
                    "ballot": [(ordinal(n), names[pk]) for n, pk in enumerate(ranking, start=1)],
                    "next_post": the_election.posts.exclude(pk__in=voted).first(),
                },
            )
            add_never_cache_headers(response)
            return response
    return render(request, "elections/vote.html", {"election": the_election, "post": post, "form": form})


# --- Results -----------------------------------------------------------------------------------


@require_GET
def results(request: HttpRequest, pk: int) -> HttpResponse:
    the_election = get_counted_election(request.user, pk)
    user = request.user
    closes = the_election.complaints_close_at
    complaints_open = the_election.phase == "counted" and (closes is None or timezone.now() < closes)
    return render(
        request,
        "elections/results.html",
        {
            "election": the_election,
            "society": the_election.society,
            "results": queries.results_for(the_election),
            "receipt_form": ReceiptForm(),
            "complaint_form": ComplaintForm()
            if complaints_open and user.is_authenticated and services.is_eligible(user, the_election)
            else None,
            "complaints_open": complaints_open,
        },
    )


@require_GET
def download_blt(request: HttpRequest, pk: int, post_id: int) -> HttpResponse:
    the_election = get_counted_election(request.user, pk)
    post = get_post(request.user, the_election, post_id)
    response = HttpResponse(services.blt_for(post), content_type="text/plain; charset=utf-8")
    name = slugify(f"{the_election.society.slug} {the_election.title} {post.name}") or "ballots"
    response["Content-Disposition"] = f'attachment; filename="{name}.blt"'
    return response


@require_GET
def check_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    the_election = get_counted_election(request.user, pk)
    form = ReceiptForm(request.GET or None)
    found = queries.find_receipt(the_election, form.cleaned_data["code"]) if form.is_valid() else None
    return render(
        request,
        "elections/check_receipt.html",
        {"election": the_election, "form": form, "checked": form.is_bound and form.is_valid(), "found": found},
    )


@login_required
@require_POST
def file_complaint(request: HttpRequest, pk: int) -> HttpResponse:
    the_election = get_election_for_voter(request.user, pk, doing="complain about this election")
    form = ComplaintForm(request.POST)
    if not form.is_valid():
        for text in error_messages(form):
            messages.error(request, text)
    else:
        try:
            services.file_complaint(the_election, complainant=request.user, text=form.cleaned_data["text"])
        except ElectionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Your complaint is with the returning officer, who will reply by email.")
    if the_election.counted_at:
        return redirect("elections:results", pk=pk)
    return redirect(the_election)


# --- The returning officer ---------------------------------------------------------------------


@login_required
@require_GET
def returning_officer(request: HttpRequest, pk: int) -> HttpResponse:
    the_election = get_election_for_returning_officer(request.user, pk)
    complaints = list(the_election.complaints.select_related("complainant").order_by("created_at"))
    if complaints:
        # Complainants are named beside what they wrote: the view is logged (the count and phase are not).
        record_access(
            request.user,
            "elections.complaints.viewed",
            what=f"Complaints about {the_election.title} ({the_election.society.name})",
            scope=the_election.society.audit_scope,
            subjects=[c.complainant_id for c in complaints if c.complainant_id is not None],
        )
    for complaint in complaints:
        complaint.form = AnswerComplaintForm(auto_id=f"complaint-{complaint.pk}-%s")  # type: ignore[attr-defined]
    voted, eligible = queries.turnout_by_post(the_election)
    return render(
        request,
        "elections/returning_officer.html",
        {
            "election": the_election,
            "phase": the_election.phase,
            "posts": [(post, voted.get(post.pk, 0)) for post in the_election.posts.all()],
            "eligible": eligible,
            "complaints": complaints,
            "open_complaints": sum(c.status == c.Status.OPEN for c in complaints),
        },
    )


@login_required
@require_POST
def answer_complaint(request: HttpRequest, pk: int, complaint_id: int) -> HttpResponse:
    complaint = get_complaint_for_returning_officer(request.user, pk, complaint_id)
    form = AnswerComplaintForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to uphold or dismiss the complaint, and write a response.")
    else:
        try:
            services.answer_complaint(
                complaint,
                actor=request.user,
                upheld=form.cleaned_data["decision"] == complaint.Status.UPHELD,
                response=form.cleaned_data["response"],
            )
        except ElectionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Complaint answered.")
    return redirect("elections:returning-officer", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def count(request: HttpRequest, pk: int) -> HttpResponse:
    the_election = get_election_for_returning_officer(request.user, pk)
    if (reauthenticate := require_fresh_sign_in(request)) is not None:
        return reauthenticate
    if request.method == "POST":
        try:
            services.count_election(the_election, actor=request.user)
        except ElectionError as error:
            messages.error(request, str(error))
            return redirect("elections:returning-officer", pk=pk)
        messages.success(request, "Counted. The results are published, and eligible members have been emailed.")
        return redirect("elections:results", pk=pk)
    voted, _ = queries.turnout_by_post(the_election)
    return render(
        request,
        "elections/count.html",
        {
            "election": the_election,
            "phase": the_election.phase,
            "posts": [(post, voted.get(post.pk, 0)) for post in the_election.posts.all()],
        },
    )


@login_required
@require_POST
def certify(request: HttpRequest, pk: int) -> HttpResponse:
    the_election = get_election_for_returning_officer(request.user, pk)
    try:
        services.certify_election(the_election, actor=request.user)
    except ElectionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Certified. The winners take office on {the_election.term_starts_on:%-d %B %Y}.",
        )
    return redirect("elections:returning-officer", pk=pk)
