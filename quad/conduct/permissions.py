"""Who may do what with reports and cases. Every conduct view fetches through one of these.

- Report a message or a member: anyone who can read the group (chat's rule). To anyone else the group
  and its messages do not exist (404), as in chat.
- A group's review queue and acting on its reports and flags: the group's moderators (chat's rule, which
  includes union staff). A member who can see the group is refused (403); anyone else gets 404.
- Casework: union staff with two-factor sign-in. An elected officer may read a case put before them;
  to an officer, other cases do not exist.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from quad.accounts.models import User
from quad.accounts.permissions import ViewFunc, has_totp
from quad.chat.models import GroupMember, Message
from quad.chat.permissions import ChatAccess, get_group_for_moderator, get_group_for_reader
from quad.conduct.models import Case, Report, Suspension
from quad.core.permissions import forbidden, not_found

CASEWORK_ONLY = "This area is for students' union staff."


def get_message_for_reporter(user: Any, pk: int) -> tuple[ChatAccess, Message]:
    message = get_object_or_404(Message.objects.select_related("group__society", "author"), pk=pk)
    access = get_group_for_reader(user, message.group_id)
    if not access.can_read:
        raise forbidden(access.refusal())
    if not message.is_visible and not access.moderator:
        raise not_found()  # members no longer see it, so to them it is not there
    if message.author_id == user.pk:
        raise forbidden("You cannot report your own message.")
    return access, message


def get_member_for_reporter(user: Any, pk: int, member_pk: int) -> tuple[ChatAccess, GroupMember]:
    access = get_group_for_reader(user, pk)
    if not access.can_read:
        raise forbidden(access.refusal())
    member = get_object_or_404(GroupMember.objects.select_related("user"), pk=member_pk, group=access.group)
    if member.user_id == user.pk:
        raise forbidden("You cannot report yourself.")
    return access, member


def get_group_for_review(user: Any, pk: int) -> ChatAccess:
    """A group's review queue: its moderators, union staff included."""
    return get_group_for_moderator(user, pk)


def get_report_for_moderator(user: Any, pk: int) -> Report:
    report = get_object_or_404(Report.objects.select_related("group__society", "message", "reporter"), pk=pk)
    get_group_for_moderator(user, report.group_id)
    return report


def get_flag_for_moderator(user: Any, pk: int) -> Message:
    """A message the scorer flagged, for its group's moderators. A message that is not flagged is not
    in anyone's queue (404)."""
    message = get_object_or_404(Message.objects.select_related("group__society", "author"), pk=pk)
    get_group_for_moderator(user, message.group_id)
    if message.flagged_at is None:
        raise not_found()
    return message


def is_caseworker(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_union_staff)


def casework_required(view: ViewFunc) -> ViewFunc:
    """Union staff and elected officers, once they have set up two-factor sign-in (as the console)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (getattr(user, "is_union_staff", False) or getattr(user, "is_officer", False)):
            raise forbidden(CASEWORK_ONLY)
        if not has_totp(user):  # type: ignore[arg-type]
            messages.warning(request, "Casework needs two-factor sign-in: set it up first.")
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapped


def get_case_for_reader(user: Any, pk: int) -> Case:
    """Staff read every case; an officer only those put before them."""
    case = get_object_or_404(
        Case.objects.select_related("group__society", "subject", "opened_by", "closed_by", "assigned_to"), pk=pk
    )
    if is_caseworker(user):
        return case
    if getattr(user, "is_officer", False) and case.escalations.filter(officer=user).exists():
        return case
    if getattr(user, "is_officer", False):
        raise not_found()
    raise forbidden(CASEWORK_ONLY)


def get_case_for_staff(user: Any, pk: int) -> Case:
    if not is_caseworker(user):
        raise forbidden(CASEWORK_ONLY)
    return get_object_or_404(Case.objects.select_related("group__society", "subject"), pk=pk)


def get_suspension_for_staff(user: Any, pk: int) -> Suspension:
    if not is_caseworker(user):
        raise forbidden(CASEWORK_ONLY)
    return get_object_or_404(Suspension.objects.select_related("user", "case"), pk=pk)


def get_caseworker(user: Any, pk: object) -> User | None:
    """Whom a case may be assigned to: an active union staff account, chosen by id from a form (None
    if the choice is not one, so the view can say so)."""
    if not is_caseworker(user):
        raise forbidden(CASEWORK_ONLY)
    try:
        chosen = int(str(pk))
    except ValueError:
        return None
    return User.objects.filter(pk=chosen, is_union_staff=True, is_active=True).first()
