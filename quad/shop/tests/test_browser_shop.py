"""Society merch walked in a real browser: the committee adds a hoodie in two sizes and a photo with
its description; a member buys one from the mini site's Shop section through the basket, checkout and
the TEST MODE payment page; the committee sees it on the pick list and the collections list, marks it
ready (the buyer is emailed) and then collected.

Every page visited is checked with axe. With QUAD_SCREENSHOTS=1 the key steps are saved to
docs/img/ for the documentation (see quad/conftest.py).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from quad.conftest import PHONE, Tabs, assert_no_horizontal_overflow, check_a11y, sign_in

pytestmark = pytest.mark.browser

ITEM = "Hiking Society hoodie"
ALT = "A dark green hoodie with a white mountain on the chest"


def make_photo(path: Path) -> Path:
    """A hoodie, more or less: a green body and sleeves with a white mountain on it."""
    image = Image.new("RGB", (480, 480), "#f4f5f8")
    draw = ImageDraw.Draw(image)
    draw.polygon([(150, 90), (330, 90), (440, 200), (390, 250), (350, 210), (350, 430), (130, 430), (130, 210),
                  (90, 250), (40, 200)], fill="#1d6b35")  # fmt: skip
    draw.ellipse([(190, 60), (290, 130)], fill="#14502a")
    draw.polygon([(240, 200), (300, 300), (180, 300)], fill="#ffffff")
    out = io.BytesIO()
    image.save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return path


def committee_adds_the_hoodie(page: Page, committee: Any, society: Any, photo: Path) -> None:
    sign_in(page, committee.email, PASSWORD)
    page.goto(f"/societies/{society.slug}/manage/")
    page.get_by_role("navigation", name="Management").get_by_role("link", name="Shop", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Shop")).to_be_visible()
    expect(page.get_by_text("Nothing in the shop yet.")).to_be_visible()

    page.get_by_label("Name", exact=True).fill(ITEM)
    page.get_by_label("Description").fill(
        "Heavyweight cotton, **embroidered** logo. Collect from our Wednesday social."
    )
    page.get_by_label("Sizes or colours").fill("S, 25.00, 10\nM, 25.00, 12")
    check_a11y(page, "shop-new-item")
    page.get_by_role("button", name="Add to the shop").click()

    expect(page.get_by_text(f"“{ITEM}” is in the shop. Add a photo next.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=ITEM)).to_be_visible()
    expect(page.get_by_role("heading", level=3, name="S", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=3, name="M", exact=True)).to_be_visible()
    expect(page.get_by_text("0 sold or held of 12")).to_be_visible()
    check_a11y(page, "shop-manage-item")

    page.get_by_label("Image").set_input_files(str(photo))
    page.get_by_label("Describe the photo").fill(ALT)
    page.get_by_role("button", name="Add photo").click()
    expect(page.get_by_text("Photo added.")).to_be_visible()
    expect(page.get_by_role("img", name=ALT)).to_be_visible()
    check_a11y(page, "shop-manage-item-photo")


def member_buys_a_hoodie(page: Page, member: Any, society: Any) -> str:
    """Returns the order reference."""
    sign_in(page, member.email, PASSWORD)
    page.goto(society.get_absolute_url())
    shop = page.get_by_role("region", name="Shop")
    check_a11y(page, "shop-mini-site")
    shop.get_by_role("link", name=ITEM).click()

    expect(page.get_by_role("heading", level=1, name=ITEM)).to_be_visible()
    photo = page.get_by_role("img", name=ALT)
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0"), "the uploaded photo did not load"
    expect(page.locator(".prose strong", has_text="embroidered")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="M — £25.00")).to_contain_text("12 left")
    check_a11y(page, "merch-item", screenshot=True)

    page.get_by_role("button", name=re.compile(r"^Add to basket\W+M$")).click()
    expect(page.get_by_role("heading", level=1, name="Your basket")).to_be_visible()
    expect(page.get_by_text(f"{ITEM} (M) is in your basket.")).to_be_visible()
    check_a11y(page, "shop-basket")
    page.get_by_role("button", name="Check out").click()
    expect(page.get_by_text("TEST MODE", exact=True)).to_be_visible()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Test payment for order Q-")
    reference = heading.inner_text().rsplit(" ", 1)[-1]
    check_a11y(page, "shop-test-payment")
    page.get_by_role("button", name="Pay £25.00 (test)").click()
    expect(page.get_by_role("heading", level=1, name=f"Order {reference}")).to_be_visible()
    expect(page.get_by_text("Payment received. A receipt is on its way by email.")).to_be_visible()
    check_a11y(page, "shop-order")

    page.goto(f"/merch/items/{_item_pk()}/")
    expect(page.get_by_role("listitem").filter(has_text="M — £25.00")).to_contain_text("11 left")
    return reference


def _item_pk() -> int:
    from quad.shop.models import MerchItem

    return MerchItem.objects.get(product__name=ITEM).pk


def visitor_sees_the_item_on_a_phone(page: Page) -> None:
    page.goto(f"/merch/items/{_item_pk()}/")
    expect(page.get_by_role("img", name=ALT)).to_be_visible()
    expect(page.get_by_role("link", name="Sign in with your student account")).to_be_visible()
    assert_no_horizontal_overflow(page, "merch item")
    check_a11y(page, "merch-item-phone")


def committee_hands_it_over(page: Page, society: Any, member: Any, reference: str) -> None:
    page.goto(f"/societies/{society.slug}/manage/")
    manage = page.get_by_role("navigation", name="Management")
    manage.get_by_role("link", name="Shop", exact=True).click()
    expect(page.get_by_role("listitem").filter(has_text=ITEM)).to_be_visible()
    check_a11y(page, "shop-manage")

    page.get_by_role("link", name="Pick list").click()
    expect(page.get_by_role("heading", level=1, name="Pick list")).to_be_visible()
    expect(page.get_by_role("row", name=f"{ITEM} M 1")).to_be_visible()
    expect(page.get_by_role("row", name=f"{ITEM} S 2")).to_be_visible()
    check_a11y(page, "pick-list", screenshot=True)

    manage.get_by_role("link", name="Shop", exact=True).click()
    page.get_by_role("link", name="Collections").click()
    expect(page.get_by_role("heading", level=1, name="Collections")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Mia Member")
    expect(row).to_contain_text(f"1 × {ITEM} (M)")
    expect(row).to_contain_text("Ordered")
    expect(page.get_by_role("row").filter(has_text="Sam Student")).to_contain_text(f"2 × {ITEM} (S)")
    check_a11y(page, "collections", screenshot=True)

    before = len(mail.outbox)
    row.get_by_role("button", name=re.compile(rf"^Ready\W+for {reference}$")).click()
    expect(page.get_by_text("Marked ready; the buyer has been emailed.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Ready to collect")
    expect(row.get_by_role("button", name=re.compile("^Ready"))).to_have_count(0)
    check_a11y(page, "collections-ready")
    sent = [m for m in mail.outbox[before:] if m.to == [member.email]]
    assert [m.subject for m in sent] == [f"Ready to collect: {ITEM} (M)"], [m.subject for m in mail.outbox]
    assert reference in str(sent[0].body)

    row.get_by_role("button", name=re.compile(rf"^Collected\W+{reference}$")).click()
    expect(page.get_by_text("Marked collected.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Collected")
    expect(row.get_by_role("button")).to_have_count(0)
    check_a11y(page, "collections-collected")

    page.get_by_label("Status").select_option(label="Ready to collect")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No orders.")).to_be_visible()
    check_a11y(page, "collections-filtered")

    manage.get_by_role("link", name="Shop", exact=True).click()
    page.get_by_role("link", name="Pick list").click()
    expect(page.get_by_role("row", name=f"{ITEM} S 2")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(rf"{ITEM} M"))).to_have_count(0)  # handed over
    check_a11y(page, "pick-list-after")


def someone_else_buys_two_small(student: Any) -> None:
    from quad.commerce import services as commerce
    from quad.shop.models import MerchVariant

    small = MerchVariant.objects.get(item__product__name=ITEM, variant__name="S").variant
    order, _ = commerce.place_order(student, items=[(small, 2)])
    commerce.confirm_payment(
        order, provider=order.provider, payment_id=f"test-{order.reference}", amount_pence=order.total_pence
    )


def committee_checks_the_stall_on_a_phone(page: Page, committee: Any, society: Any) -> None:
    sign_in(page, committee.email, PASSWORD)
    for name, path, heading in [
        ("shop-manage-phone", f"/merch/societies/{society.slug}/", "Shop"),
        ("shop-manage-item-phone", f"/merch/items/{_item_pk()}/manage/", ITEM),
        ("pick-list-phone", f"/merch/societies/{society.slug}/pick-list/", "Pick list"),
        ("collections-phone", f"/merch/societies/{society.slug}/collections/", "Collections"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        assert_no_horizontal_overflow(page, name)
        check_a11y(page, name)


def test_committee_sells_a_hoodie_and_hands_it_over(
    page: Page,
    new_page: Any,
    tabs: Tabs,
    committee_trained: Any,
    society: Any,
    member: Any,
    student: Any,
    tmp_path: Path,
) -> None:
    committee_adds_the_hoodie(page, committee_trained, society, make_photo(tmp_path / "hoodie.png"))
    reference = member_buys_a_hoodie(new_page(), member, society)
    someone_else_buys_two_small(student)
    visitor_sees_the_item_on_a_phone(tabs.open(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True))
    committee_hands_it_over(page, society, member, reference)
    committee_checks_the_stall_on_a_phone(
        tabs.open(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True), committee_trained, society
    )
