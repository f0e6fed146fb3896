from django.urls import path

from quad.privacy import staff_views, views

app_name = "privacy"
urlpatterns = [
    path("", views.notice, name="notice"),
    path("my-data/", views.my_data, name="my-data"),
    path("my-data/download/", views.download_my_data, name="download-my-data"),
    path("my-data/erase/", views.erase_my_account, name="erase-my-account"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/export/", views.export_person, name="export-person"),
    path("people/<int:pk>/erase/", views.erase_person, name="erase-person"),
    path("retention/", views.retention, name="retention"),
    path("access-log/", staff_views.access_log, name="access-log"),
    path("departures/", staff_views.departures, name="departures"),
]
