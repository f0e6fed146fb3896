from django.urls import path

from quad.commerce import views

app_name = "commerce"
urlpatterns = [
    path("basket/", views.basket, name="basket"),
    path("basket/add/", views.add_to_basket, name="add-to-basket"),
    path("basket/remove/<int:variant_id>/", views.remove_from_basket, name="remove-from-basket"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/<str:reference>/", views.order, name="order"),
    path("orders/<str:reference>/test-payment/", views.test_payment, name="test-payment"),
    path("orders/<str:reference>/lines/<int:line_id>/refund/", views.request_refund, name="request-refund"),
    path("refunds/<int:pk>/approve/", views.approve_refund_request, name="approve-refund-request"),
    path("refunds/<int:pk>/decline/", views.decline_refund_request, name="decline-refund-request"),
    path("societies/<slug:slug>/refunds/", views.refund_requests, name="refund-requests"),
    path("societies/<slug:slug>/ledger/", views.society_ledger, name="society-ledger"),
    path("webhooks/stripe/", views.stripe_webhook, name="stripe-webhook"),
]
