"""Group chats over plain HTTP: the invite page, the group with its history, posting, and catching up
by sequence number (the page polls for what came after the last message it has)."""

from __future__ import annotations

import datetime

from django.contrib import messages as flash
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quad.accounts.permissions import login_required, require_fresh_sign_in, staff_required
from quad.chat import invite_requests, invites, queries, scheduling, services
from quad.chat.errors import ChatError
from quad.chat.forms import (
    EditForm,
    EligibleForm,
    GroupForm,
    GroupSettingsForm,
    InviteDecisionForm,
    InviteRequestForm,
    MessageForm,
    ReadOnlyForm,
    ReasonForm,
    ThreadForm,
)
from quad.chat.models import (
    ChatGroup,
    GroupMember,
    Guidelines,
    Message,
    ModeratorThread,
    NoticeText,
    RepEligibility,
    ScheduledPost,
)
from quad.chat.permissions import (
    asks_for_invites,
    get_group_for_moderator,
    get_group_for_poster,
    get_group_for_reader,
    get_group_for_staff,
    get_invite_request_for_decision,
    get_message_for_author,
    get_message_for_reactor,
    get_rep_group_for_invite_request,
    get_thread,
)
from quad.chat.scoring import nudge
from quad.core.forms import error_messages
from quad.core.redirects import safe_next
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
    form = MessageForm()
    replying = None
    if access.can_post and (reply := request.GET.get("reply", "")).isdigit():
        replying = Message.objects.filter(group=access.group, seq=int(reply), hidden_at=None, deleted_at=None).first()
        if replying is not None:
            form = MessageForm(initial={"reply_to": replying.seq})
    asking = asks_for_invites(access)
    return render(
        request,
        "chat/group.html",
        {
            "access": access,
            "group": access.group,
            "guidelines": guidelines,
            "history": history,
            "first_seq": history[0].seq if history else 0,
            "last_seq": history[-1].seq if history else 0,
            "form": form,
            "replying": replying,
            "read_only_form": ReadOnlyForm(),
            "now": timezone.now(),
            # The actions of a live row (chat.js fills in each message): message 0, in this group.
            "action_template": {"pk": 0, "seq": 0, "group_id": access.group.pk, "author_member_pk": 0},
            "sibling_groups": queries.society_groups(access.group.society).exclude(pk=access.group.pk)
            if access.moderator and access.group.society
            else [],
            "threads": ModeratorThread.objects.filter(group=access.group).select_related("member")
            if access.moderator
            else [],
            "my_threads": ModeratorThread.objects.filter(group=access.group, member_id=request.user.pk)
            if not access.moderator
            else [],
            "present": queries.present_members(access.group) if access.moderator else [],
            # A rep group's own moderators ask the union to let more people in, and read the answers here.
            "asks_for_invites": asking,
            "invite_requests": queries.invite_requests_for(access.group) if asking else [],
            "invite_request_form": InviteRequestForm() if asking else None,
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
    before = request.GET.get("before", "")
    if before.isdigit():
        # Scrolling back: the page of messages before `before`, and a link to the page before that.
        earlier = queries.messages(access.group, before=int(before))
        return render(
            request,
            "chat/earlier.html",
            {
                "access": access,
                "group": access.group,
                "history": earlier,
                "first_seq": earlier[0].seq if earlier else 0,
            },
        )
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
    data = form.cleaned_data
    reply_to = None
    if data["reply_to"]:
        reply_to = Message.objects.filter(group=access.group, seq=data["reply_to"]).first()
    # The warning comes from the quick check before saving; the full scorer reads every message after
    # it is saved, off this request (scoring.receivers).
    if not data["nudged"] and (warning := nudge(data["body"])):
        return render(request, "chat/nudge.html", {"group": access.group, "data": data, "warning": warning})
    try:
        services.post_message(
            access.member, data["body"], reply_to=reply_to, in_quiet_hours=data["post_anyway"], access=access
        )
    except services.QuietHours as quiet:
        return render(
            request,
            "chat/quiet_hours.html",
            {"group": access.group, "body": data["body"], "data": data, "until": quiet.until},
        )
    except ChatError as error:
        flash.error(request, str(error))
    return redirect("chat:group", pk=pk)


@login_required
@require_POST
def edit_message(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_message_for_author(request.user, pk)
    form = EditForm(request.POST)
    try:
        if not form.is_valid():
            raise ChatError(" ".join(error_messages(form)))
        services.edit_message(message, actor=request.user, body=form.cleaned_data["body"])
    except ChatError as error:
        flash.error(request, str(error))
    return redirect(f"{message.group.get_absolute_url()}#m{message.seq}")


@login_required
@require_POST
def delete_message(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_message_for_author(request.user, pk)
    services.delete_message(message, actor=request.user)
    flash.success(request, "Deleted. Nobody sees it now.")
    return redirect("chat:group", pk=message.group_id)


@login_required
@require_POST
def react(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_message_for_reactor(request.user, pk)
    try:
        services.react(message, user=request.user, emoji=request.POST.get("emoji", ""))
    except ChatError as error:
        flash.error(request, str(error))
    return redirect(f"{message.group.get_absolute_url()}#m{message.seq}")


@login_required
@require_POST
def make_read_only(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    access = get_group_for_moderator(request.user, pk)
    member = get_object_or_404(
        GroupMember.objects.select_related("user"), pk=member_pk, group=access.group, removed_at__isnull=True
    )
    form = ReadOnlyForm(request.POST)
    try:
        if not form.is_valid():
            raise ChatError(" ".join(error_messages(form)))
        until = timezone.now() + datetime.timedelta(days=form.cleaned_data["days"])
        services.make_read_only(member, actor=request.user, until=until, reason=form.cleaned_data["reason"])
    except ChatError as error:
        flash.error(request, str(error))
    else:
        flash.success(
            request,
            f"{member.user.display_name} can read but not post until {timezone.localtime(until):%-d %B, %H:%M}.",
        )
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


# --- Invites by email, union rep groups, posts kept for the morning ---------------------------------


@login_required
@require_POST
def email_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Email the invite link and its QR code to everyone eligible who has not had it (W5, W9). Bulk email
    to members asks for a fresh sign-in first (STYLE.md rule 11), coming back to the group's page."""
    access = get_group_for_moderator(request.user, pk)
    if refusal := require_fresh_sign_in(request, come_back_to=access.group.get_absolute_url()):
        return refusal
    try:
        count = invites.email_invite(access.group, actor=request.user)
    except ChatError as error:
        flash.error(request, str(error))
    else:
        people = "person" if count == 1 else "people"
        flash.success(request, f"Emailed the invite link and its QR code to {count} {people}.")
    return redirect("chat:group", pk=pk)


@staff_required
@require_http_methods(["GET", "POST"])
def rep_groups(request: HttpRequest) -> HttpResponse:
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.create_group(actor=request.user, **form.cleaned_data)
        except ChatError as error:
            form.add_error(None, str(error))
        else:
            flash.success(request, f"“{group}” is open. Now choose who may join it.")
            return redirect("chat:rep-eligible", pk=group.pk)
    return render(request, "chat/rep_groups.html", {"groups": invites.rep_groups(), "form": form})


@staff_required
@require_http_methods(["GET", "POST"])
def rep_eligible(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff choose the students who may join a rep group (W9): all the addresses given, or none."""
    group = get_object_or_404(ChatGroup, pk=pk, kind=ChatGroup.Kind.REP, archived_at__isnull=True)
    form = EligibleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        people = form.cleaned_data["emails"]
        try:
            added = services.make_eligible(group, people, actor=request.user)
        except ChatError as error:
            form.add_error(None, str(error))
        else:
            already = len(people) - added
            flash.success(request, f"{added} added." + (f" {already} had been chosen already." if already else ""))
            return redirect("chat:rep-eligible", pk=pk)
    chosen = RepEligibility.objects.filter(group=group).select_related("user").order_by("user__display_name", "pk")
    present = set(queries.present_members(group).values_list("user_id", flat=True))
    return render(
        request, "chat/rep_eligible.html", {"group": group, "form": form, "chosen": chosen, "present": present}
    )


@login_required
@require_POST
def request_invites(request: HttpRequest, pk: int) -> HttpResponse:
    """A rep group's moderator asks the union to let more people join (W9); staff decide on the console."""
    access = get_rep_group_for_invite_request(request.user, pk)
    form = InviteRequestForm(request.POST)
    try:
        if not form.is_valid():
            raise ChatError(" ".join(error_messages(form)))
        invite_requests.request_invites(
            access.group, actor=request.user, emails=form.cleaned_data["emails"], note=form.cleaned_data["note"]
        )
    except ChatError as error:
        flash.error(request, str(error))
    else:
        flash.success(request, "Sent to the union. Their answer will be here, and you will get an email.")
    return redirect("chat:group", pk=pk)


def _after_invite_decision(request: HttpRequest) -> HttpResponse:
    return redirect(safe_next(request, reverse("su:approvals")))


@staff_required
@require_POST
def approve_invite_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Union staff let the people a rep asked for join the rep group (as choosing them on its page does)."""
    found = get_invite_request_for_decision(request.user, pk)
    form = InviteDecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        decided, added = invite_requests.approve(found, actor=request.user, note=note)
    except ChatError as error:
        flash.error(request, str(error))
    else:
        people = "person" if added == 1 else "people"
        text = f"Approved: {added} more {people} may join “{decided.group}”."
        if unknown := decided.not_added_addresses:
            text += " Not added, as no current student has an account with these addresses: " + ", ".join(unknown) + "."
        flash.success(request, text)
    return _after_invite_decision(request)


@staff_required
@require_POST
def decline_invite_request(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_invite_request_for_decision(request.user, pk)
    form = InviteDecisionForm(request.POST)
    reason = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        invite_requests.decline(found, actor=request.user, reason=reason)
    except ChatError as error:
        flash.error(request, str(error))
    else:
        flash.success(request, "Declined; the rep has been told why.")
    return _after_invite_decision(request)


@login_required
@require_POST
def schedule_message(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep a message written in quiet hours for their end (W15)."""
    access = get_group_for_poster(request.user, pk)
    form = MessageForm(request.POST)
    if not form.is_valid():
        for text in error_messages(form):
            flash.error(request, text)
        return redirect("chat:group", pk=pk)
    assert access.member is not None  # can_post holds only for members
    try:
        scheduled = scheduling.schedule_message(access.member, form.cleaned_data["body"])
    except ChatError as error:
        flash.error(request, str(error))
    else:
        flash.success(
            request,
            f"Scheduled for {timezone.localtime(scheduled.send_at):%H:%M}. You can cancel it below until then.",
        )
    return redirect("chat:group", pk=pk)


@login_required
@require_POST
def cancel_scheduled(request: HttpRequest, pk: int) -> HttpResponse:
    # Someone else's waiting message does not exist, to anyone but its author.
    scheduled = get_object_or_404(ScheduledPost, pk=pk, author=request.user)
    try:
        scheduling.cancel_scheduled(scheduled, actor=request.user)
    except ChatError as error:
        flash.error(request, str(error))
    else:
        flash.success(request, "Cancelled: it will not be posted.")
    return redirect("chat:group", pk=scheduled.group_id)


# --- One-click notices and private words (W8, W10, W11, O15, O16) ------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notices(request: HttpRequest, pk: int) -> HttpResponse:
    """The group's wording of its one-click notices, editable by its moderators."""
    access = get_group_for_moderator(request.user, pk)
    if request.method == "POST":
        try:
            services.set_notice_text(
                access.group, actor=request.user, kind=request.POST.get("kind", ""), text=request.POST.get("text", "")
            )
        except ChatError as error:
            flash.error(request, str(error))
        else:
            flash.success(request, "Saved. The button posts this wording from now on.")
        return redirect("chat:notices", pk=pk)
    kinds = [(kind, label, services.notice_text(access.group, kind)) for kind, label in NoticeText.Kind.choices]
    return render(request, "chat/notices.html", {"group": access.group, "kinds": kinds})


@login_required
@require_POST
def post_notice(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_group_for_moderator(request.user, pk)
    social = None
    if (social_pk := request.POST.get("social", "")).isdigit():
        social = ChatGroup.objects.filter(pk=int(social_pk), archived_at__isnull=True).first()
    try:
        services.post_notice(access.group, actor=request.user, kind=request.POST.get("kind", ""), social=social)
    except ChatError as error:
        flash.error(request, str(error))
    else:
        flash.success(request, "Posted, from “the moderators”.")
    return redirect("chat:group", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def start_thread(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    access = get_group_for_moderator(request.user, pk)
    member = get_object_or_404(
        GroupMember.objects.select_related("user", "group"), pk=member_pk, group=access.group, removed_at__isnull=True
    )
    form = ThreadForm(request.POST or None, initial={"body": services.private_warning(member)})
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.open_thread(member, actor=request.user, body=form.cleaned_data["body"])
        except ChatError as error:
            form.add_error(None, str(error))
        else:
            flash.success(request, f"Sent privately to {member.user.display_name}; they are emailed that it is there.")
            return redirect(thread)
    return render(request, "chat/start_thread.html", {"group": access.group, "member": member, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    found, as_moderator = get_thread(request.user, pk)
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reply_in_thread(found, actor=request.user, body=form.cleaned_data["body"])
        except ChatError as error:
            form.add_error(None, str(error))
        else:
            return redirect(found)
    return render(
        request,
        "chat/thread.html",
        {
            "thread": found,
            "as_moderator": as_moderator,
            "entries": found.messages.select_related("author"),
            "form": form,
        },
    )


@login_required
@require_POST
def set_role(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """Union rep groups: staff make a rep a moderator, or a member again."""
    access = get_group_for_staff(request.user, pk)
    member = get_object_or_404(GroupMember.objects.select_related("user"), pk=member_pk, group=access.group)
    try:
        services.set_role(member, actor=request.user, moderator=request.POST.get("moderator") == "yes")
    except ChatError as error:
        flash.error(request, str(error))
    else:
        flash.success(request, f"{member.user.display_name} is now a {member.get_role_display().lower()} of the group.")
    return redirect("chat:group", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def edit_group(request: HttpRequest, pk: int) -> HttpResponse:
    """The group's settings: purpose, announcements only, slow mode, its own quiet hours, guidelines."""
    access = get_group_for_moderator(request.user, pk)
    group = access.group
    current = Guidelines.objects.filter(group=group).order_by("-version").first()
    initial = {
        "name": group.name,
        "purpose": group.purpose,
        "announcements_only": group.announcements_only,
        "slow_mode_seconds": group.slow_mode_seconds,
        "quiet_hours_start": group.quiet_hours_start,
        "quiet_hours_end": group.quiet_hours_end,
        "guidelines": current.text if current else "",
    }
    form = GroupSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.update_group(group, actor=request.user, guidelines=data.pop("guidelines"), **data)
        except ChatError as error:
            form.add_error(None, str(error))
        else:
            flash.success(request, "Saved.")
            return redirect("chat:group", pk=pk)
    return render(
        request,
        "chat/edit_group.html",
        {"group": group, "form": form, "version": current.version if current else 0},
    )
