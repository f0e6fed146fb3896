from django.urls import path

from quad.su import views

app_name = "su"
urlpatterns = [
    path("", views.console, name="console"),
    path("societies/", views.society_list, name="society-list"),
    path("societies/<slug:slug>/", views.society_detail, name="society-detail"),
    path("societies/<slug:slug>/approve/", views.approve_society, name="approve-society"),
    path("societies/<slug:slug>/reject/", views.reject_society, name="reject-society"),
    path("societies/<slug:slug>/suspend/", views.suspend_society, name="suspend-society"),
    path("societies/<slug:slug>/reinstate/", views.reinstate_society, name="reinstate-society"),
    path("societies/<slug:slug>/fold/", views.fold_society, name="fold-society"),
    path("societies/<slug:slug>/feature/", views.feature_society, name="feature-society"),
    path("societies/<slug:slug>/unfeature/", views.unfeature_society, name="unfeature-society"),
    path("training/", views.record_training, name="record-training"),
    path("handover/", views.handover_status, name="handover-status"),
    path("refunds/", views.refund_requests, name="refund-requests"),
    path("health/", views.health, name="health"),
    path("health.csv", views.health_csv, name="health-csv"),
    path("approvals/", views.approvals, name="approvals"),
]
