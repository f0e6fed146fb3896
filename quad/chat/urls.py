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
    path("messages/<int:pk>/hide/", views.hide_message, name="hide-message"),
]
