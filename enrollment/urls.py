from django.urls import path

from enrollment import views

app_name = "enrollment"
urlpatterns = [
    path("family/", views.parent_home, name="parent_home"),
    path("family/child/<int:student_id>/", views.child_detail, name="child_detail"),
    path("school/<int:school_id>/pupils/", views.school_pupils, name="school_pupils"),
    path("bureau/", views.bureau_home, name="bureau_home"),
]
