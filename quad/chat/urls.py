from django.urls import path

from quad.chat import views

app_name = "chat"
urlpatterns = [
    path("", views.my_groups, name="my-groups"),
    path("societies/<slug:slug>/", views.society_groups, name="society-groups"),
    path("join/<str:token>/", views.invite, name="invite"),
    path("<int:pk>/", views.group, name="group"),
    path("<int:pk>/accept/", views.accept_guidelines, name="accept-guidelines"),
    path("<int:pk>/messages/", views.messages_after, name="messages"),
    path("<int:pk>/post/", views.post_message, name="post-message"),
    path("<int:pk>/leave/", views.leave_group, name="leave-group"),
    path("<int:pk>/mute/", views.mute_group, name="mute-group"),
    path("<int:pk>/invite/rotate/", views.rotate_invite, name="rotate-invite"),
    path("<int:pk>/members/<int:member_pk>/remove/", views.remove_member, name="remove-member"),
    path("<int:pk>/members/<int:member_pk>/read-only/", views.make_read_only, name="read-only"),
    path("<int:pk>/invite/email/", views.email_invite, name="email-invite"),
    path("<int:pk>/schedule/", views.schedule_message, name="schedule-message"),
    path("scheduled/<int:pk>/cancel/", views.cancel_scheduled, name="cancel-scheduled"),
    path("rep-groups/", views.rep_groups, name="rep-groups"),
    path("rep-groups/<int:pk>/eligible/", views.rep_eligible, name="rep-eligible"),
    path("rep-groups/<int:pk>/invite-requests/", views.request_invites, name="request-invites"),
    path("invite-requests/<int:pk>/approve/", views.approve_invite_request, name="approve-invite-request"),
    path("invite-requests/<int:pk>/decline/", views.decline_invite_request, name="decline-invite-request"),
    path("<int:pk>/settings/", views.edit_group, name="edit-group"),
    path("<int:pk>/notices/", views.notices, name="notices"),
    path("<int:pk>/notices/post/", views.post_notice, name="post-notice"),
    path("<int:pk>/members/<int:member_pk>/write/", views.start_thread, name="start-thread"),
    path("threads/<int:pk>/", views.thread, name="thread"),
    path("<int:pk>/members/<int:member_pk>/role/", views.set_role, name="set-role"),
    path("messages/<int:pk>/hide/", views.hide_message, name="hide-message"),
    path("messages/<int:pk>/edit/", views.edit_message, name="edit-message"),
    path("messages/<int:pk>/delete/", views.delete_message, name="delete-message"),
    path("messages/<int:pk>/react/", views.react, name="react"),
]
