from django.urls import path

from quad.events import views

app_name = "events"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("<int:pk>/", views.event, name="event"),
    path("<int:pk>/waiting-list/join/", views.join_waiting_list, name="join-waiting-list"),
    path("<int:pk>/waiting-list/leave/", views.leave_waiting_list, name="leave-waiting-list"),
    path("<int:pk>/manage/", views.manage_event, name="manage-event"),
    path("<int:pk>/manage/tickets/", views.add_ticket_type, name="add-ticket-type"),
    path("<int:pk>/manage/tickets/<int:ticket_type_id>/", views.edit_ticket_type, name="edit-ticket-type"),
    path("<int:pk>/manage/cancel/", views.cancel_event, name="cancel-event"),
    path("<int:pk>/manage/attendees/", views.attendees, name="attendees"),
    path("<int:pk>/check-in/", views.scanner, name="scanner"),
    path("<int:pk>/check-in/scan/", views.scan, name="scan"),
    path("<int:pk>/check-in/count/", views.attendance, name="attendance"),
    path("tickets/<str:code>/", views.ticket, name="ticket"),
    path("feeds/societies/<slug:slug>.ics", views.society_feed, name="society-feed"),
    path("feeds/tickets/<str:token>.ics", views.my_feed, name="my-feed"),
    path("societies/<slug:slug>/", views.society_events, name="society-events"),
]
