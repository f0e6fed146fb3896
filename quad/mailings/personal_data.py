"""Member email's personal data: the address each mailing went to and what happened to it, members'
choices about news mail, and which committee member wrote or staff member hurried a mailing.

Erasure deletes the person's news choices and takes their address off every delivery record (a mailing's
counts stay true); a delivery not yet sent is marked failed so nothing more goes to them. Mailings they
wrote stay with their society, pointing at the anonymous stub; mailings that named them name the stub."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Value
from django.db.models.functions import Replace

from quad.accounts.personal_data import ERASED, erased_email, redact_rows
from quad.core.personal_data import (
    Erasure,
    ExportSection,
    Holding,
    PersonalData,
    RetentionKind,
    iso,
    register,
    register_retention,
)
from quad.mailings.models import Delivery, Mailing, NewsPreference, WelcomeEmail
from quad.mailings.retention import sweep_delivery_logs

NOT_SENT = "Not sent: the recipient's account was erased."


def _export(user: Any) -> list[ExportSection]:
    received = (
        Delivery.objects.filter(user=user).select_related("mailing__society").order_by("mailing__started_at", "id")
    )
    choices = NewsPreference.objects.filter(user=user).select_related("society").order_by("society__name")
    wrote = Mailing.objects.filter(created_by=user).select_related("society").order_by("created_at", "id")
    hurried = Mailing.objects.filter(urgent_by=user).select_related("society").order_by("created_at", "id")
    welcomes = WelcomeEmail.objects.filter(updated_by=user).select_related("society").order_by("society__name")
    return [
        ExportSection(
            "Society email sent to you",
            [
                {
                    "society": d.mailing.society.name,
                    "subject": d.mailing.subject,
                    "address": d.email,
                    "status": d.get_status_display(),
                    "sent_at": iso(d.sent_at),
                    "attempts": d.attempts,
                    "problem": d.error,
                }
                for d in received
            ],
            note=f"Kept for {settings.RETENTION_DELIVERY_LOGS_DAYS} days after each mailing finished sending.",
        ),
        ExportSection(
            "Your choices about societies' news email",
            [{"society": p.society.name, "receive_news": p.receive, "changed_at": iso(p.updated_at)} for p in choices],
        ),
        ExportSection(
            "Mailings you wrote for a society",
            [
                {
                    "society": m.society.name,
                    "subject": m.subject,
                    "audience": m.get_audience_display(),
                    "status": m.get_status_display(),
                    "written_at": iso(m.created_at),
                    "started_at": iso(m.started_at),
                    "recipients": m.recipient_count,
                    "body": m.body,
                }
                for m in wrote
            ],
        ),
        ExportSection(
            "Mailings you marked urgent (union staff)",
            [{"society": m.society.name, "subject": m.subject, "written_at": iso(m.created_at)} for m in hurried],
        ),
        ExportSection(
            "Welcome emails you last edited",
            [{"society": w.society.name, "subject": w.subject, "changed_at": iso(w.updated_at)} for w in welcomes],
        ),
    ]


def _erase(user: Any, erasure: Erasure) -> None:
    deleted, _ = NewsPreference.objects.filter(user=user).delete()
    erasure.count("choices about news email", deleted)
    mine = Delivery.objects.filter(user=user)
    # Nothing more goes to them: a worker claims only queued rows.
    mine.filter(status=Delivery.Status.QUEUED).update(status=Delivery.Status.FAILED, error=NOT_SENT)
    if user.email:
        mine.update(error=Replace("error", Value(user.email), Value(ERASED)))
    erasure.count(
        "mailings naming them",
        redact_rows(Mailing.objects.all(), ["subject", "body"], user)
        + redact_rows(WelcomeEmail.objects.all(), ["subject", "body"], user),
    )
    # The address becomes the stub's: a person has one delivery per mailing, so it stays unique there.
    erasure.count("email delivery records", mine.update(user=None, email=erased_email(user)))


register(
    PersonalData(
        app="mailings",
        title="Society email",
        models=("mailings.Mailing", "mailings.Delivery", "mailings.NewsPreference", "mailings.WelcomeEmail"),
        holdings=(
            Holding(
                what="Each society email sent to you: the address it went to, when, and whether it arrived",
                why="To send the email once, retry it if it fails, and show the committee how many arrived",
                basis="Legitimate interests (keeping members informed); contract for essential event changes",
                kept=f"{settings.RETENTION_DELIVERY_LOGS_DAYS} days after the mailing finished sending "
                "(RETENTION_DELIVERY_LOGS_DAYS)",
            ),
            Holding(
                what="Whether you turned off a society's news email",
                why="So you stop getting news you do not want",
                basis="Legitimate interests; your right to object to direct marketing",
                kept="Until you change it or your account is erased",
            ),
            Holding(
                what="Which committee member wrote a mailing or welcome email, and which staff member sent one "
                "urgently in quiet hours",
                why="So the society and the union can account for email sent in their name",
                basis="Legitimate interests",
                kept="As long as the society keeps the mailing; your name goes if your account is erased",
            ),
        ),
        export=_export,
        erase=_erase,
    )
)

register_retention(
    RetentionKind(
        "delivery_logs",
        "Email delivery records",
        "RETENTION_DELIVERY_LOGS_DAYS",
        sweep_delivery_logs,
        "Who each society email went to and whether it arrived, after the mailing finished sending.",
    )
)
