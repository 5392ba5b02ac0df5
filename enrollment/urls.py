from django.urls import path

from enrollment import family_views, views

app_name = "enrollment"
urlpatterns = [
    path("family/", views.parent_home, name="parent_home"),
    path("family/child/<int:student_id>/", views.child_detail, name="child_detail"),
    path("family/child/<int:student_id>/courses/", views.catalogue, name="catalogue"),
    path("family/child/<int:student_id>/enroll/", views.enroll, name="enroll"),
    path("family/child/<int:student_id>/choices/", views.preferences, name="preferences"),
    path("family/child/<int:student_id>/dismissal/", views.dismissal, name="dismissal"),
    path("family/child/<int:student_id>/seats/<int:enrollment_id>/withdraw/", views.withdraw, name="withdraw"),
    path("family/child/<int:student_id>/seats/<int:enrollment_id>/accept/", views.offer_accept, name="offer_accept"),
    path("family/child/<int:student_id>/timetable/", views.child_timetable, name="child_timetable"),
    path("family/child/<int:student_id>/timetable/feeds/", views.child_feed_issue, name="child_feed_issue"),
    path(
        "family/child/<int:student_id>/timetable/feeds/<int:feed_id>/revoke/",
        views.child_feed_revoke,
        name="child_feed_revoke",
    ),
    path("partner/sections/<int:section_id>/roster/", views.partner_roster, name="partner_roster"),
    path("school/<int:school_id>/setup/sections/<int:section_id>/", views.section_edit, name="section_edit"),
    path("school/<int:school_id>/pupils/", views.school_pupils, name="school_pupils"),
    path("school/<int:school_id>/enrollment/", views.school_enrollment, name="school_enrollment"),
    path("school/<int:school_id>/enrollment/windows/new/", views.window_edit, name="window_new"),
    path("school/<int:school_id>/enrollment/windows/<int:window_id>/", views.window_edit, name="window_edit"),
    path("school/<int:school_id>/enrollment/notices/", views.notice_new, name="notice_new"),
    path("school/<int:school_id>/sections/<int:section_id>/roster/", views.section_roster, name="section_roster"),
    path("school/<int:school_id>/sections/<int:section_id>/roster.xlsx", views.roster_export, name="roster_export"),
    path("school/<int:school_id>/sections/<int:section_id>/roster/add/", views.roster_add, name="roster_add"),
    path(
        "school/<int:school_id>/sections/<int:section_id>/roster/<int:enrollment_id>/remove/",
        views.roster_remove,
        name="roster_remove",
    ),
    path(
        "family/child/<int:student_id>/proposals/<int:proposal_id>/accept/",
        family_views.proposal_accept,
        name="proposal_accept",
    ),
    path(
        "family/child/<int:student_id>/proposals/<int:proposal_id>/decline/",
        family_views.proposal_decline,
        name="proposal_decline",
    ),
    path(
        "school/<int:school_id>/sections/<int:section_id>/proposals/<int:proposal_id>/withdraw/",
        family_views.proposal_withdraw,
        name="proposal_withdraw",
    ),
]
