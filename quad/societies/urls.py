from django.urls import path

from quad.societies import views

app_name = "societies"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("apply/", views.apply_for_society, name="apply-for-society"),
    path("<slug:slug>/", views.mini_site, name="mini-site"),
    path("<slug:slug>/application/", views.application, name="application"),
    path("<slug:slug>/handover/", views.handover, name="handover"),
    path("<slug:slug>/handover/acknowledge/", views.acknowledge_handover, name="acknowledge-handover"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/manage/site/", views.edit_mini_site, name="edit-mini-site"),
    path("<slug:slug>/manage/links/", views.edit_social_links, name="edit-social-links"),
    path("<slug:slug>/manage/faq/", views.edit_faq, name="edit-faq"),
    path("<slug:slug>/manage/faq/<int:item_id>/remove/", views.remove_faq_item, name="remove-faq-item"),
    path("<slug:slug>/manage/committee/", views.manage_committee, name="manage-committee"),
    path("<slug:slug>/manage/committee/grant/", views.grant_committee_term, name="grant-committee-term"),
    path("<slug:slug>/manage/committee/terms/<int:term_id>/end/", views.end_committee_term, name="end-committee-term"),
    path("<slug:slug>/manage/committee/positions/", views.create_position, name="create-position"),
    path(
        "<slug:slug>/manage/committee/positions/<int:position_id>/powers/",
        views.set_position_powers,
        name="set-position-powers",
    ),
]
