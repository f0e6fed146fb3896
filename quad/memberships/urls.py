from django.urls import path

from quad.memberships import views

app_name = "memberships"
urlpatterns = [
    path("<slug:slug>/types/", views.membership_types, name="membership-types"),
    path("<slug:slug>/types/<int:pk>/", views.edit_membership_type, name="edit-membership-type"),
    path("<slug:slug>/members/", views.member_list, name="member-list"),
    path("<slug:slug>/members.csv", views.export_members, name="export-members"),
    path("<slug:slug>/members/<int:pk>/remove/", views.remove_member, name="remove-member"),
]
