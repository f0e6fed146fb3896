"""The privacy notice, a person's own data page, download and erasure, and staff's tools for requests."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, make_person
from quad.accounts.models import User
from quad.accounts.totp import current_code
from quad.core import audit
from quad.core.access_log import record_access
from quad.core.models import AuditEvent, DataAccess
from quad.privacy.models import ErasureRecord

pytestmark = pytest.mark.django_db


def reauthenticate(client: Client, user: Any) -> None:
    """Confirm who they are, as allauth asks before dangerous actions."""
    if user.is_union_staff:
        response = client.post(reverse("mfa_reauthenticate"), {"code": current_code(user)})
    else:
        response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def unzip(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_the_notice_lists_what_each_part_declares_and_sets_no_cookie(client: Client) -> None:
    response = client.get(reverse("privacy:notice"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Audit and access logs" in text
    assert "Access log" in text and "730 days" in text
    assert "no tracking, advertising or analytics cookies" in text
    assert not response.cookies, "an anonymous visit to the notice sets no cookie at all"


def test_cookies_set_on_signing_in_are_only_the_ones_the_notice_names(client: Client, student: Any) -> None:
    named = {"sessionid", "csrftoken", "messages"}
    client.get(reverse("account_login"))
    response = client.post(reverse("account_login"), {"login": student.email, "password": PASSWORD})
    assert response.status_code == 302
    set_now = set(client.cookies.keys())
    assert "sessionid" in set_now
    assert set_now <= named, f"unexpected cookies: {set_now - named}"
    notice = client.get(reverse("privacy:notice")).content.decode()
    assert "<code>sessionid</code>" in notice and "<code>csrftoken</code>" in notice


def test_my_data_shows_who_viewed_my_data_and_not_my_own_views(client: Client, student: Any, su_staff: Any) -> None:
    record_access(
        su_staff, "memberships.member_list.viewed", what="Member list of Hiking", scope="x", subjects=[student.pk]
    )
    record_access(student, "privacy.self", what="Looked at myself", scope="x", subjects=[student.pk])
    client.force_login(student)
    page = client.get(reverse("privacy:my-data")).content.decode()
    assert "Member list of Hiking" in page and su_staff.display_name in page
    assert "Looked at myself" not in page


def test_download_asks_to_sign_in_again_then_gives_a_zip_of_json_and_html(client: Client, student: Any) -> None:
    client.force_login(student)
    url = reverse("privacy:download-my-data")
    response = client.post(url)
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    reauthenticate(client, student)
    response = client.post(url)
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    files = unzip(response.content)
    assert set(files) == {"data.json", "index.html"}
    document = json.loads(files["data.json"])
    assert document["account_id"] == student.pk
    assert student.email in files["data.json"] and student.email in files["index.html"]
    assert AuditEvent.objects.filter(action="privacy.export.downloaded", target_id=str(student.pk)).exists()


def test_the_export_html_escapes_what_people_wrote(client: Client, student: Any, su_staff: Any) -> None:
    student.display_name = "<script>alert(1)</script>"
    student.save(update_fields=["display_name"])
    from quad.privacy.services import build_export

    files = unzip(build_export(student))
    assert "<script>alert(1)</script>" not in files["index.html"]
    assert "&lt;script&gt;" in files["index.html"]


def test_erasing_my_account_needs_my_address_typed_and_loses_nothing_when_wrong(client: Client, student: Any) -> None:
    client.force_login(student)
    reauthenticate(client, student)
    url = reverse("privacy:erase-my-account")
    response = client.post(url, {"email": "someone.else@example.ac.uk"})
    assert response.status_code == 200
    assert "not your account" in response.content.decode()
    student.refresh_from_db()
    assert student.erased_at is None and not ErasureRecord.objects.exists()

    response = client.post(url, {"email": student.email.upper()})
    assert response["Location"] == reverse("home")
    student.refresh_from_db()
    assert student.erased_at is not None
    assert ErasureRecord.objects.get(user=student).by_themselves
    assert "_auth_user_id" not in client.session, "signed out"
    assert client.get(reverse("privacy:my-data")).status_code == 302


def test_erasing_my_account_asks_to_sign_in_again_first(client: Client, student: Any) -> None:
    client.force_login(student)
    response = client.post(reverse("privacy:erase-my-account"), {"email": student.email})
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    student.refresh_from_db()
    assert student.erased_at is None


def test_staff_searching_and_opening_a_person_is_logged(staff_client: Client, su_staff: Any, student: Any) -> None:
    page = staff_client.get(reverse("privacy:people"), {"q": "sam.student"}).content.decode()
    assert reverse("privacy:person", args=[student.pk]) in page
    search = DataAccess.objects.get(action="privacy.people.searched")
    assert list(search.subjects.values_list("user_id", flat=True)) == [student.pk]
    assert staff_client.get(reverse("privacy:person", args=[student.pk])).status_code == 200
    viewed = DataAccess.objects.get(action="privacy.person.viewed")
    assert viewed.actor == su_staff and list(viewed.subjects.values_list("user_id", flat=True)) == [student.pk]


def test_a_short_search_explains_itself(staff_client: Client) -> None:
    response = staff_client.get(reverse("privacy:people"), {"q": "a"})
    assert "at least 2 characters" in response.content.decode()
    assert not DataAccess.objects.exists()


def test_staff_export_for_someone_needs_a_fresh_sign_in_and_is_audited(
    staff_client: Client, su_staff: Any, student: Any
) -> None:
    url = reverse("privacy:export-person", args=[student.pk])
    response = staff_client.post(url)
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert not AuditEvent.objects.filter(action="privacy.export.produced").exists()
    reauthenticate(staff_client, su_staff)
    response = staff_client.post(url)
    assert response["Content-Type"] == "application/zip"
    assert student.email in unzip(response.content)["data.json"]
    event = AuditEvent.objects.get(action="privacy.export.produced")
    assert event.actor == su_staff and event.target_id == str(student.pk)
    access = DataAccess.objects.get(action="privacy.export.produced")
    assert list(access.subjects.values_list("user_id", flat=True)) == [student.pk]


def test_staff_erasure_needs_a_reason_and_records_it(staff_client: Client, su_staff: Any, student: Any) -> None:
    reauthenticate(staff_client, su_staff)
    url = reverse("privacy:erase-person", args=[student.pk])
    response = staff_client.post(url, {"reason": ""})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Give the reason for erasing this account, in up to 300 characters."
    ]
    student.refresh_from_db()
    assert student.erased_at is None
    staff_client.post(url, {"reason": "Asked by email on 20 November"})
    record = ErasureRecord.objects.get(user=student)
    assert record.erased_by == su_staff and record.reason == "Asked by email on 20 November"
    page = staff_client.get(reverse("privacy:person", args=[student.pk])).content.decode()
    assert "Asked by email on 20 November" in page
    assert "Erase the account</button>" not in page


def test_staff_cannot_erase_their_own_account_from_the_console(staff_client: Client, su_staff: Any) -> None:
    reauthenticate(staff_client, su_staff)
    staff_client.post(reverse("privacy:erase-person", args=[su_staff.pk]), {"reason": "testing"})
    su_staff.refresh_from_db()
    assert su_staff.erased_at is None


def test_erasing_twice_is_refused_with_the_reason(staff_client: Client, su_staff: Any, student: Any) -> None:
    from quad.privacy.errors import PrivacyError
    from quad.privacy.services import erase_account

    erase_account(student, actor=su_staff, reason="first")
    with pytest.raises(PrivacyError, match="already been erased"):
        erase_account(User.objects.get(pk=student.pk), actor=su_staff, reason="second")
    assert ErasureRecord.objects.count() == 1


def test_the_account_page_links_to_your_data(client: Client, student: Any) -> None:
    client.force_login(student)
    assert reverse("privacy:my-data") in client.get(reverse("accounts:home")).content.decode()


def test_retention_page_lists_each_period_and_the_runs(staff_client: Client) -> None:
    from quad.privacy.services import apply_retention

    apply_retention()
    page = staff_client.get(reverse("privacy:retention")).content.decode()
    assert "RETENTION_AUDIT_EVENTS_DAYS" in page and "RETENTION_FORMER_MEMBERS_DAYS" in page
    assert "nothing past its period" in page


def test_audit_scrub_removes_the_address_from_recorded_values(su_staff: Any) -> None:
    from quad.privacy.services import erase_account

    person = make_person("Quinn Unique", "quinn.unique")
    audit.record(
        "test.thing",
        actor=su_staff,
        target=person,
        scope="union",
        data={"email": person.email, "n": 3, "reason": ["Quinn Unique was warned twice."], "who": "Quinn Uniqueness"},
    )
    erase_account(person, actor=su_staff, reason="asked")
    event = AuditEvent.objects.get(action="test.thing")
    stub = f"Erased member {person.pk}"
    assert event.data == {"email": stub, "n": 3, "reason": [f"{stub} was warned twice."], "who": "Quinn Uniqueness"}
    assert event.target_repr == stub


def test_confidential_views_of_case_evidence_are_not_listed_to_the_people_in_it(
    client: Client, student: Any, su_staff: Any
) -> None:
    record_access(
        su_staff,
        "conduct.evidence.viewed",
        what="Evidence in case 7",
        scope="union",
        subjects=[student.pk],
        confidential=True,
    )
    client.force_login(su_staff)
    staff_page = client.get(reverse("privacy:access-log"), {"person": student.pk}).content.decode()
    assert "Evidence in case 7" in staff_page, "staff see it"
    client.force_login(student)
    assert "Evidence in case 7" not in client.get(reverse("privacy:my-data")).content.decode()
    from quad.privacy.services import export_document

    assert "Evidence in case 7" not in json.dumps(export_document(student))


def test_audit_scrub_finds_names_written_in_any_alphabet(su_staff: Any) -> None:
    """JSON columns hold non-ASCII text escaped (SQLite) or as written (PostgreSQL): both are found."""
    from quad.privacy.services import erase_account

    person = make_person("Zoë Ørsted-Łukasz 李", "zoe.orsted")
    audit.record("test.thing", actor=su_staff, scope="union", data={"reason": "Zoë Ørsted-Łukasz 李 was warned twice."})
    erase_account(person, actor=su_staff, reason="asked")
    assert AuditEvent.objects.get(action="test.thing").data == {
        "reason": f"Erased member {person.pk} was warned twice."
    }
