"""Privacy's hooks into the apps below it: a conduct case or report closing finishes the erasure of
anyone erased while it was open (evidence was kept only until then)."""

from __future__ import annotations

from typing import Any

from quad.conduct.signals import closed
from quad.privacy import services


def on_conduct_closed(sender: Any, *, people: set[int], **_: Any) -> None:
    services.finish_erasure({pk for pk in people if pk is not None}, why=f"A {sender.__name__.lower()} closed")


closed.connect(on_conduct_closed, dispatch_uid="privacy.finish_erasure")
