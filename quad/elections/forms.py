from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from quad.accounts.models import User
from quad.elections.models import Candidate, Complaint, Election
from quad.elections.services import MANIFESTO_MAX, union_staff
from quad.societies.forms import process_logo
from quad.societies.models import Position, Society


def local_datetime(label: str, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, help_text=help_text, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class ElectionForm(forms.Form):
    title = forms.CharField(max_length=150, initial="Committee elections")
    nominations_open_at = local_datetime("Nominations open")
    nominations_close_at = local_datetime("Nominations close")
    voting_open_at = local_datetime("Voting opens", "On or after the close of nominations.")
    voting_close_at = local_datetime("Voting closes")
    eligibility_cutoff = local_datetime(
        "Eligibility cut-off",
        "Members whose membership is active at this moment may stand and vote. Often the close of nominations.",
    )
    term_starts_on = forms.DateField(
        label="New committee takes office on", widget=forms.DateInput(attrs={"type": "date"})
    )
    returning_officer = forms.ModelChoiceField(
        queryset=User.objects.none(),
        empty_label=None,
        help_text="A member of union staff runs the count, answers complaints and certifies the result.",
    )
    ron = forms.ChoiceField(
        choices=Election.Ron.choices,
        initial=Election.Ron.ORDINARY,
        widget=forms.RadioSelect,
        label="RON (re-open nominations) convention",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = union_staff().order_by("display_name", "id")
        field = self.fields["returning_officer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = staff
        field.initial = staff.first()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        order = ["nominations_open_at", "nominations_close_at", "voting_open_at", "voting_close_at"]
        times = [data.get(name) for name in order]
        if all(times):
            if times[1] <= times[0]:  # type: ignore[operator]
                self.add_error("nominations_close_at", "Nominations must close after they open.")
            elif times[2] < times[1]:  # type: ignore[operator]
                self.add_error("voting_open_at", "Voting cannot open before nominations close.")
            elif times[3] <= times[2]:  # type: ignore[operator]
                self.add_error("voting_close_at", "Voting must close after it opens.")
        cutoff, opens = data.get("eligibility_cutoff"), data.get("voting_open_at")
        if cutoff and opens and cutoff > opens:
            self.add_error("eligibility_cutoff", "The cut-off must come before voting opens.")
        return data


class PostForm(forms.Form):
    name = forms.CharField(max_length=100, label="Post", help_text="For example President, or General Committee.")
    seats = forms.IntegerField(min_value=1, max_value=20, initial=1)
    position = forms.ModelChoiceField(
        queryset=Position.objects.none(),
        required=False,
        label="Committee position",
        empty_label="A new position named after the post",
        help_text="The position the winners take when the result is certified.",
    )

    def __init__(self, *args: Any, society: Society, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["position"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Position.objects.filter(society=society).order_by("order", "name")


class NominationForm(forms.Form):
    manifesto = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=MANIFESTO_MAX,
        help_text=f"Why members should vote for you. Markdown allowed; at most {MANIFESTO_MAX} characters. "
        "It is published on the election page.",
    )
    photo = forms.ImageField(required=False, help_text="PNG, JPEG, WebP or GIF, at most 2 MB. Published with it.")

    def clean_photo(self) -> ContentFile | None:
        upload = self.cleaned_data.get("photo")
        if not upload or not isinstance(upload, UploadedFile):
            return None
        return process_logo(upload, what="photo")


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def join_names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class BallotForm(forms.Form):
    """A ranking as one select per candidate ("Not ranked", 1st, 2nd …): a plain control that works with a
    keyboard, a screen reader and a phone. A candidate cannot be ranked twice by construction; the same
    rank given twice, or a gap, is refused here with a message that names the candidates."""

    def __init__(self, *args: Any, candidates: Sequence[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        choices = [("", "Not ranked")] + [(str(n), ordinal(n)) for n in range(1, len(self.candidates) + 1)]
        for candidate in self.candidates:
            self.fields[self.field_name(candidate)] = forms.TypedChoiceField(
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                label=f"Your ranking for {candidate.name}",
            )

    @staticmethod
    def field_name(candidate: Candidate) -> str:
        return f"rank-{candidate.pk}"

    def rows(self) -> list[tuple[Candidate, forms.BoundField]]:
        return [(candidate, self[self.field_name(candidate)]) for candidate in self.candidates]

    def clean(self) -> dict[str, Any]:
        super().clean()
        ranked: dict[int, list[Candidate]] = {}
        for candidate in self.candidates:
            rank = self.cleaned_data.get(self.field_name(candidate))
            if rank is not None:
                ranked.setdefault(rank, []).append(candidate)
        if not ranked:
            raise forms.ValidationError("Rank at least one candidate: give your favourite 1st.")
        problems = []
        for rank, holders in sorted(ranked.items()):
            if len(holders) > 1:
                problems.append(
                    f"You gave {ordinal(rank)} to {join_names([c.name for c in holders])}: "
                    "give each candidate a different ranking."
                )
                for candidate in holders:
                    self.add_error(self.field_name(candidate), f"{ordinal(rank)} is given to more than one candidate.")
        missing = [n for n in range(1, max(ranked) + 1) if n not in ranked]
        if missing:
            problems.append(
                f"Your rankings skip {join_names([ordinal(n) for n in missing])}: "
                "number your choices 1st, 2nd, 3rd and so on without gaps."
            )
        if problems:
            raise forms.ValidationError(problems)
        return self.cleaned_data

    def ranking(self) -> list[int]:
        """Candidate ids, first preference first (call after is_valid())."""
        ranked = [(rank, c.pk) for c in self.candidates if (rank := self.cleaned_data.get(self.field_name(c)))]
        return [pk for _, pk in sorted(ranked)]


class ReceiptForm(forms.Form):
    code = forms.CharField(
        max_length=30, label="Receipt code", help_text="As shown when you voted, e.g. ABCD-EFGH-JKLM."
    )

    def clean_code(self) -> str:
        raw = "".join(ch for ch in self.cleaned_data["code"].upper() if ch.isalnum())
        return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


class ComplaintForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        label="Your complaint",
        help_text="Only the returning officer reads it. Say what happened and what you think should be done.",
    )


class AnswerComplaintForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(Complaint.Status.UPHELD, "Uphold"), (Complaint.Status.DISMISSED, "Dismiss")],
        widget=forms.RadioSelect,
        label="Decision",
    )
    response = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        label="Response to the complainant",
    )
