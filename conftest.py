"""The named cast every Quad test uses, built through the services.

- ``student``: a verified current student in no society
- ``membership_type``: ``society``'s "Full member" membership this academic year, £5, no limit
- ``member``: a verified current student who bought a ``membership_type`` ("Full member", £5) of
  ``society`` through the checkout and the test payment provider
- ``visitor``: signed up with a non-student address
- ``graduate``: a verified student whose course has ended
- ``committee_trained``: President of ``society``, GDPR-trained
- ``committee_untrained``: Secretary of ``society``, no training
- ``other_committee``: President of ``other_society``, trained
- ``su_staff``: union staff with TOTP set up
"""

from __future__ import annotations

import datetime
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

# Tests run tasks inline and keep uploads out of the working tree. Set before Django reads settings.
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("QUAD_VAR_DIR", tempfile.mkdtemp(prefix="quad-test-"))
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop.

STUDENT_DOMAIN = "student.example.ac.uk"
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _media_and_cache(settings: Any, tmp_path: Any) -> Iterator[None]:
    from django.core.cache import cache

    settings.MEDIA_ROOT = str(tmp_path / "media")
    # PBKDF2 costs ~0.3 s a user; the cast alone would make the suite crawl. Tests need no real hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # pytest-django reads settings before this module's environment defaults above, so set tasks here too.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    cache.clear()
    yield
    cache.clear()


def make_person(name: str, local: str, *, student: bool = True, course_ends_on: datetime.date | None = None) -> Any:
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from quad.accounts import services
    from quad.accounts.models import User

    email = f"{local}@{STUDENT_DOMAIN if student else 'example.com'}"
    ends = course_ends_on or (timezone.localdate() + datetime.timedelta(days=700) if student else None)
    user = User.objects.create_user(email, PASSWORD, display_name=name, course_ends_on=ends)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if student:
        services.record_email_verified(user, email, actor=user)
        user.refresh_from_db()
    return user


def train(user: Any, *, actor: Any = None) -> Any:
    from django.utils import timezone

    from quad.accounts import services
    from quad.accounts.models import TrainingRecord

    return services.record_training(
        user, actor=actor or user, source=TrainingRecord.Source.QUIZ, completed_on=timezone.localdate(), score=100
    )


def found_society(name: str, president: Any, treasurer: Any, secretary: Any, *, staff: Any) -> Any:
    from quad.societies import services
    from quad.societies.models import Category

    category, _ = Category.objects.get_or_create(slug="sport-outdoors", defaults={"name": "Sport & Outdoors"})
    society = services.apply_for_society(
        president,
        name=name,
        category=category,
        purpose=f"{name}: a society for testing.",
        constitution="1. Named as above.",
        committee=[(president.email, "President"), (treasurer.email, "Treasurer"), (secretary.email, "Secretary")],
    )
    return services.approve_society(society, actor=staff)


@pytest.fixture
def su_staff(db: None) -> Any:
    from allauth.mfa.totp.internal.auth import TOTP

    user = make_person("Jo Staff", "jo.staff", student=False)
    user.is_union_staff = True
    user.save(update_fields=["is_union_staff"])
    TOTP.activate(user, "JBSWY3DPEHPK3PXPQUADTEST")
    return user


@pytest.fixture
def student(db: None) -> Any:
    return make_person("Sam Student", "sam.student")


def join(user: Any, membership_type: Any) -> Any:
    """Buy `membership_type` for `user` as the checkout does (order, then a test payment); the membership.

    A free type is paid at once by the free provider, so no payment is confirmed for it.
    """
    from quad.commerce import services
    from quad.commerce.models import Order

    order, _ = services.place_order(user, items=[(membership_type.variant, 1)])
    if order.status == Order.Status.PENDING:
        services.confirm_payment(
            order, provider=order.provider, payment_id=f"test-{order.reference}", amount_pence=order.total_pence
        )
    return user.memberships.get(order_line__order=order)


@pytest.fixture
def membership_type(society: Any, committee_trained: Any) -> Any:
    """``society``'s "Full member" membership for this academic year, £5, no limit."""
    from quad.core.academic import current_academic_year
    from quad.memberships.services import create_membership_type

    return create_membership_type(
        society, actor=committee_trained, year=current_academic_year(), name="Full member", price_pence=500
    )


@pytest.fixture
def member(membership_type: Any) -> Any:
    user = make_person("Mia Member", "mia.member")
    join(user, membership_type)
    return user


@pytest.fixture
def visitor(db: None) -> Any:
    return make_person("Vic Visitor", "vic.visitor", student=False)


@pytest.fixture
def graduate(db: None) -> Any:
    from django.utils import timezone

    user = make_person("Gus Graduate", "gus.graduate")
    user.course_ends_on = timezone.localdate() - datetime.timedelta(days=1)
    user.save(update_fields=["course_ends_on"])
    return user


@pytest.fixture
def committee_trained(db: None) -> Any:
    user = make_person("Priya President", "priya.president")
    train(user)
    return user


@pytest.fixture
def committee_untrained(db: None) -> Any:
    return make_person("Uma Untrained", "uma.untrained")


@pytest.fixture
def society(committee_trained: Any, committee_untrained: Any, su_staff: Any) -> Any:
    treasurer = make_person("Theo Treasurer", "theo.treasurer")
    return found_society("Hiking Society", committee_trained, treasurer, committee_untrained, staff=su_staff)


@pytest.fixture
def other_committee(db: None) -> Any:
    user = make_person("Oscar Other", "oscar.other")
    train(user)
    return user


@pytest.fixture
def other_society(other_committee: Any, su_staff: Any) -> Any:
    return found_society(
        "Chess Club",
        other_committee,
        make_person("Olga Other", "olga.other"),
        make_person("Otto Other", "otto.other"),
        staff=su_staff,
    )


@pytest.fixture
def staff_client(client: Any, su_staff: Any) -> Any:
    """A test client signed in as union staff (TOTP passed, as allauth's login would require)."""
    client.force_login(su_staff)
    return client
