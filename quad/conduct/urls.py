from django.urls import path

from quad.conduct import views

app_name = "conduct"
urlpatterns = [
    path("", views.my_reports, name="my-reports"),
    path("messages/<int:pk>/report/", views.report_message, name="report-message"),
    path("groups/<int:pk>/members/<int:member_pk>/report/", views.report_member, name="report-member"),
    path("groups/<int:pk>/queue/", views.group_queue, name="group-queue"),
    path("reports/<int:pk>/dismiss/", views.dismiss_report, name="dismiss-report"),
    path("reports/<int:pk>/hide/", views.hide_reported_message, name="hide-reported-message"),
    path("reports/<int:pk>/escalate/", views.escalate_report, name="escalate-report"),
    path("flags/<int:pk>/dismiss/", views.dismiss_flag, name="dismiss-flag"),
    path("flags/<int:pk>/hide/", views.hide_flagged_message, name="hide-flagged-message"),
    path("flags/<int:pk>/escalate/", views.escalate_flag, name="escalate-flag"),
    path("queue/", views.queue, name="queue"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/notes/", views.add_case_note, name="add-case-note"),
    path("cases/<int:pk>/assign/", views.assign_case, name="assign-case"),
    path("cases/<int:pk>/status/", views.set_case_status, name="set-case-status"),
    path("cases/<int:pk>/close/", views.close_case, name="close-case"),
    path("cases/<int:pk>/officers/", views.escalate_to_officers, name="escalate-to-officers"),
    path("cases/<int:pk>/suspend/", views.suspend_member, name="suspend-member"),
    path("suspensions/<int:pk>/lift/", views.lift_suspension, name="lift-suspension"),
]
