"""Rep groups' invite requests (guidance W7, W9): the union chooses who may join its rep groups, so a rep
who moderates one asks the union to let more people in, and union staff approve or decline.

Approving makes the addresses eligible through services.make_eligible, exactly as staff choosing them on
the group's page does; addresses with no current student's account are named back (to staff at once, to
the rep on the group's moderator panel). A request is decided once: the decision locks its row
(SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions queue writers) and re-reads its status.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from quad.accounts.personal_data import redact_rows
from quad.chat import services
from quad.chat.errors import ChatError
from quad.chat.models import ChatGroup, InviteRequest
from quad.chat.permissions import asks_for_invites, chat_access, decides_invite_requests
from quad.core import audit
from quad.core.emails import queue_email
from quad.core.personal_data import Erasure, ExportSection, Holding, PersonalData, iso, register

MAX_ADDRESSES = 200
MAX_NOTE = 1000


def clean_addresses(emails: Iterable[str]) -> list[str]:
    """The addresses given, trimmed, lower-cased and each once, in the order given; ChatError names any
    that is not an email address."""
    wanted = list(dict.fromkeys(address.strip().lower() for address in emails))
    wanted = [address for address in wanted if address]
    if not wanted:
        raise ChatError("Write at least one email address.")
    if len(wanted) > MAX_ADDRESSES:
        raise ChatError(f"Ask for at most {MAX_ADDRESSES} people at a time.")
    invalid = []
    for address in wanted:
        try:
            validate_email(address)
        except ValidationError:
            invalid.append(address)
    if invalid:
        raise ChatError("These are not email addresses: " + ", ".join(invalid) + ".")
    return wanted


def request_invites(group: ChatGroup, *, actor: Any, emails: Iterable[str], note: str = "") -> InviteRequest:
    """A rep group's moderator asks the union to let the people at `emails` join."""
    if group.kind != ChatGroup.Kind.REP:
        raise ChatError("Only union rep groups ask the union to invite people.")
    if group.archived_at is not None:
        raise ChatError("This group has closed.")
    if not asks_for_invites(chat_access(actor, group)):
        raise ChatError("Only the group's moderators can ask the union to invite people.")
    addresses = clean_addresses(emails)
    with transaction.atomic():
        made = InviteRequest.objects.create(
            group=group, requested_by=actor, emails="\n".join(addresses), note=note.strip()[:MAX_NOTE]
        )
        audit.record(
            "chat.invite_request.made",
            actor=actor,
            target=made,
            scope=services._scope(group),
            data={"group": group.pk, "count": len(addresses)},
        )
    return made


# Two staff deciding one request at once: the row is locked, so the second waits and finds it decided.
# Only the race test's control turns this off.
LOCK_REQUESTS = True


def _lock_pending(request: InviteRequest, *, actor: Any) -> InviteRequest:
    """The request's row, locked, if `actor` may decide it and nobody has yet. Call inside a transaction."""
    if not decides_invite_requests(actor):
        raise ChatError("Only union staff decide who may join a union group.")
    requests = InviteRequest.objects.select_for_update(of=("self",)) if LOCK_REQUESTS else InviteRequest.objects.all()
    locked = requests.select_related("group", "requested_by").get(pk=request.pk)
    if locked.status != InviteRequest.Status.PENDING:
        raise ChatError(f"This request has already been {locked.get_status_display().lower()}.")
    return locked


def _tell_rep(request: InviteRequest) -> None:
    rep = request.requested_by
    if rep is None or not rep.email:
        return
    queue_email(
        "chat/emails/invite_request_decided",
        to=[rep.email],
        context={"name": rep.display_name, "request": request, "group": request.group},
    )


def approve(request: InviteRequest, *, actor: Any, note: str = "") -> tuple[InviteRequest, int]:
    """Union staff approve: every address that is a current student's account may join the group (the
    rest are kept on the request in `not_added`). Returns the request and how many were newly eligible."""
    with transaction.atomic():
        locked = _lock_pending(request, actor=actor)
        group = locked.group
        if group.archived_at is not None:
            raise ChatError("The group has closed; decline the request instead.")
        addresses = locked.addresses
        found = {
            person.lowered: person
            for person in get_user_model().objects.annotate(lowered=Lower("email")).filter(lowered__in=addresses)
        }
        people = [found[a] for a in addresses if a in found and found[a].is_student]
        chosen = {person.email.lower() for person in people}
        not_added = [a for a in addresses if a not in chosen]
        added = services.make_eligible(group, people, actor=actor) if people else 0
        locked.status = InviteRequest.Status.APPROVED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_note = note.strip()[:MAX_NOTE]
        locked.not_added = "\n".join(not_added)
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "not_added"])
        audit.record(
            "chat.invite_request.approved",
            actor=actor,
            target=locked,
            scope=services._scope(group),
            data={"group": group.pk, "added": added, "not_added": len(not_added)},
        )
        _tell_rep(locked)
    return locked, added


