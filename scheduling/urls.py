from django.urls import path

from scheduling import views

app_name = "scheduling"
urlpatterns = [
    path("school/<int:school_id>/timetable/", views.timetable_home, name="home"),
    path("school/<int:school_id>/timetable/solve/", views.solve_start, name="solve"),
    path("school/<int:school_id>/timetable/runs/<int:run_id>/", views.run_detail, name="run"),
    path("school/<int:school_id>/timetable/runs/<int:run_id>/cancel/", views.run_cancel, name="run_cancel"),
    path("school/<int:school_id>/timetable/compare/", views.timetable_compare, name="compare"),
    path("school/<int:school_id>/timetable/<int:timetable_id>/", views.timetable_detail, name="timetable"),
    path(
        "school/<int:school_id>/timetable/<int:timetable_id>/placements/<int:placement_id>/",
        views.placement_edit,
        name="placement",
    ),
    path(
        "school/<int:school_id>/timetable/<int:timetable_id>/placements/<int:placement_id>/pin/",
        views.placement_pin,
        name="pin",
    ),
    path("school/<int:school_id>/timetable/<int:timetable_id>/publish/", views.timetable_publish, name="publish"),
    path("school/<int:school_id>/timetable/<int:timetable_id>/copy/", views.timetable_copy, name="copy"),
    path("school/<int:school_id>/timetable/<int:timetable_id>/export.xlsx", views.timetable_export, name="export"),
    path("school/<int:school_id>/timetable/<int:timetable_id>/print/", views.timetable_print, name="print"),
    path("teacher/timetable/", views.teacher_timetable, name="teacher"),
    path("teacher/timetable/feeds/", views.teacher_feed_issue, name="teacher_feed_issue"),
    path("teacher/timetable/feeds/<int:feed_id>/revoke/", views.teacher_feed_revoke, name="teacher_feed_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
]
