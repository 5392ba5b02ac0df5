"""The pupil roster import (its own URL file so that enrollment/urls.py stays with its owner)."""

from django.urls import path

from enrollment import views_import

app_name = "pupil_import"
urlpatterns = [
    path("school/<int:school_id>/setup/import/pupils/", views_import.pupils_import, name="pupils"),
    path(
        "school/<int:school_id>/setup/import/pupils/template.xlsx",
        views_import.pupils_template,
        name="pupils_template",
    ),
]
