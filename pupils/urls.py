from django.urls import path

from pupils import views

app_name = "pupils"

urlpatterns = [
    path("school/<int:school_id>/setup/import/pupils/", views.pupils_import, name="pupils_import"),
    path("school/<int:school_id>/setup/import/pupils/template.xlsx", views.pupils_template, name="pupils_template"),
]
