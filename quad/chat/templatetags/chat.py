"""Showing messages: mentions by display name, avatars by initials, reaction counts."""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from quad.chat.models import Reaction
from quad.chat.services import MENTION

register = template.Library()


@register.filter
def chat_body(message: Any) -> SafeString:
    """The message's text, escaped, with `@[id]` mentions shown as the person's display name (only
    people who were in the group when it was posted are named) and line breaks kept."""
    names = {mention.user_id: mention.user.display_name for mention in message.mentions.all()}
    parts: list[str] = []
    last = 0
    for found in MENTION.finditer(message.body):
        parts.append(html.escape(message.body[last : found.start()]))
        name = names.get(int(found.group(1)))
        parts.append(
            f'<span class="mention" data-user="{int(found.group(1))}">@{html.escape(name)}</span>'
            if name
            else "@someone"
        )
        last = found.end()
    parts.append(html.escape(message.body[last:]))
    return mark_safe("".join(parts).replace("\r\n", "\n").replace("\n", "<br>"))  # noqa: S308 - escaped above


@register.filter
def chat_excerpt(message: Any, length: int = 80) -> str:
    """Plain text of a message for a reply's context: mentions by name, cut to `length`."""
    text = chat_plain(message).replace("\n", " ")
    return text if len(text) <= length else text[: length - 1] + "…"


@register.filter
def initials(user: Any) -> str:
    words = (getattr(user, "display_name", "") or "?").split()
    return "".join(word[0] for word in words[:2]).upper() or "?"


@register.filter
def avatar_hue(user_id: Any) -> int:
    """A steady colour per person for their initials (no picture is ever uploaded or shown)."""
    return (int(user_id or 0) * 47) % 360


@register.filter
def reaction_counts(message: Any) -> list[tuple[str, int]]:
    counts = Counter(reaction.emoji for reaction in message.reactions.all())
    return [(emoji, counts[emoji]) for emoji in Reaction.EMOJI if counts[emoji]]


@register.simple_tag
def reaction_choices() -> tuple[str, ...]:
    return Reaction.EMOJI


@register.filter
def chat_plain(message: Any) -> str:
    """The message's text as its author typed it: `@[id]` mentions back to @Display Name (for editing)."""
    names = {mention.user_id: mention.user.display_name for mention in message.mentions.all()}
    return MENTION.sub(lambda found: "@" + names.get(int(found.group(1)), "someone"), message.body)


@register.filter
def author_name(message: Any) -> str:
    """Who a row says wrote a message: "The moderators" for a notice (members never learn which
    moderator), the author's display name, or "Someone who left"."""
    if message.kind == "notice":
        return "The moderators"
    return getattr(message.author, "display_name", "") or "Someone who left"