def decline(request: InviteRequest, *, actor: Any, reason: str) -> InviteRequest:
    """Union staff decline, saying why; the rep reads the reason on the group's moderator panel."""
    reason = reason.strip()
    if not reason:
        raise ChatError("Give the rep a reason.")
    with transaction.atomic():
        locked = _lock_pending(request, actor=actor)
        locked.status = InviteRequest.Status.DECLINED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_note = reason[:MAX_NOTE]
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit.record(
            "chat.invite_request.declined",
            actor=actor,
            target=locked,
            scope=services._scope(locked.group),
            data={"group": locked.group_id},
        )
        _tell_rep(locked)
    return locked


# --- Personal data ---------------------------------------------------------------------------------


def _export(user: Any) -> list[ExportSection]:
    asked = InviteRequest.objects.filter(requested_by=user).select_related("group").order_by("created_at", "id")
    address = user.email.lower()
    named = (
        InviteRequest.objects.filter(emails__icontains=address)
        .exclude(requested_by=user)
        .select_related("group")
        .order_by("created_at", "id")
    )
    return [
        ExportSection(
            "Rep group invite requests you made",
            [
                {
                    "group": r.group.name,
                    "asked_at": iso(r.created_at),
                    "addresses": r.addresses,
                    "note": r.note,
                    "status": r.get_status_display(),
                    "decided_at": iso(r.decided_at),
                    "decision_note": r.decision_note,
                }
                for r in asked
            ],
        ),
        ExportSection(
            "Rep group invite requests that named you",
            [
                {"group": r.group.name, "asked_at": iso(r.created_at), "status": r.get_status_display()}
                for r in named
                if address in r.addresses
            ],
            note="A rep asked the union to let you join their group; who asked is theirs to know.",
        ),
    ]


def _without(text: str, address: str) -> str:
    return "\n".join(line for line in text.splitlines() if line and line.lower() != address)


def _erase(user: Any, erasure: Erasure) -> None:
    """Their own requests still waiting are withdrawn; their address leaves every request that named it.
    Decided requests they made stay (staff's record of who was let in) and point at the anonymous stub."""
    pending, _ = InviteRequest.objects.filter(requested_by=user, status=InviteRequest.Status.PENDING).delete()
    erasure.count("rep group invite requests withdrawn", pending)
    address = user.email.lower()
    scrubbed = 0
    if address:
        for request in InviteRequest.objects.filter(emails__icontains=address) | InviteRequest.objects.filter(
            not_added__icontains=address
        ):
            emails, not_added = _without(request.emails, address), _without(request.not_added, address)
            if (emails, not_added) == (request.emails, request.not_added):
                continue  # another address that merely contains theirs
            scrubbed += 1
            if not emails and request.status == InviteRequest.Status.PENDING:
                request.delete()  # it asked for them alone: nothing is left to decide
                continue
            request.emails, request.not_added = emails, not_added
            request.save(update_fields=["emails", "not_added"])
    erasure.count("rep group invite requests naming them", scrubbed)
    # What reps and staff wrote about them: their name or address becomes the stub's name.
    erasure.count(
        "rep group invite request notes naming them",
        redact_rows(InviteRequest.objects.all(), ["note", "decision_note"], user),
    )


def register_personal_data() -> None:
    register(
        PersonalData(
            app="chat",
            title="Rep group invite requests",
            models=("chat.InviteRequest",),
            holdings=(
                Holding(
                    what="The email addresses a rep asked the union to let into their rep group, the rep's note, "
                    "and the union's decision",
                    why="So the union decides who may join its rep groups, and the rep learns the answer",
                    basis="Legitimate interests (running the union's rep groups)",
                    kept="As long as the group exists; erasing your account removes your address from every "
                    "request and withdraws your requests still waiting",
                ),
            ),
            export=_export,
            erase=_erase,
        )
    )
