"""Expert course review pages: the bureau's pool and reviews (commit, draw, decide), the
institution's courses (the 审核表 with materials), the expert's phone pages (own reviews, opinion),
and the materials, served only to those who may see them."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import allow
from accounts.models import Role
from core.errors import DomainError
from core.validation import add_domain_error
from supervision import selectors
from supervision import selectors_reviews as sel
from supervision.forms_reviews import (
    CommitForm,
    CourseForm,
    DrawForm,
    ExpertConflictForm,
    ExpertForm,
    OpinionForm,
    RecuseForm,
)
from supervision.models import CourseReview, ReviewAssignment
from supervision.services import reviews as services


def _error_text(error: DomainError) -> str:
    if error.fields:
        return " ".join(str(m) for ms in error.fields.values() for m in ms)
    return error.message()


# --- bureau ---------------------------------------------------------------------------------


@allow(Role.BUREAU)
@require_GET
def reviews(request: HttpRequest) -> HttpResponse:
    """The district's reviews by state (tabs), newest first."""
    status = request.GET.get("status", "")
    status = status if status in CourseReview.Status.values else ""
    counts = sel.review_counts(request.actor)
    tabs = [(key, label, counts[key]) for key, label in CourseReview.Status.choices]
    return render(
        request,
        "supervision/review_list.html",
        {
            "rows": sel.reviews_for_bureau(request.actor, status)[:200],
            "tabs": tabs,
            "status": status,
            "total": sum(counts.values()),
        },
    )


@allow(Role.BUREAU)
@require_GET
def review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    review = sel.review_for_bureau(request.actor, review_id)
    pool, conflicts = services.pool_for(review) if review.status == CourseReview.Status.SUBMITTED else ([], [])
    return render(
        request,
        "supervision/review_detail.html",
        {
            "review": review,
            "course": review.course,
            "materials": review.course.materials.all(),
            "assignments": review.assignments.all(),
            "tally": services.tally(review),
            "pool_now": len(pool),
            "pool_conflicts": len(conflicts),
            "frozen_pool": len((review.frozen or {}).get("pool", [])),
            "commit_form": CommitForm(),
            "draw_form": DrawForm(),
            "history": review.course.kind_history.all(),
        },
    )


@allow(Role.BUREAU)
@require_POST
def review_commit(request: HttpRequest, review_id: int) -> HttpResponse:
    review = sel.review_for_bureau(request.actor, review_id)
    form = CommitForm(request.POST)
    form.is_valid()
    try:
        review, seed = services.review_commit(
            review=review,
            commitment=form.cleaned_data.get("commitment", ""),
            n_experts=form.cleaned_data.get("n_experts") or request.POST.get("n_experts") or 0,
            by=request.user,
            request=request,
        )
    except DomainError as error:
        messages.error(request, _error_text(error))
    else:
        if seed:
            messages.warning(
                request, _("The secret seed, shown only now — keep it for the draw: %(seed)s") % {"seed": seed}
            )
        messages.success(request, _("Committed: the expert pool is frozen and the seed's hash is recorded."))
    return redirect("supervision:review", review.pk)


@allow(Role.BUREAU)
@require_POST
def review_draw(request: HttpRequest, review_id: int) -> HttpResponse:
    review = sel.review_for_bureau(request.actor, review_id)
    try:
        services.review_draw(review=review, seed=request.POST.get("seed", ""), by=request.user, request=request)
    except DomainError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Experts drawn. They see the course on their page now."))
    return redirect("supervision:review", review.pk)


@allow(Role.BUREAU)
@require_POST
def review_decide(request: HttpRequest, review_id: int) -> HttpResponse:
    review = sel.review_for_bureau(request.actor, review_id)
    try:
        review, further = services.review_decide(review=review, by=request.user, request=request)
    except DomainError as error:
        messages.error(request, _error_text(error))
    else:
        if further is not None:
            messages.warning(
                request,
                _("The opinions are tied: a further expert (%(code)s) has been drawn.") % {"code": further.expert.code},
            )
        else:
            messages.success(request, _("Decided: %(verdict)s.") % {"verdict": review.get_verdict_display()})
    return redirect("supervision:review", review.pk)


