"""Chat's place in the management area's navigation, and what happens once a message is saved."""

from typing import Any

from django.dispatch import receiver

from quad.chat import frames
from quad.chat.models import Message
from quad.chat.signals import message_posted
from quad.societies import sections as site_sections

site_sections.register_manage_link("Group chats", "chat:society-groups")


@receiver(message_posted, sender=Message, dispatch_uid="chat.publish_message")
def publish_message(sender: Any, message: Message, **kwargs: Any) -> None:
    """A saved message goes to the sockets open on its group (after the commit that saved it)."""
    frames.publish_message(message)
