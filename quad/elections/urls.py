from django.urls import path

from quad.elections import views

app_name = "elections"
urlpatterns = [
    path("<int:pk>/", views.election, name="election"),
    path("<int:pk>/posts/<int:post_id>/nominate/", views.nominate, name="nominate"),
    path("<int:pk>/candidates/<int:candidate_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/posts/<int:post_id>/vote/", views.vote, name="vote"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/posts/<int:post_id>/ballots.blt", views.download_blt, name="download-blt"),
    path("<int:pk>/receipt/", views.check_receipt, name="check-receipt"),
    path("<int:pk>/complaints/", views.file_complaint, name="file-complaint"),
    path("<int:pk>/manage/", views.manage_election, name="manage-election"),
    path("<int:pk>/manage/reminders/", views.send_reminders, name="send-reminders"),
    path("<int:pk>/returning-officer/", views.returning_officer, name="returning-officer"),
    path(
        "<int:pk>/returning-officer/complaints/<int:complaint_id>/",
        views.answer_complaint,
        name="answer-complaint",
    ),
    path("<int:pk>/returning-officer/count/", views.count, name="count"),
    path("<int:pk>/returning-officer/certify/", views.certify, name="certify"),
    path("societies/<slug:slug>/", views.society_elections, name="society-elections"),
]
