from django.urls import path

from courses import views

app_name = "courses"
setup = "school/<int:school_id>/setup/"
urlpatterns = [
    path("school/<int:school_id>/", views.school_home, name="school_home"),
    path("teacher/", views.teacher_home, name="teacher_home"),
    # set-up pages of the coordinator's own school
    path(f"{setup}terms/", views.setup_terms, name="setup_terms"),
    path(f"{setup}terms/<int:term_id>/", views.setup_term, name="setup_term"),
    path(f"{setup}terms/<int:term_id>/exceptions/", views.setup_exception_add, name="setup_exception_add"),
    path(f"{setup}exceptions/<int:exception_id>/delete/", views.setup_exception_delete, name="setup_exception_delete"),
    path(f"{setup}grid/", views.setup_grid, name="setup_grid"),
    path(f"{setup}grid/template/", views.setup_grid_template, name="setup_grid_template"),
    path(f"{setup}grid/<int:weekday>/", views.setup_grid_weekday, name="setup_grid_weekday"),
    path(f"{setup}rooms/", views.setup_rooms, name="setup_rooms"),
    path(f"{setup}rooms/<int:room_id>/", views.setup_room, name="setup_room"),
    path(f"{setup}rooms/<int:room_id>/delete/", views.setup_room_delete, name="setup_room_delete"),
    path(f"{setup}teachers/", views.setup_teachers, name="setup_teachers"),
    path(f"{setup}teachers/<int:teacher_id>/", views.setup_teacher, name="setup_teacher"),
    path(
        f"{setup}teachers/<int:teacher_id>/availability/",
        views.setup_teacher_availability,
        name="setup_teacher_availability",
    ),
    path(f"{setup}teachers/<int:teacher_id>/delete/", views.setup_teacher_delete, name="setup_teacher_delete"),
    path(f"{setup}courses/", views.setup_courses, name="setup_courses"),
    path(f"{setup}courses/<int:course_id>/", views.setup_course, name="setup_course"),
    path(f"{setup}courses/<int:course_id>/delete/", views.setup_course_delete, name="setup_course_delete"),
    path(f"{setup}courses/<int:course_id>/sections/", views.setup_section_add, name="setup_section_add"),
    path(f"{setup}sections/<int:section_id>/delete/", views.setup_section_delete, name="setup_section_delete"),
    path(f"{setup}import/teachers/", views.setup_import, {"kind": "teachers"}, name="setup_import_teachers"),
    path(
        f"{setup}import/teachers/template.xlsx",
        views.setup_import_template,
        {"kind": "teachers"},
        name="setup_import_teachers_template",
    ),
    path(f"{setup}import/rooms/", views.setup_import, {"kind": "rooms"}, name="setup_import_rooms"),
    path(
        f"{setup}import/rooms/template.xlsx",
        views.setup_import_template,
        {"kind": "rooms"},
        name="setup_import_rooms_template",
    ),
]
