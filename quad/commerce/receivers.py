"""commerce's pages in a society's management area and its part of the account page."""

from __future__ import annotations

from quad.accounts import sections as account_sections
from quad.accounts.models import User
from quad.commerce.queries import orders_of
from quad.societies import sections

sections.register_manage_link("Refunds", "commerce:refund-requests")
sections.register_manage_link("Money", "commerce:society-ledger")


def account_section(user: User) -> account_sections.Section | None:
    orders = list(orders_of(user)[:10])
    if not orders:
        return None
    return account_sections.Section("commerce/account_section.html", {"orders": orders})


account_sections.register(6, account_section)
