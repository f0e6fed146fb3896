from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "quad.chat"
    label = "chat"
    verbose_name = "Group chats"
