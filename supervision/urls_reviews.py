"""The expert course review's pages (included in supervision/urls.py, same `supervision:` names)."""

from django.urls import path

from supervision.views import reviews

urlpatterns = [
    # bureau
    path("bureau/supervision/reviews/", reviews.reviews, name="reviews"),
    path("bureau/supervision/reviews/<int:review_id>/", reviews.review_detail, name="review"),
    path("bureau/supervision/reviews/<int:review_id>/commit/", reviews.review_commit, name="review_commit"),
    path("bureau/supervision/reviews/<int:review_id>/draw/", reviews.review_draw, name="review_draw"),
    path("bureau/supervision/reviews/<int:review_id>/decide/", reviews.review_decide, name="review_decide"),
    path("bureau/supervision/experts/", reviews.experts, name="review_experts"),
    path("bureau/supervision/experts/<int:expert_id>/", reviews.expert_detail, name="review_expert"),
    path(
        "bureau/supervision/experts/<int:expert_id>/conflicts/", reviews.expert_conflict, name="review_expert_conflict"
    ),
    # institution
    path("institution/courses/", reviews.my_courses, name="my_courses"),
    path("institution/courses/new/", reviews.course_new, name="course_new"),
    path("institution/courses/<int:course_id>/", reviews.my_course, name="my_course"),
    path("institution/courses/<int:course_id>/resubmit/", reviews.my_course_resubmit, name="my_course_resubmit"),
    path("institution/reviews/<int:review_id>/withdraw/", reviews.my_review_withdraw, name="my_review_withdraw"),
    # expert (phone)
    path("expert/", reviews.expert_home, name="expert_home"),
    path("expert/reviews/<int:review_id>/", reviews.expert_review, name="expert_review"),
    path("expert/reviews/<int:review_id>/opinion/", reviews.expert_opinion, name="expert_opinion"),
    path("expert/reviews/<int:review_id>/recuse/", reviews.expert_recuse, name="expert_recuse"),
    # materials (checked per reader)
    path("review-materials/<int:material_id>/", reviews.material, name="review_material"),
]
