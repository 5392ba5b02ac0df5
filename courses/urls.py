from django.urls import path

from courses import views

app_name = "courses"
urlpatterns = [
    path("school/<int:school_id>/", views.school_home, name="school_home"),
    path("teacher/", views.teacher_home, name="teacher_home"),
]
