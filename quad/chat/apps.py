from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "quad.chat"
    label = "chat"
    verbose_name = "Group chats"

    def ready(self) -> None:
        from quad.chat import (
            invite_requests,
            personal_data,  # noqa: F401  (subject access, erasure, retention)
            receivers,  # noqa: F401  (navigation)
        )

        invite_requests.register_personal_data()
        from quad.chat.scoring import receivers as scoring_receivers  # noqa: F401  (automatic flagging)
