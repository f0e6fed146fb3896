"""A payment confirmed from two threads at once (the buyer's tab and the provider's webhook, or two
webhook deliveries) is recorded once; two different charges for one order keep one and return the other.

On PostgreSQL (DATABASE_URL=postgres://…) the scenes run in this process against the test database,
with real connections and commits (transactional_db). On SQLite they run in a subprocess on a fresh
*file* database, the way the embedded setup runs (WAL, IMMEDIATE transactions): pytest-django's
SQLite test database lives in shared-cache memory, where a second writer is refused at once
("database table is locked") instead of waiting its turn. As a module it prints the scenes' outcome:

    python -m quad.commerce.tests.test_payment_concurrency DB_PATH
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any

import pytest
from django.db import connection

from quad.core.tests.sqlite_file import open_file_database, run_scene_module

HOLD_IN_TRANSACTION = 0.2  # seconds each confirmation lingers before fulfilling, so the two overlap


def confirm_at_once(order: Any, *, payment_ids: list[str]) -> dict[str, Any]:
    """One thread per payment id confirms it for `order`, all released together; what they got back."""
    from quad.commerce import services
    from quad.commerce.models import Order

    start = threading.Barrier(len(payment_ids))
    lock = threading.Lock()
    got: dict[str, list[Any]] = {"payments": [], "errors": []}

    def confirm(payment_id: str) -> None:
        result: tuple[str, Any]
        try:
            connection.ensure_connection()  # connect before the start, so the race is the confirmation
            start.wait(timeout=10)
            payment = services.confirm_payment(
                Order.objects.get(pk=order.pk), provider="test", payment_id=payment_id, amount_pence=order.total_pence
            )
            result = ("payments", payment.pk)
        except Exception as error:  # reported to the test, not lost in the thread
            result = ("errors", repr(error))
        finally:
            connection.close()
        with lock:
            got[result[0]].append(result[1])

    threads = [threading.Thread(target=confirm, args=(payment_id,)) for payment_id in payment_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return got


def hold_each_confirmation_open() -> None:
    """Make every confirmation linger inside its transaction before it fulfils the order."""
    from quad.commerce import services

    record = services._record_payment

    def slowly(*args: Any, **kwargs: Any) -> Any:
        time.sleep(HOLD_IN_TRANSACTION)
        return record(*args, **kwargs)

    services._record_payment = slowly  # type: ignore[assignment]


def _seller(tag: str) -> tuple[Any, Any]:
    from conftest import found_society, make_person, train

    staff = make_person("Race Staff", f"race.staff.{tag}", student=False)
    staff.is_union_staff = True
    staff.save(update_fields=["is_union_staff"])
    president = make_person("Race President", f"race.president.{tag}")
    train(president)
    society = found_society(
        f"Race Society {tag}",
        president,
        make_person("Race Treasurer", f"race.treasurer.{tag}"),
        make_person("Race Secretary", f"race.secretary.{tag}"),
        staff=staff,
    )
    return society, president


def one_payment_twice() -> dict[str, Any]:
    """Two threads confirm the same provider payment of one order."""
    from conftest import make_person
    from quad.commerce.models import Order, Payment, Refund
    from quad.commerce.tests.factories import make_variant, place
    from quad.core.models import AuditEvent

    society, _ = _seller("a")
    order = place(make_person("Bo Buyer", "bo.buyer"), (make_variant(society, capacity=5), 1))
    got = confirm_at_once(order, payment_ids=["test-same-payment", "test-same-payment"])
    return {
        **got,
        "payments_recorded": Payment.objects.filter(order=order).count(),
        "refunds": Refund.objects.filter(order=order).count(),
        "receipts_audited": AuditEvent.objects.filter(
            action="commerce.payment.received", target_id=str(order.pk)
        ).count(),
        "status": Order.objects.get(pk=order.pk).status,
    }


def two_charges_for_one_membership() -> dict[str, Any]:
    """Two threads confirm two different provider payments of one membership order."""
    from conftest import make_person
    from quad.commerce.models import Order, Payment, Refund
    from quad.commerce.tests.factories import make_membership_type, place
    from quad.memberships.models import Membership

    society, president = _seller("b")
    buyer = make_person("Cy Buyer", "cy.buyer")
    membership_type = make_membership_type(society, actor=president, price_pence=700)
    order = place(buyer, (membership_type.variant, 1))
    got = confirm_at_once(order, payment_ids=["test-charge-a", "test-charge-b"])
    return {
        **got,
        "payments_recorded": Payment.objects.filter(order=order).count(),
        "refunded": sorted(Refund.objects.filter(order=order).values_list("amount_pence", flat=True)),
        "memberships": Membership.objects.filter(user=buyer).count(),
        "status": Order.objects.get(pk=order.pk).status,
    }


SCENES = {"one payment twice": one_payment_twice, "two charges": two_charges_for_one_membership}


def main(argv: list[str]) -> None:
    open_file_database(argv[0])
    hold_each_confirmation_open()
    outcome = {name: scene() for name, scene in SCENES.items()}
    connection.close()
    print(json.dumps(outcome))


@pytest.fixture(scope="module")
def on_a_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    path = tmp_path_factory.mktemp("payment-race") / "quad.sqlite3"
    outcome: dict[str, dict[str, Any]] = run_scene_module("quad.commerce.tests.test_payment_concurrency", str(path))
    return outcome


def play(scene: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    if connection.vendor == "sqlite":
        outcomes: dict[str, dict[str, Any]] = request.getfixturevalue("on_a_sqlite_file")
        return outcomes[scene]
    from quad.commerce import services

    monkeypatch.setattr(services, "_record_payment", services._record_payment)  # undone after the test
    hold_each_confirmation_open()
    return SCENES[scene]()


@pytest.mark.django_db(transaction=True)
def test_one_payment_confirmed_from_two_threads_is_recorded_once(request, monkeypatch):
    outcome = play("one payment twice", request, monkeypatch)

    assert outcome["errors"] == []
    assert len(outcome["payments"]) == 2
    assert len(set(outcome["payments"])) == 1  # both threads were handed the same payment
    assert outcome["payments_recorded"] == 1
    assert outcome["refunds"] == 0
    assert outcome["receipts_audited"] == 1  # fulfilled once
    assert outcome["status"] == "paid"


@pytest.mark.django_db(transaction=True)
def test_two_charges_for_one_order_at_once_keep_one_and_return_the_other(request, monkeypatch):
    outcome = play("two charges", request, monkeypatch)

    assert outcome["errors"] == []
    assert len(set(outcome["payments"])) == 2
    assert outcome["payments_recorded"] == 2
    assert outcome["refunded"] == [700]  # the later charge goes back in full
    assert outcome["memberships"] == 1
    assert outcome["status"] == "paid"


if __name__ == "__main__":
    main(sys.argv[1:])
