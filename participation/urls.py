"""Registers, leave and participation pages (their own URL file: enrollment/urls.py has its owner)."""

from django.urls import path

from participation import views

app_name = "participation"
urlpatterns = [
    path("bureau/", views.bureau_home, name="bureau_home"),
    path("attendance/", views.teacher_day, name="teacher_day"),
    path("attendance/register/<int:section_id>/<str:day>/", views.register, name="register"),
    path("attendance/register/<int:section_id>/<str:day>/mark/", views.register_mark, name="register_mark"),
    path("attendance/register/<int:section_id>/<str:day>/save/", views.register_save, name="register_save"),
    path("school/<int:school_id>/attendance/", views.school_attendance, name="school_attendance"),
    path("school/<int:school_id>/participation/", views.school_stats, name="school_stats"),
    path("school/<int:school_id>/participation.xlsx", views.school_export, name="school_export"),
    path("bureau/school/<int:school_id>/", views.bureau_school, name="bureau_school"),
    path("bureau/export.xlsx", views.bureau_export, name="bureau_export"),
    path("family/child/<int:student_id>/leave/", views.leave, name="leave"),
    path("family/child/<int:student_id>/leave/<int:report_id>/cancel/", views.leave_cancel, name="leave_cancel"),
]
