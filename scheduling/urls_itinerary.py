from django.urls import path

from scheduling import views_itinerary

app_name = "itinerary"
urlpatterns = [
    path("partner/itinerary/", views_itinerary.partner_itinerary, name="partner"),
]
