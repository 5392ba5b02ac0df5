from django.urls import path

from messaging import views

app_name = "messaging"
urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/<int:message_id>/read/", views.mark_read, name="read"),
]
