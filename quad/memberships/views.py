"""Membership types (finance power), member lists (member-data power + GDPR training, audit-logged)."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quad.accounts.permissions import login_required
from quad.core.academic import current_academic_year
from quad.memberships import queries, services
from quad.memberships.errors import MembershipError
from quad.memberships.forms import EditMembershipTypeForm, MembershipTypeForm, RemoveMemberForm
from quad.memberships.permissions import (
    get_member_data_access,
    get_membership_for_removal,
    get_membership_type_for_finance,
)
from quad.societies.models import Power
from quad.societies.permissions import get_society_for_committee


@login_required
@require_http_methods(["GET", "POST"])
def membership_types(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_society_for_committee(request.user, slug, power=Power.FINANCE if request.method == "POST" else None)
    form = MembershipTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_membership_type(
                access.society,
                actor=request.user,
                year=current_academic_year(),
                name=form.cleaned_data["name"],
                price_pence=form.price_pence(),
                limit=form.cleaned_data["limit"],
                sale_starts_at=form.cleaned_data["sale_starts_at"],
                sale_ends_at=form.cleaned_data["sale_ends_at"],
            )
        except MembershipError as error:
            form.add_error(None, str(error))
        else:
            name, starts = form.cleaned_data["name"], form.cleaned_data["sale_starts_at"]
            if starts and starts > timezone.now():
                messages.success(request, f"“{name}” goes on sale on {timezone.localtime(starts):%-d %B at %H:%M}.")
            else:
                messages.success(request, f"“{name}” is on sale on your mini site.")
            return redirect("memberships:membership-types", slug=slug)
    return render(
        request,
        "memberships/membership_types.html",
        {
            "access": access,
            "society": access.society,
            "types": queries.types_for(access.society),
            "form": form,
            "year": current_academic_year(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_membership_type(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, membership_type = get_membership_type_for_finance(request.user, slug, pk)
    initial = {
        "price": membership_type.variant.price_pence / 100,
        "limit": membership_type.quota.size if membership_type.quota else None,
        "sale_starts_at": membership_type.product.sale_starts_at,
        "sale_ends_at": membership_type.product.sale_ends_at,
        "on_sale": membership_type.product.is_active,
    }
    form = EditMembershipTypeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_membership_type(
                membership_type,
                actor=request.user,
                price_pence=form.price_pence(),
                limit=form.cleaned_data["limit"],
                sale_starts_at=form.cleaned_data["sale_starts_at"],
                sale_ends_at=form.cleaned_data["sale_ends_at"],
                on_sale=form.cleaned_data["on_sale"],
            )
        except MembershipError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Saved. A new price applies to later sales only.")
            return redirect("memberships:membership-types", slug=slug)
    return render(
        request,
        "memberships/edit_membership_type.html",
        {"access": access, "society": access.society, "membership_type": membership_type, "form": form},
    )


@login_required
@require_GET
def member_list(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_member_data_access(request.user, slug)
    query = request.GET.get("q", "").strip()[:100]
    members = list(queries.current_members(access.society, query=query))
    what = f"Member list of {access.society.name}" + (f" (search: '{query}')" if query else "")
    services.log_member_data_access(
        access.society,
        actor=request.user,
        action="viewed",
        what=what,
        subjects=[m.user_id for m in members],
        query=query,
    )
    return render(
        request,
        "memberships/member_list.html",
        {"access": access, "society": access.society, "members": members, "query": query, "form": RemoveMemberForm()},
    )


@login_required
@require_GET
def export_members(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_member_data_access(request.user, slug)
    members = list(queries.current_members(access.society))
    services.log_member_data_access(
        access.society,
        actor=request.user,
        action="exported",
        what=f"Member list export of {access.society.name} (CSV)",
        subjects=[m.user_id for m in members],
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{access.society.slug}-members-{timezone.localdate()}.csv"'
    writer = csv.writer(response)
    writer.writerow(["Name", "University email", "Membership", "Joined"])
    for membership in members:
        writer.writerow(
            [
                _csv_safe(membership.user.display_name),
                membership.user.email,
                _csv_safe(membership.membership_type.product.name),
                membership.starts_on.isoformat(),
            ]
        )
    return response


def _csv_safe(value: str) -> str:
    """Stop a spreadsheet treating a name like "=HYPERLINK(...)" as a formula."""
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


@login_required
@require_POST
def remove_member(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = get_membership_for_removal(request.user, slug, pk)
    form = RemoveMemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason: the member will be told it.")
        return redirect("memberships:member-list", slug=slug)
    try:
        services.remove_member(membership, actor=request.user, reason=form.cleaned_data["reason"])
    except MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{membership.user.display_name} is no longer a member, and has been told.")
    return redirect("memberships:member-list", slug=slug)
