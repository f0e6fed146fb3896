"""The demo's code-of-conduct data (called by `load_demo`): in Hiking Society's General group, one report
waiting for its moderators (Priya) and one case for union staff, taken by Jo; both reports made by Mia."""

from __future__ import annotations

from django.conf import settings

from quad.accounts.models import User
from quad.chat import services as chat_services
from quad.chat.models import ChatGroup
from quad.chat.permissions import current_version
from quad.conduct import services
from quad.conduct.models import Category, Report


def _student(local: str) -> User:
    return User.objects.get(email=f"{local}@{settings.STUDENT_EMAIL_DOMAINS[0]}")


def load() -> bool:
    """Idempotent: does nothing (False) if the demo already has reports or has no General group."""
    general = ChatGroup.objects.filter(society__slug="hiking-society", name="General").first()
    if general is None or Report.objects.exists():
        return False
    mia = _student("mia.member")
    said = []
    for local, text in (
        ("demo.student1", "Nobody wants you on the walk, Mia. Stay at home this time."),
        ("demo.student2", "Selling cheap essay help, message me for prices!"),
    ):
        member = chat_services.join_group(_student(local), general, token=general.invite_token)
        chat_services.accept_guidelines(member, version=current_version(general))
        # In quiet hours the demo says it means it, so it loads the same by night as by day.
        said.append(chat_services.post_message(member, text, in_quiet_hours=True))
    unkind, advert = said
    # Bullying is zero-tolerance: straight to union staff, as a case, which Jo has taken.
    bullying = services.report_message(
        unkind,
        reporter=mia,
        category=Category.BULLYING,
        note="This is the third time this week. It is making me not want to come.",
    )
    if bullying.case is not None:
        jo = User.objects.get(email=f"jo.staff@{settings.UNION_EMAIL_DOMAIN}")
        services.assign_case(bullying.case, actor=jo, to=jo)
    # Anything else waits for the group's moderators first.
    services.report_message(
        advert, reporter=mia, category=Category.OTHER, note="Advertising, nothing to do with walks."
    )
    return True
