from django.urls import path

from enrollment import views

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
    path("bureau/", views.bureau_home, name="bureau_home"),
]
