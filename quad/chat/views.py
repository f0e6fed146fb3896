"""Group chats over plain HTTP: the invite page, the group with its history, posting, and catching up
by sequence number (the page polls for what came after the last message it has)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quad.accounts.permissions import login_required
from quad.chat import queries, services
from quad.chat.errors import ChatError
from quad.chat.forms import GroupForm, MessageForm, ReasonForm
from quad.chat.models import ChatGroup, GroupMember, Guidelines, Message
from quad.chat.permissions import get_group_for_moderator, get_group_for_poster, get_group_for_reader
from quad.core.forms import error_messages
from quad.societies.models import Power
from quad.societies.permissions import get_society_for_committee


@login_required
@require_GET
def my_groups(request: HttpRequest) -> HttpResponse:
    return render(request, "chat/my_groups.html", {"memberships": queries.groups_of(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def society_groups(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_society_for_committee(request.user, slug, power=Power.MODERATE if request.method == "POST" else None)
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.create_group(actor=request.user, society=access.society, **form.cleaned_data)
        except ChatError as error:
            form.add_error(None, str(error))
        else:
            flash.success(request, f"“{group}” is open. Share its invite link with your members.")
            return redirect("chat:society-groups", slug=slug)
    return render(
        request,
        "chat/society_groups.html",
        {"access": access, "society": access.society, "groups": queries.society_groups(access.society), "form": form},
    )


@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, token: str) -> HttpResponse:
    """The invite link: the group's purpose and guidelines first (W3, W6); joining needs a signed-in,
    eligible student (W4). Anyone else is told why, never shown the group's messages."""
    group = get_object_or_404(ChatGroup.objects.select_related("society"), invite_token=token, archived_at__isnull=True)
    guidelines = Guidelines.objects.filter(group=group).order_by("-version").first()
    refusal = ""
    if request.user.is_authenticated:
        try:
            services.check_can_join(request.user, group)
        except ChatError as error:
            refusal = str(error)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        try:
            member = services.join_group(request.user, group, token=token)
            if guidelines is not None and request.POST.get("accept") == "yes":
                services.accept_guidelines(member, version=guidelines.version)
        except ChatError as error:
            flash.error(request, str(error))
            return redirect("chat:invite", token=token)
        return redirect("chat:group", pk=group.pk)
    return render(request, "chat/invite.html", {"group": group, "guidelines": guidelines, "refusal": refusal})


@login_required
@require_GET
def group(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_group_for_reader(request.user, pk)
    guidelines = Guidelines.objects.filter(group=access.group).order_by("-version").first()
    history = queries.messages(access.group) if access.can_read else []
    if access.member is not None and history:
        services.mark_read(access.member, seq=history[-1].seq)
    return render(
        request,
        "chat/group.html",
        {
            "access": access,
            "group": access.group,
            "guidelines": guidelines,
            "history": history,
            "last_seq": history[-1].seq if history else 0,
            "form": MessageForm(),
            "present": queries.present_members(access.group) if access.moderator else [],
        },
    )


@login_required
@require_POST
def accept_guidelines(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_group_for_reader(request.user, pk)
    if access.member is None:  # union staff watching a group accept nothing: they are not in it
        return redirect("chat:group", pk=pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0  # no version is never the current one: the service says so in words, not int()'s
    try:
        services.accept_guidelines(access.member, version=version)
    except ChatError as error:
        flash.error(request, str(error))
    return redirect("chat:group", pk=pk)


@login_required
@require_GET
def messages_after(request: HttpRequest, pk: int) -> HttpResponse:
    """Catch up: the messages after ?after=N (polling, or a reconnecting page), as HTML rows."""
    access = get_group_for_reader(request.user, pk)
    if not access.can_read:
        return HttpResponse(status=204)
    try:
        after = max(0, int(request.GET.get("after", "0")))
    except ValueError:
        after = 0
    found = queries.messages(access.group, after=after)
    if not found and request.htmx:  # type: ignore[attr-defined]
        # Nothing new. htmx leaves the poller in place on 204; an empty 200 would swap it out (outerHTML)
        # and the page would stop asking.
        return HttpResponse(status=204)
    if access.member is not None and found:
        services.mark_read(access.member, seq=found[-1].seq)
    return render(
        request,
        "chat/messages.html",
        {"access": access, "group": access.group, "history": found, "last_seq": found[-1].seq if found else after},
    )


@login_required
@require_POST
def post_message(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_group_for_poster(request.user, pk)
    form = MessageForm(request.POST)
    if not form.is_valid():
        for text in error_messages(form):
            flash.error(request, text)
        return redirect("chat:group", pk=pk)
    assert access.member is not None  # can_post holds only for members
    try:
        services.post_message(access.member, form.cleaned_data["body"], in_quiet_hours=form.cleaned_data["post_anyway"])
    except services.QuietHours as quiet:
        return render(
            request,
            "chat/quiet_hours.html",
            {"group": access.group, "body": form.cleaned_data["body"], "until": quiet.until},
        )
    except ChatError as error:
        flash.error(request, str(error))
    return redirect("chat:group", pk=pk)


@login_required
@require_POST
def leave_group(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_group_for_reader(request.user, pk)
    if access.member is not None:
        services.leave_group(access.member)
        flash.success(request, f"You left “{access.group}”.")
    return redirect("chat:my-groups")


@login_required
@require_POST
def mute_group(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_group_for_reader(request.user, pk)
    if access.member is not None:
        services.set_muted(access.member, muted=request.POST.get("muted") == "yes")
    return redirect("chat:group", pk=pk)


@login_required
@require_POST
def hide_message(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(Message, pk=pk)
    get_group_for_moderator(request.user, message.group_id)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ChatError(" ".join(error_messages(form)))
        services.hide_message(message, actor=request.user, reason=form.cleaned_data["reason"])
    except ChatError as error:
        flash.error(request, str(error))
    else:
        flash.success(request, "Hidden. Members no longer see it; union staff can.")
    return redirect("chat:group", pk=message.group_id)


@login_required
@require_POST
def remove_member(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    access = get_group_for_moderator(request.user, pk)
    member = get_object_or_404(GroupMember, pk=member_pk, group=access.group, removed_at__isnull=True)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ChatError(" ".join(error_messages(form)))
        services.remove_member(member, actor=request.user, reason=form.cleaned_data["reason"])
    except ChatError as error:
        flash.error(request, str(error))
    else:
        flash.success(request, f"{member.user.display_name} is removed and cannot rejoin.")
    return redirect("chat:group", pk=pk)


@login_required
@require_POST
def rotate_invite(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_group_for_moderator(request.user, pk)
    services.rotate_invite(access.group, actor=request.user)
    flash.success(request, "New invite link made: the old one no longer works.")
    return redirect("chat:group", pk=pk)
