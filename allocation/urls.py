from django.urls import path

from allocation import views

app_name = "allocation"
base = "school/<int:school_id>/enrollment/windows/<int:window_id>/allocation/"
urlpatterns = [
    path(base, views.allocation_home, name="home"),
    path(f"{base}start/", views.allocation_start, name="start"),
    path(f"{base}runs/<int:run_id>/", views.allocation_run, name="run"),
    path(f"{base}runs/<int:run_id>/publish/", views.allocation_publish, name="publish"),
    path("allocation/windows/<int:window_id>/verify/", views.allocation_verify, name="verify"),
    path("allocation/help/", views.allocation_help, name="help"),
    path("family/child/<int:student_id>/leftover-seats/", views.leftover, name="leftover"),
]
