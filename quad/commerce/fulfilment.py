"""What a kind of product means. memberships, events and shop each register one.

commerce calls these at fixed points and never imports the apps that provide them:
- `check_can_buy` before a variant goes into a basket and again when the order is placed;
- `price_for` for the unit price (the server decides prices, never the browser);
- `on_paid`, `on_refunded`, `on_expired` inside the transaction that changes the order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quad.commerce.models import OrderLine, Refund, Variant


class Fulfilment:
    kind = ""
    label = ""

    def check_can_buy(self, user: Any, variant: Variant, quantity: int) -> None:
        """Raise OrderError with a reason if `user` may not buy `quantity` of `variant`."""

    def describe(self, variant: Variant) -> str:
        """What a line of this variant says on orders, receipts and the ledger."""
        return str(variant)

    def price_for(self, user: Any, variant: Variant) -> int:
        return variant.price_pence

    def check_can_request_refund(self, line: OrderLine) -> None:
        """Raise OrderError if the buyer may no longer ask for a refund of `line`."""

    def on_paid(self, line: OrderLine) -> None:
        """The line is paid: deliver it (start a membership, issue tickets…)."""

    def on_refunded(self, line: OrderLine, refund: Refund, *, fully_refunded: bool) -> None:
        """Money came back for the line; undo what it gave if fully refunded."""

    def on_expired(self, line: OrderLine) -> None:
        """The line's order expired unpaid; its capacity is already free again."""


_registry: dict[str, Fulfilment] = {}


def register(fulfilment: Fulfilment) -> None:
    _registry[fulfilment.kind] = fulfilment


def fulfilment_for(kind: str) -> Fulfilment:
    try:
        return _registry[kind]
    except KeyError as exc:
        raise LookupError(f"No fulfilment registered for product kind {kind!r}") from exc
