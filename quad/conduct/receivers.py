"""Conduct's hooks into chat, which never imports conduct: removals open a case (W13), a platform-wide
suspension blocks every group, and messages an open case needs are kept from the retention sweep."""

from __future__ import annotations

from typing import Any

from quad.chat import services as chat_services
from quad.chat.models import GroupMember
from quad.chat.signals import member_removed
from quad.conduct import queries, services


def on_member_removed(sender: Any, *, member: GroupMember, actor: Any, reason: str, evidence: Any, **_: Any) -> None:
    # Sent inside the removal's transaction: if the case cannot be opened, the removal does not happen
    # either, so the union is never silently left untold.
    services.open_removal_case(member, actor=actor, reason=reason, evidence=evidence)


member_removed.connect(on_member_removed, dispatch_uid="conduct.open_removal_case")
chat_services.register_block(services.suspension_refusal)
chat_services.register_retention_hold(queries.held_message_ids)
