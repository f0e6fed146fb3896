from __future__ import annotations

from django import forms

from quad.chat.services import MAX_MESSAGE_LENGTH


class GroupForm(forms.Form):
    name = forms.CharField(max_length=60, help_text="For example: Announcements, General, Social.")
    purpose = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the group is for. People read this before they join.",
    )
    announcements_only = forms.BooleanField(required=False, label="Only moderators post (announcements)")


class MessageForm(forms.Form):
    body = forms.CharField(
        max_length=MAX_MESSAGE_LENGTH,
        label="Message",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_MESSAGE_LENGTH}),
    )
    post_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why (moderators and union staff see this)")