@allow(Role.BUREAU)
@require_http_methods(["GET", "POST"])
def experts(request: HttpRequest) -> HttpResponse:
    """The expert pool, and a form to add a member."""
    district = selectors.bureau_district(request.actor)
    form = ExpertForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            expert = services.expert_create(district=district, data=form.cleaned_data, by=request.user, request=request)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Expert %(code)s added to the pool.") % {"code": expert.code})
            return redirect("supervision:review_experts")
    return render(
        request, "supervision/review_experts.html", {"experts": sel.experts_for_bureau(request.actor), "form": form}
    )


@allow(Role.BUREAU)
@require_http_methods(["GET", "POST"])
def expert_detail(request: HttpRequest, expert_id: int) -> HttpResponse:
    expert = sel.expert_for_bureau(request.actor, expert_id)
    initial = {"name": expert.name, "unit": expert.unit, "subjects": expert.subjects, "active": expert.active}
    form = ExpertForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.expert_update(expert=expert, data=form.cleaned_data, by=request.user, request=request)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("supervision:review_expert", expert.pk)
    return render(
        request,
        "supervision/review_expert.html",
        {
            "expert": expert,
            "form": form,
            "conflicts": expert.conflicts.select_related("institution"),
            "conflict_form": ExpertConflictForm(institutions=sel.institutions_for_bureau(request.actor)),
            "assignments": expert.assignments.select_related("review__course__institution").order_by("-id")[:50],
        },
    )


@allow(Role.BUREAU)
@require_POST
def expert_conflict(request: HttpRequest, expert_id: int) -> HttpResponse:
    expert = sel.expert_for_bureau(request.actor, expert_id)
    form = ExpertConflictForm(request.POST, institutions=sel.institutions_for_bureau(request.actor))
    if form.is_valid():
        services.expert_conflict_add(
            expert=expert,
            institution=form.cleaned_data["institution"],
            reason=form.cleaned_data["reason"],
            by=request.user,
            request=request,
        )
        messages.success(request, _("Conflict of interest declared; the expert is not drawn for this institution."))
    else:
        messages.error(request, _("Some fields are not valid."))
    return redirect("supervision:review_expert", expert.pk)


# --- institution ----------------------------------------------------------------------------


@allow(Role.INSTITUTION)
@require_GET
def my_courses(request: HttpRequest) -> HttpResponse:
    institution = selectors.institution_for_account(request.actor)
    return render(
        request,
        "supervision/review_my_courses.html",
        {"institution": institution, "courses": sel.courses_for_institution(request.actor)},
    )


@allow(Role.INSTITUTION)
@require_http_methods(["GET", "POST"])
def course_new(request: HttpRequest) -> HttpResponse:
    """The 课程内容审核表 with its materials: all saved, or nothing (a refused file keeps the form)."""
    institution = selectors.institution_for_account(request.actor)
    form = CourseForm(request.POST or None, initial={"lesson_minutes": 45, "class_size": 20, "fee": 0})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                review = services.course_submit(
                    institution=institution,
                    data=form.cleaned_data,
                    uploads=request.FILES.getlist("materials"),
                    by=request.user,
                    request=request,
                )
            except DomainError as error:
                add_domain_error(form, error)
                status = error.status if error.status == 400 else 422
            else:
                messages.success(request, _("Submitted for expert review."))
                return redirect("supervision:my_course", review.course_id)
        else:
            status = 422
    return render(
        request, "supervision/review_course_form.html", {"form": form, "institution": institution}, status=status
    )


@allow(Role.INSTITUTION)
@require_GET
def my_course(request: HttpRequest, course_id: int) -> HttpResponse:
    course = sel.course_for_institution(request.actor, course_id)
    reviews_ = list(course.reviews.all())
    current = reviews_[0] if reviews_ else None
    return render(
        request,
        "supervision/review_my_course.html",
        {
            "course": course,
            "current": current,
            "reviews": reviews_,
            "materials": course.materials.all(),
            "history": course.kind_history.all(),
            "can_resubmit": not any(r.status in services.OPEN for r in reviews_),
        },
    )


