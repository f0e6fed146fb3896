"""What goes over a chat socket: each message's row rendered once, the same for every reader.

A row carries no one's address (display names and initials only) and nothing for one reader alone:
the page marks a reader's own messages and shows moderators' controls to moderators (their actions are
checked again by the server, whoever sends them). Rendered once per message, not once per socket.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from quad.chat import realtime
from quad.chat.models import Message
from quad.chat.queries import with_row_details


def row(message: Message) -> str:
    message = with_row_details(Message.objects.filter(pk=message.pk)).get()
    return render_to_string("chat/message.html", {"m": message, "live": True})


def message_frame(message: Message) -> str:
    return realtime.frame("msg", seq=message.seq, html=row(message))


def update_frame(message: Message) -> str:
    return realtime.frame("update", seq=message.seq, html=row(message))


def publish_message(message: Message) -> None:
    realtime.publish(message.group_id, message_frame(message))


def publish_update(message: Message) -> None:
    realtime.publish(message.group_id, update_frame(message))


def publish_guidelines_changed(group_id: int) -> None:
    realtime.publish(group_id, realtime.frame("guidelines"))
