"""Pieces of the group page that come from chat's own modules, not the view: the invite link's QR code
for moderators, and a member's posts waiting for the morning."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from quad.chat import invites, scheduling
from quad.chat.models import ChatGroup, ScheduledPost

register = template.Library()


@register.simple_tag
def invite_qr(group: ChatGroup) -> SafeString:
    # segno escapes the title it is given; the rest is its own markup.
    return mark_safe(invites.invite_qr_svg(group, scale=4, fluid=True))  # noqa: S308


@register.simple_tag
def invite_url(group: ChatGroup) -> str:
    return invites.invite_url(group)


@register.simple_tag
def waiting_posts(group: ChatGroup, user: Any) -> list[ScheduledPost]:
    return scheduling.waiting_posts(group, user)
