from django.urls import path

from quad.shop import views

app_name = "shop"
urlpatterns = [
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/manage/", views.manage_item, name="manage-item"),
    path("items/<int:pk>/manage/variants/<int:variant_id>/", views.update_variant, name="update-variant"),
    path("items/<int:pk>/manage/photos/", views.add_photo, name="add-photo"),
    path("items/<int:pk>/manage/on-sale/", views.set_item_on_sale, name="set-item-on-sale"),
    path("collections/<int:pk>/ready/", views.mark_ready, name="mark-ready"),
    path("collections/<int:pk>/collected/", views.mark_collected, name="mark-collected"),
    path("societies/<slug:slug>/", views.society_shop, name="society-shop"),
    path("societies/<slug:slug>/pick-list/", views.pick_list, name="pick-list"),
    path("societies/<slug:slug>/collections/", views.collections, name="collections"),
]
