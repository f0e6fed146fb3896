from django.urls import path

from quad.mailings import views

app_name = "mailings"
urlpatterns = [
    path("societies/<slug:slug>/", views.society_mailings, name="society-mailings"),
    path("societies/<slug:slug>/new/", views.compose_mailing, name="compose-mailing"),
    path("societies/<slug:slug>/welcome/", views.welcome_email, name="welcome-email"),
    path("societies/<slug:slug>/news-preference/", views.news_preference, name="news-preference"),
    path("<int:pk>/", views.mailing, name="mailing"),
    path("<int:pk>/edit/", views.edit_mailing, name="edit-mailing"),
    path("<int:pk>/progress/", views.mailing_progress, name="mailing-progress"),
    path("<int:pk>/send/", views.send_mailing, name="send-mailing"),
    path("<int:pk>/cancel/", views.cancel_mailing, name="cancel-mailing"),
    path("<int:pk>/delete/", views.delete_mailing, name="delete-mailing"),
    path("<int:pk>/urgent/", views.mark_urgent, name="mark-urgent"),
    path("articles/<int:pk>/email/", views.email_article, name="email-article"),
    path("held/", views.held_mailings, name="held-mailings"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
