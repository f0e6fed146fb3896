"""Member email's part of subject access and erasure, and the retention of delivery records. A person's
export lists the society email sent to them (their own address only) and their news choices; erasure
takes their address off every delivery record, stops anything not yet sent, and forgets their choices;
delivery records go RETENTION_DELIVERY_LOGS_DAYS after a mailing finished sending, never while it sends."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.utils import timezone

from quad.core.personal_data import Erasure, PersonalData, registered, retention_kinds
from quad.mailings import services
from quad.mailings.models import Delivery, Mailing, NewsPreference
from quad.mailings.retention import sweep_delivery_logs
from quad.mailings.tests.conftest import write

pytestmark = pytest.mark.django_db


def mailings_data() -> PersonalData:
    return next(entry for entry in registered() if entry.app == "mailings")


def export_of(user: Any) -> dict[str, list[dict[str, Any]]]:
    return {section.title: [dict(row) for row in section.rows] for section in mailings_data().export(user)}


def sent_to(society: Any, actor: Any, capture: Any, **fields: Any) -> Mailing:
    with capture(execute=True):
        mailing = services.send_mailing(write(society, actor, **fields), actor=actor)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    return mailing


def test_the_export_lists_email_sent_to_them_at_their_address_and_nobody_elses(
    society: Any, members: list[Any], committee_trained: Any, django_capture_on_commit_callbacks: Any
) -> None:
    member = members[0]
    sent_to(society, committee_trained, django_capture_on_commit_callbacks, subject="Hike on Saturday")
    services.set_news_preference(member, society, receive=False)

    export = export_of(member)

    [received] = export["Society email sent to you"]
    assert (received["society"], received["subject"], received["address"], received["status"]) == (
        "Hiking Society",
        "Hike on Saturday",
        member.email,
        "Sent",
    )
    assert export["Your choices about societies' news email"][0]["receive_news"] is False
    everything = json.dumps(export)
    for other in members[1:]:
        assert other.email not in everything
    assert committee_trained.email not in everything


def test_the_committee_member_who_wrote_it_finds_it_in_their_export(
    society: Any, members: list[Any], committee_trained: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sent_to(society, committee_trained, django_capture_on_commit_callbacks)

    [wrote] = export_of(committee_trained)["Mailings you wrote for a society"]

    assert (wrote["subject"], wrote["recipients"], wrote["status"]) == ("Hike on Saturday", len(members), "Sent")
    assert not any(other.email in json.dumps(wrote) for other in members)


def test_erasure_takes_their_address_off_deliveries_stops_what_is_queued_and_forgets_choices(
    society: Any, members: list[Any], committee_trained: Any, django_capture_on_commit_callbacks: Any
) -> None:
    member, other = members[0], members[1]
    sent = sent_to(society, committee_trained, django_capture_on_commit_callbacks)
    Delivery.objects.filter(mailing=sent, user=member).update(
        status=Delivery.Status.FAILED, error=f"Mail server said 550 <{member.email}> unknown"
    )
    sending = write(society, committee_trained, subject="Next week")
    Mailing.objects.filter(pk=sending.pk).update(status=Mailing.Status.SENDING, started_at=timezone.now())
    queued = Delivery.objects.create(mailing=sending, user=member, email=member.email)
    services.set_news_preference(member, society, receive=False)

    erasure = Erasure(user_id=member.pk)
    mailings_data().erase(member, erasure)

    stub_address = f"erased-{member.pk}@erased.invalid"
    old = Delivery.objects.get(mailing=sent, email=stub_address)
    assert old.user is None
    assert old.error == "Mail server said 550 <[erased]> unknown"
    queued.refresh_from_db()
    assert (queued.user, queued.email, queued.status) == (None, stub_address, Delivery.Status.FAILED)
    assert queued.error == "Not sent: the recipient's account was erased."
    assert not Delivery.objects.filter(email=member.email).exists()
    assert not NewsPreference.objects.filter(user=member).exists()
    # Other people's records, and the counts, are as they were.
    assert Delivery.objects.get(mailing=sent, user=other).email == other.email
    assert Delivery.objects.filter(mailing=sent).count() == len(members)
    assert erasure.removed == {"choices about news email": 1, "email delivery records": 2}


def test_delivery_records_go_after_the_period_once_and_never_while_a_mailing_sends(
    settings: Any, society: Any, committee_trained: Any, member: Any
) -> None:
    assert settings.RETENTION_DELIVERY_LOGS_DAYS == 180
    now = timezone.now()

    def mailing(status: str, finished_days_ago: int | None, recipients: int) -> Mailing:
        made = write(society, committee_trained)
        finished = now - datetime.timedelta(days=finished_days_ago) if finished_days_ago is not None else None
        Mailing.objects.filter(pk=made.pk).update(
            status=status, started_at=now - datetime.timedelta(days=400), finished_at=finished
        )
        Delivery.objects.bulk_create(
            Delivery(mailing=made, email=f"person{n}@example.com", status=Delivery.Status.SENT)
            for n in range(recipients)
        )
        return made

    old = mailing(Mailing.Status.SENT, 181, 3)
    recent = mailing(Mailing.Status.SENT, 179, 2)
    still_sending = mailing(Mailing.Status.SENDING, None, 4)

    assert sweep_delivery_logs(now) == 3
    assert not Delivery.objects.filter(mailing=old).exists()
    assert Delivery.objects.filter(mailing=recent).count() == 2
    assert Delivery.objects.filter(mailing=still_sending).count() == 4
    assert Mailing.objects.filter(pk=old.pk).exists()  # the mailing itself stays
    assert sweep_delivery_logs(now) == 0


def test_the_sweep_is_registered_with_its_setting() -> None:
    [kind] = [k for k in retention_kinds() if k.key == "delivery_logs"]
    assert (kind.setting, kind.sweep) == ("RETENTION_DELIVERY_LOGS_DAYS", sweep_delivery_logs)


def test_a_mailing_naming_them_names_the_stub(society: Any, committee_trained: Any, member: Any) -> None:
    mailing = write(society, committee_trained, subject="Well done", body=f"Congratulations to {member.display_name}!")

    mailings_data().erase(member, Erasure(user_id=member.pk))

    mailing.refresh_from_db()
    assert (mailing.subject, mailing.body) == ("Well done", f"Congratulations to Erased member {member.pk}!")
