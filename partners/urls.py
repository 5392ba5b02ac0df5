from django.urls import path

from partners import views

app_name = "partners"
urlpatterns = [
    # partner teacher
    path("partner/", views.home, name="home"),
    path("partner/courses/new/", views.course_new, name="course_new"),
    path("partner/courses/<int:course_id>/", views.course_edit, name="course"),
    path("partner/courses/<int:course_id>/submit/", views.course_submit, name="course_submit"),
    path("partner/courses/<int:course_id>/photos/", views.photo_add, name="photo_add"),
    path("partner/courses/<int:course_id>/photos/<int:photo_id>/delete/", views.photo_delete, name="photo_delete"),
    path("partner/availability/", views.availability, name="availability"),
    path("partner/requests/<int:request_id>/accept/", views.request_accept, name="request_accept"),
    path("partner/requests/<int:request_id>/decline/", views.request_decline, name="request_decline"),
    # host school coordinator
    path("school/<int:school_id>/partner-courses/", views.school_catalogue, name="school_catalogue"),
    path(
        "school/<int:school_id>/partner-courses/<int:course_id>/request/", views.school_request, name="school_request"
    ),
    path(
        "school/<int:school_id>/partner-requests/<int:request_id>/withdraw/",
        views.school_request_withdraw,
        name="school_request_withdraw",
    ),
    # bureau
    path("bureau/partners/", views.bureau_home, name="bureau_home"),
    path("bureau/partners/courses/<int:course_id>/", views.bureau_course, name="bureau_course"),
    path(
        "bureau/partners/courses/<int:course_id>/approve/",
        views.bureau_course_decide,
        {"decision": "approve"},
        name="bureau_course_approve",
    ),
    path(
        "bureau/partners/courses/<int:course_id>/return/",
        views.bureau_course_decide,
        {"decision": "return"},
        name="bureau_course_return",
    ),
    path(
        "bureau/partners/providers/<int:provider_id>/qualification/",
        views.bureau_provider_qualification,
        name="bureau_provider_qualification",
    ),
    path("bureau/travel/", views.bureau_travel, name="bureau_travel"),
    # photos, through a view that checks who may see them
    path("partner-photos/<int:photo_id>/", views.photo, name="photo"),
]
