"""Membership types, joining (through commerce), ending memberships, and the graduate sweep."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from quad.accounts.models import User
from quad.commerce.errors import OrderError
from quad.commerce.fulfilment import Fulfilment, register
from quad.commerce.models import OrderLine, Product, Quota, Refund, Variant
from quad.core import audit
from quad.core.academic import AcademicYear
from quad.core.access_log import record_access
from quad.core.models import DataAccess
from quad.memberships import emails
from quad.memberships.errors import MembershipError
from quad.memberships.models import GraduateDeparture, Membership, MembershipType
from quad.memberships.signals import membership_started
from quad.societies.models import CommitteeTerm, Society
from quad.societies.services import end_committee_term

KIND = "membership"


# --- Types -------------------------------------------------------------------------------------


def create_membership_type(
    society: Society,
    *,
    actor: Any,
    year: AcademicYear,
    name: str,
    price_pence: int,
    limit: int | None = None,
    sale_starts_at: datetime.datetime | None = None,
    sale_ends_at: datetime.datetime | None = None,
    description: str = "",
) -> MembershipType:
    if price_pence < 0:
        raise MembershipError("A price cannot be negative.")
    if limit is not None and limit < 1:
        raise MembershipError("A limit must be at least 1 (leave it empty for no limit).")
    if sale_starts_at and sale_ends_at and sale_ends_at <= sale_starts_at:
        raise MembershipError("Sales must close after they open.")
    with transaction.atomic():
        if MembershipType.objects.filter(
            society=society, year_start=year.start, product__name__iexact=name.strip()
        ).exists():
            raise MembershipError(f"There is already a “{name}” membership for {year.label}.")
        product = Product.objects.create(
            seller=society,
            kind=KIND,
            name=name.strip(),
            description=description,
            sale_starts_at=sale_starts_at,
            sale_ends_at=sale_ends_at,
            max_per_order=1,
        )
        variant = Variant.objects.create(product=product, price_pence=price_pence)
        quota = None
        if limit is not None:
            quota = Quota.objects.create(name=f"{society.name}: {name.strip()} {year.label}", size=limit)
            quota.variants.add(variant)
        membership_type = MembershipType.objects.create(
            society=society, year_start=year.start, year_end=year.end, product=product, variant=variant, quota=quota
        )
        audit.record(
            "memberships.type.created",
            actor=actor,
            target=membership_type,
            scope=society.audit_scope,
            data={"price_pence": price_pence, "limit": limit, "year": year.label},
        )
    return membership_type


def update_membership_type(
    membership_type: MembershipType,
    *,
    actor: Any,
    price_pence: int,
    limit: int | None,
    sale_starts_at: datetime.datetime | None,
    sale_ends_at: datetime.datetime | None,
    on_sale: bool,
) -> MembershipType:
    """Change price, limit or sale period. A new price applies to later sales only: orders keep theirs."""
    if price_pence < 0:
        raise MembershipError("A price cannot be negative.")
    if sale_starts_at and sale_ends_at and sale_ends_at <= sale_starts_at:
        raise MembershipError("Sales must close after they open.")
    with transaction.atomic():
        membership_type = MembershipType.objects.select_for_update().get(pk=membership_type.pk)
        sold = Membership.objects.filter(membership_type=membership_type, status=Membership.Status.ACTIVE).count()
        if limit is not None and limit < sold:
            raise MembershipError(f"{sold} people already hold this membership: the limit cannot be lower.")
        product, variant = membership_type.product, membership_type.variant
        product.sale_starts_at, product.sale_ends_at, product.is_active = sale_starts_at, sale_ends_at, on_sale
        product.save(update_fields=["sale_starts_at", "sale_ends_at", "is_active"])
        variant.price_pence = price_pence
        variant.save(update_fields=["price_pence"])
        if limit is None and membership_type.quota is not None:
            membership_type.quota.delete()
            membership_type.quota = None
            membership_type.save(update_fields=["quota"])
        elif limit is not None and membership_type.quota is None:
            quota = Quota.objects.create(name=f"{membership_type.society.name}: {product.name}", size=limit)
            quota.variants.add(variant)
            membership_type.quota = quota
            membership_type.save(update_fields=["quota"])
        elif limit is not None and membership_type.quota is not None:
            membership_type.quota.size = limit
            membership_type.quota.save(update_fields=["size"])
        audit.record(
            "memberships.type.updated",
            actor=actor,
            target=membership_type,
            scope=membership_type.society.audit_scope,
            data={"price_pence": price_pence, "limit": limit, "on_sale": on_sale},
        )
    return membership_type


# --- Joining, through commerce's checkout -------------------------------------------------------


def current_membership(user: Any, society: Society, *, on: datetime.date | None = None) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    day = on or timezone.localdate()
    return Membership.objects.filter(
        user=user, society=society, status=Membership.Status.ACTIVE, starts_on__lte=day, ends_on__gte=day
    ).first()


class MembershipFulfilment(Fulfilment):
    kind = KIND
    label = "Membership"

    def check_can_buy(self, user: Any, variant: Variant, quantity: int) -> None:
        membership_type = MembershipType.objects.select_related("society").get(variant=variant)
        if getattr(user, "is_graduate", False):
            raise OrderError("Graduates cannot buy memberships: they are for current students.")
        if not getattr(user, "is_student", False):
            raise OrderError(
                "Memberships are for current students. Sign up with your student email address and verify it."
            )
        if quantity != 1:
            raise OrderError("One membership each.")
        if membership_type.year_end < timezone.localdate():
            # Left on sale past its year, it would start a membership that ends before it begins.
            raise OrderError(f"{membership_type} has ended: memberships last for one academic year.")
        society = membership_type.society
        # One query for both refusals: this runs at every step of a checkout.
        standing = set(
            Membership.objects.filter(
                user=user,
                society=society,
                ends_on=membership_type.year_end,
                status__in=[Membership.Status.ACTIVE, Membership.Status.REMOVED],
            ).values_list("status", flat=True)
        )
        if Membership.Status.ACTIVE in standing:
            raise OrderError(f"You are already a member of {society} until {membership_type.year_end:%-d %B %Y}.")
        if Membership.Status.REMOVED in standing:
            raise OrderError(f"The committee removed you from {society} this year. Contact the union if this is wrong.")

    def check_can_request_refund(self, line: OrderLine) -> None:
        membership = Membership.objects.filter(order_line=line).first()
        if membership is None or membership.status != Membership.Status.ACTIVE:
            raise OrderError("This membership has already ended.")
        days = settings.MEMBERSHIP_COOLING_OFF_DAYS
        if line.order.paid_at and timezone.now() - line.order.paid_at > datetime.timedelta(days=days):
            raise OrderError(
                f"Refunds of memberships can be asked for within {days} days of joining. "
                "Contact the union if you need help."
            )

    def on_paid(self, line: OrderLine) -> None:
        membership_type = MembershipType.objects.select_related("society").get(variant_id=line.variant_id)
        buyer = line.order.buyer
        today = timezone.localdate()
        if buyer is None:
            raise OrderError("This order has no buyer any more.")
        membership = Membership.objects.create(
            user=buyer,
            society=membership_type.society,
            membership_type=membership_type,
            order_line=line,
            starts_on=max(today, membership_type.year_start),
            ends_on=membership_type.year_end,
        )
        audit.record(
            "memberships.membership.started",
            actor=buyer,
            target=membership,
            scope=membership_type.society.audit_scope,
        )
        membership_started.send(sender=Membership, membership=membership)

    def on_refunded(self, line: OrderLine, refund: Refund, *, fully_refunded: bool) -> None:
        if not fully_refunded:
            return
        membership = Membership.objects.filter(order_line=line, status=Membership.Status.ACTIVE).first()
        if membership is not None:
            _end(membership, status=Membership.Status.REFUNDED, actor=refund.created_by, reason=refund.reason)


register(MembershipFulfilment())


# --- Ending ------------------------------------------------------------------------------------


def _end(membership: Membership, *, status: str, actor: Any, reason: str) -> Membership:
    membership.status = status
    membership.ended_at = timezone.now()
    membership.end_reason = reason
    membership.ended_by = actor if getattr(actor, "is_authenticated", False) else None
    membership.save(update_fields=["status", "ended_at", "end_reason", "ended_by"])
    audit.record(
        f"memberships.membership.{status}",
        actor=actor,
        target=membership,
        scope=membership.society.audit_scope,
        data={"reason": reason},
    )
    return membership


def remove_member(membership: Membership, *, actor: Any, reason: str) -> Membership:
    """The committee ends a membership. The member is told; they cannot rejoin this year."""
    if not reason.strip():
        raise MembershipError("Give a reason: the member will be told it.")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().select_related("society", "user").get(pk=membership.pk)
        if membership.status != Membership.Status.ACTIVE:
            raise MembershipError("That membership has already ended.")
        _end(membership, status=Membership.Status.REMOVED, actor=actor, reason=reason.strip())
        emails.member_removed(membership)
    return membership


def end_memberships(*, today: datetime.date | None = None) -> int:
    """Memberships whose academic year is over become expired. Idempotent."""
    day = today or timezone.localdate()
    ended = 0
    for membership in Membership.objects.filter(status=Membership.Status.ACTIVE, ends_on__lt=day).select_related(
        "society"
    ):
        with transaction.atomic():
            _end(membership, status=Membership.Status.EXPIRED, actor=None, reason="The academic year ended.")
        ended += 1
    return ended


def graduate_sweep(*, today: datetime.date | None = None) -> list[GraduateDeparture]:
    """Guidance O3: only current students. Idempotent; run daily.

    1. Students whose course ends within GRADUATE_NOTICE_DAYS are told what will happen, once.
    2. Graduates (course ended) have their memberships and committee terms ended, are told,
       and what was done is recorded, once.
    """
    day = today or timezone.localdate()
    notice = datetime.timedelta(days=settings.GRADUATE_NOTICE_DAYS)
    for user in User.objects.filter(
        student_verified_at__isnull=False, course_ends_on__gte=day, course_ends_on__lte=day + notice
    ).exclude(graduate_departure__warned_at__isnull=False):
        with transaction.atomic():
            departure, _ = GraduateDeparture.objects.get_or_create(
                user=user, defaults={"course_ended_on": user.course_ends_on}
            )
            if departure.warned_at is None:
                departure.warned_at = timezone.now()
                departure.save(update_fields=["warned_at"])
                emails.graduating_soon(user)
    swept = []
    for user in User.objects.filter(student_verified_at__isnull=False, course_ends_on__lt=day).exclude(
        graduate_departure__swept_at__isnull=False
    ):
        with transaction.atomic():
            departure, _ = GraduateDeparture.objects.select_for_update().get_or_create(
                user=user, defaults={"course_ended_on": user.course_ends_on}
            )
            if departure.swept_at is not None:
                continue
            memberships = list(
                Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).select_related(
                    "society", "membership_type"
                )
            )
            for membership in memberships:
                _end(membership, status=Membership.Status.GRADUATED, actor=None, reason="Graduated: course ended.")
            terms = list(
                CommitteeTerm.objects.filter(user=user, ends_on__gte=day).select_related("society", "position")
            )
            removed_from = _removed_from(memberships, terms, day=day)
            for term in terms:
                end_committee_term(term, actor=None)
            departure.course_ended_on = user.course_ends_on or day
            departure.swept_at = timezone.now()
            departure.memberships_ended = len(memberships)
            departure.committee_terms_ended = len(terms)
            departure.removed_from = removed_from
            departure.notified = emails.graduated(user, memberships=memberships, terms=terms)
            departure.save(
                update_fields=[
                    "course_ended_on",
                    "swept_at",
                    "memberships_ended",
                    "committee_terms_ended",
                    "removed_from",
                    "notified",
                ]
            )
            audit.record(
                "memberships.graduate.swept",
                actor=None,
                target=user,
                data={"memberships": len(memberships), "terms": len(terms)},
            )
        swept.append(departure)
    return swept


def _removed_from(
    memberships: Sequence[Membership], terms: Sequence[CommitteeTerm], *, day: datetime.date
) -> list[str]:
    """What the sweep is about to end, in words for the off-boarding report. Call before ending anything:
    a term that has not started yet is withdrawn (deleted), not ended."""
    lines = [
        f"Member of {m.society.name} ({AcademicYear(m.membership_type.year_start, m.membership_type.year_end).label})"
        for m in memberships
    ]
    for term in terms:
        line = f"{term.position.name} of {term.society.name}"
        if term.starts_on >= day:
            line += f" (due to start {term.starts_on:%-d %B %Y}: withdrawn)"
        lines.append(line)
    return lines


def log_member_data_access(
    society: Society, *, actor: Any, action: str, what: str, subjects: Sequence[int | None], query: str = ""
) -> DataAccess:
    """Every view and export of a list of a society's members, attendees or buyers is recorded twice, in
    one transaction: an audit event for the society's log (who, when, what they searched for, how many
    rows) and an access-log entry naming whose data it was, which each person sees on their privacy page.

    `subjects` has one user id per row shown (repeats allowed: one person can hold two tickets; None for
    a buyer whose account is gone); `what` is readable, such as "Member list of Hiking Society (search: 'sam')".
    """
    action_name = f"memberships.member_list.{action}"
    with transaction.atomic():
        audit.record(
            action_name,
            actor=actor,
            target=society,
            scope=society.audit_scope,
            data={"query": query, "rows": len(subjects)},
        )
        people = [pk for pk in subjects if pk is not None]
        return record_access(actor, action_name, what=what, scope=society.audit_scope, subjects=people)
