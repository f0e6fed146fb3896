from django.urls import path

from quad.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.edit_profile, name="edit-profile"),
    path("training/", views.take_training, name="take-training"),
]