@allow(Role.INSTITUTION)
@require_POST
def my_review_withdraw(request: HttpRequest, review_id: int) -> HttpResponse:
    review = sel.review_for_institution(request.actor, review_id)
    try:
        services.review_withdraw(review=review, by=request.user, request=request)
    except DomainError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Withdrawn."))
    return redirect("supervision:my_course", review.course_id)


@allow(Role.INSTITUTION)
@require_POST
def my_course_resubmit(request: HttpRequest, course_id: int) -> HttpResponse:
    course = sel.course_for_institution(request.actor, course_id)
    try:
        services.review_resubmit(course=course, by=request.user, request=request)
    except DomainError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Submitted for expert review."))
    return redirect("supervision:my_course", course.pk)


# --- expert (phone) -------------------------------------------------------------------------


@allow(Role.EXPERT)
@require_GET
def expert_home(request: HttpRequest) -> HttpResponse:
    expert = sel.expert_for(request.actor)
    rows = list(sel.reviews_for_expert(expert))
    mine = {
        a.review_id: a
        for a in ReviewAssignment.objects.filter(expert=expert, review_id__in=[r.pk for r in rows]).order_by("-recused")
    }  # an expert is drawn once per review (unique), so one row each
    todo, done = [], []
    for review in rows:
        row = mine.get(review.pk)
        waiting = (
            review.status == CourseReview.Status.IN_REVIEW and row is not None and not row.opinion and not row.recused
        )
        (todo if waiting else done).append((review, row))
    return render(request, "supervision/review_expert_home.html", {"expert": expert, "todo": todo, "done": done})


@allow(Role.EXPERT)
@require_GET
def expert_review(request: HttpRequest, review_id: int) -> HttpResponse:
    expert = sel.expert_for(request.actor)
    review = sel.review_for_expert(expert, review_id)
    mine = sel.my_assignment(review, expert)
    initial = {"opinion": mine.opinion, "reason": mine.reason} if mine and mine.opinion else None
    return render(
        request,
        "supervision/review_expert_review.html",
        {
            "review": review,
            "course": review.course,
            "materials": review.course.materials.all() if mine and not mine.recused else [],
            "mine": mine,
            "form": OpinionForm(initial=initial),
            "recuse_form": RecuseForm(),
            "open": review.status == CourseReview.Status.IN_REVIEW and mine is not None and not mine.recused,
            "recused": mine is not None and mine.recused,
        },
    )


@allow(Role.EXPERT)
@require_POST
def expert_opinion(request: HttpRequest, review_id: int) -> HttpResponse:
    expert = sel.expert_for(request.actor)
    review = sel.review_for_expert(expert, review_id)
    try:
        services.opinion_give(
            review=review,
            expert=expert,
            opinion=request.POST.get("opinion", ""),
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except DomainError as error:
        messages.error(request, _error_text(error))
        if error.status == 403:
            return redirect("supervision:expert_home")
    else:
        messages.success(request, _("Opinion recorded. You may revise it until the bureau decides."))
    return redirect("supervision:expert_review", review.pk)


@allow(Role.EXPERT)
@require_POST
def expert_recuse(request: HttpRequest, review_id: int) -> HttpResponse:
    expert = sel.expert_for(request.actor)
    review = sel.review_for_expert(expert, review_id)
    try:
        services.expert_recuse(review=review, expert=expert, reason=request.POST.get("reason", ""), request=request)
    except DomainError as error:
        messages.error(request, _error_text(error))
        return redirect("supervision:expert_review", review.pk)
    messages.success(request, _("Conflict of interest declared; another expert takes your place."))
    return redirect("supervision:expert_home")


# --- materials ------------------------------------------------------------------------------


@allow(Role.INSTITUTION, Role.BUREAU, Role.EXPERT)
@require_GET
def material(request: HttpRequest, material_id: int) -> HttpResponse:
    """A material for its institution, the bureau of its district or an assigned expert; 404 otherwise."""
    item = sel.material_for(request.actor, material_id)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"  # served as the type read from its bytes, nothing else
    return response
