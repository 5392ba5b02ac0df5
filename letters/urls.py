from django.urls import path

from letters import views

app_name = "letters"

urlpatterns = [
    path("family/messages/", views.family_messages, name="family_messages"),
    path("bureau/letters/", views.bureau_letters, name="bureau_letters"),
    path("school/<int:school_id>/letters/", views.school_letters, name="school_letters"),
    path("letters/<int:letter_id>/", views.letter_detail, name="letter_detail"),
]
