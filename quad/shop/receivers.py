"""The shop's part of the mini site and of the management navigation."""

from __future__ import annotations

from typing import Any

from quad.shop import queries, services  # noqa: F401  (services registers the merch fulfilment)
from quad.societies import sections
from quad.societies.models import Society


def shop_section(society: Society, viewer: Any) -> sections.Section | None:
    items = list(queries.items_on_sale(society))
    if not items:
        return None
    return sections.Section("shop/site_section.html", {"items": items})


sections.register("shop", shop_section)
sections.register_manage_link("Shop", "shop:society-shop")
