"""Merch: the item page, and the committee's shop, pick list and collection check-off."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quad.accounts.permissions import login_required
from quad.commerce.services import places_left
from quad.core.forms import error_messages
from quad.core.markdown import render_markdown
from quad.memberships.services import log_member_data_access
from quad.shop import queries, services
from quad.shop.errors import ShopError
from quad.shop.forms import MerchItemForm, PhotoForm, VariantForm
from quad.shop.models import Collection, MerchItem, MerchVariant
from quad.shop.permissions import get_collection_for_committee, get_item_for_committee, get_item_for_sale
from quad.societies.models import Power, Society
from quad.societies.permissions import get_society_for_committee


@require_GET
def item(request: HttpRequest, pk: int) -> HttpResponse:
    merch = get_item_for_sale(request.user, pk)
    variants = [(mv, places_left(mv.variant)) for mv in merch.merch_variants.select_related("variant")]
    return render(
        request,
        "shop/item.html",
        {
            "item": merch,
            "description": render_markdown(merch.product.description),
            "variants": variants,
            "photos": merch.photos.all(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def society_shop(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_society_for_committee(request.user, slug, power=Power.SHOP if request.method == "POST" else None)
    form = MerchItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            merch = services.create_merch_item(
                access.society,
                actor=request.user,
                name=data["name"],
                description=data["description"],
                members_only=data["members_only"],
                preorder_closes_at=data["preorder_closes_at"],
                variants=data["variants"],
            )
        except ShopError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"“{merch}” is in the shop. Add a photo next.")
            return redirect("shop:manage-item", pk=merch.pk)
    return render(
        request,
        "shop/society_shop.html",
        {
            "access": access,
            "society": access.society,
            "items": MerchItem.objects.filter(society=access.society).select_related("product"),
            "form": form,
        },
    )


@login_required
@require_GET
def manage_item(request: HttpRequest, pk: int) -> HttpResponse:
    access, merch = get_item_for_committee(request.user, pk, power=None)
    variants = [(mv, services.sold(mv)) for mv in merch.merch_variants.select_related("variant", "stock")]
    return render(
        request,
        "shop/manage_item.html",
        {
            "access": access,
            "society": access.society,
            "item": merch,
            "variants": variants,
            "photo_form": PhotoForm(),
            "photos": merch.photos.all(),
        },
    )


@login_required
@require_POST
def update_variant(request: HttpRequest, pk: int, variant_id: int) -> HttpResponse:
    _access, merch = get_item_for_committee(request.user, pk)
    merch_variant = get_object_or_404(MerchVariant.objects.select_related("variant"), pk=variant_id, item=merch)
    form = VariantForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a price like 18.00 and a whole number of items in stock.")
        return redirect("shop:manage-item", pk=pk)
    try:
        services.update_variant(
            merch_variant,
            actor=request.user,
            price_pence=int(form.cleaned_data["price"] * 100),
            stock=form.cleaned_data["stock"],
        )
    except ShopError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{merch_variant} saved. A new price applies to later sales only.")
    return redirect("shop:manage-item", pk=pk)


@login_required
@require_POST
def add_photo(request: HttpRequest, pk: int) -> HttpResponse:
    _access, merch = get_item_for_committee(request.user, pk)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        for message in error_messages(form):
            messages.error(request, message)
        return redirect("shop:manage-item", pk=pk)
    try:
        services.add_photo(
            merch, actor=request.user, image=form.cleaned_data["image"], alt_text=form.cleaned_data["alt_text"]
        )
    except ShopError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Photo added.")
    return redirect("shop:manage-item", pk=pk)


@login_required
@require_POST
def set_item_on_sale(request: HttpRequest, pk: int) -> HttpResponse:
    _access, merch = get_item_for_committee(request.user, pk)
    on_sale = request.POST.get("on_sale") == "1"
    services.set_item_on_sale(merch, actor=request.user, on_sale=on_sale)
    messages.success(request, "On sale." if on_sale else "Taken off sale.")
    return redirect("shop:manage-item", pk=pk)


@login_required
@require_GET
def pick_list(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_society_for_committee(request.user, slug, power=Power.SHOP)
    return render(
        request,
        "shop/pick_list.html",
        {"access": access, "society": access.society, "rows": queries.pick_list(access.society)},
    )


@login_required
@require_GET
def collections(request: HttpRequest, slug: str) -> HttpResponse:
    """Who bought what: personal data, so the member-data power and training, and the view is logged."""
    access = get_society_for_committee(request.user, slug, power=Power.SHOP)
    get_society_for_committee(request.user, slug, power=Power.MEMBER_DATA)
    status = request.GET.get("status", "")
    if status not in Collection.Status.values:
        status = ""
    found = list(queries.collections(access.society, status=status))
    log_member_data_access(
        access.society,
        actor=request.user,
        action="buyers_viewed",
        what=_buyers_what(access.society, found, status=status),
        subjects=[c.order_line.order.buyer_id for c in found],
    )
    return render(
        request,
        "shop/collections.html",
        {
            "access": access,
            "society": access.society,
            "collections": found,
            "status": status,
            "statuses": Collection.Status.choices,
        },
    )


def _buyers_what(society: Society, found: list[Collection], *, status: str) -> str:
    """What the access log says was seen, e.g. "Buyers of Hoodie, Scarf (Hiking Society, ready to collect)"."""
    items = sorted({c.item.product.name for c in found})
    described = ", ".join(items) if items else "merch"
    detail = society.name + (f", {Collection.Status(status).label.lower()}" if status else "")
    return f"Buyers of {described} ({detail})"


@login_required
@require_POST
def mark_ready(request: HttpRequest, pk: int) -> HttpResponse:
    collection = get_collection_for_committee(request.user, pk)
    try:
        services.mark_ready(collection, actor=request.user)
    except ShopError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Marked ready; the buyer has been emailed.")
    return redirect("shop:collections", slug=collection.item.society.slug)


@login_required
@require_POST
def mark_collected(request: HttpRequest, pk: int) -> HttpResponse:
    collection = get_collection_for_committee(request.user, pk)
    try:
        services.mark_collected(collection, actor=request.user)
    except ShopError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Marked collected.")
    return redirect("shop:collections", slug=collection.item.society.slug)
