from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_union_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with a Quad account.

    Being a *student* is a fact about the account, not a flag someone sets: a verified
    address on one of the union's student domains, and a course that has not ended.
    Past `course_ends_on` the person is a graduate: still a user, no longer a student.
    No phone number is ever collected.
    """

    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=80, help_text="How other students see you.")
    course_ends_on = models.DateField(null=True, blank=True, help_text="Expected end of course.")
    student_verified_at = models.DateTimeField(null=True, blank=True)
    is_union_staff = models.BooleanField(default=False, help_text="Students' union staff.")
    is_officer = models.BooleanField(default=False, help_text="An elected union officer.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(
        null=True, blank=True, help_text="When the account was erased; the row stays as an anonymous stub."
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["display_name", "id"]

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def is_staff(self) -> bool:
        # Django's own admin is not mounted; nobody needs its flag.
        return False

    @property
    def email_domain(self) -> str:
        return self.email.rsplit("@", 1)[-1].lower()

    @property
    def has_student_address(self) -> bool:
        return self.email_domain in settings.STUDENT_EMAIL_DOMAINS

    def is_graduate_on(self, day: datetime.date) -> bool:
        return self.course_ends_on is not None and day > self.course_ends_on

    @property
    def is_graduate(self) -> bool:
        return self.student_verified_at is not None and self.is_graduate_on(timezone.localdate())

    @property
    def is_student(self) -> bool:
        return (
            self.is_active
            and self.student_verified_at is not None
            and self.has_student_address
            and not self.is_graduate_on(timezone.localdate())
        )

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class TrainingRecord(models.Model):
    """A completed GDPR training: the built-in module's quiz, or training recorded by staff."""

    class Source(models.TextChoices):
        QUIZ = "quiz", "Quad's GDPR training module"
        EXTERNAL = "external", "Recorded by union staff"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="training_records")
    completed_on = models.DateField()
    expires_on = models.DateField()
    source = models.CharField(max_length=20, choices=Source.choices)
    score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Quiz score, per cent.")
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-expires_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("completed_on")), name="training_expires_after_completion"
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=100), name="training_score_is_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"GDPR training for {self.user} until {self.expires_on:%d %b %Y}"

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.completed_on <= day <= self.expires_on
