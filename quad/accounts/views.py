from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods

from quad.accounts import queries, services, training
from quad.accounts.forms import ProfileForm, TrainingQuizForm, course_end_from_year
from quad.accounts.models import User
from quad.accounts.permissions import login_required
from quad.accounts.sections import sections_for
from quad.core.markdown import render_markdown


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/home.html",
        {
            "training": queries.valid_training(user),  # type: ignore[arg-type]
            "sections": [
                render_to_string(section.template, section.context, request=request)
                for section in sections_for(user)  # type: ignore[arg-type]
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {
        "display_name": user.display_name,  # type: ignore[union-attr]
        "course_end_year": str(user.course_ends_on.year) if user.course_ends_on else "",  # type: ignore[union-attr]
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.update_profile(
            user,  # type: ignore[arg-type]
            actor=user,
            display_name=form.cleaned_data["display_name"],
            course_ends_on=course_end_from_year(form.cleaned_data["course_end_year"]),
        )
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:home")
    return render(request, "accounts/edit_profile.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def take_training(request: HttpRequest) -> HttpResponse:
    form = TrainingQuizForm(request.POST or None)
    score = None
    if request.method == "POST" and form.is_valid():
        user = cast(User, request.user)
        score, record = services.take_training_quiz(user, form.cleaned_data, actor=user)
        if record is not None:
            messages.success(
                request, f"You passed with {score}%. Your GDPR training is valid until {record.expires_on:%-d %B %Y}."
            )
            return redirect("accounts:home")
        messages.error(
            request,
            f"You scored {score}%; the pass mark is {settings.GDPR_TRAINING_PASS_MARK}%. "
            "Read the guidance again and retry.",
        )
    return render(
        request,
        "accounts/take_training.html",
        {
            "form": form,
            "guidance": render_markdown(training.GUIDANCE),
            "pass_mark": settings.GDPR_TRAINING_PASS_MARK,
            "training": queries.valid_training(request.user),  # type: ignore[arg-type]
            "score": score,
        },
    )
