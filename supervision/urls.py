from django.urls import path

from supervision.urls_reviews import urlpatterns as review_urlpatterns
from supervision.views import bureau, campaigns, complaints, conversion, inspect, notices, plans, public, register

app_name = "supervision"
urlpatterns = [
    # bureau
    path("bureau/supervision/", bureau.home, name="bureau_home"),
    path("bureau/supervision/export.xlsx", bureau.export, name="register_export"),
    path("bureau/supervision/campaigns/new/", campaigns.campaign_new, name="campaign_new"),
    path("bureau/supervision/campaigns/<int:campaign_id>/", campaigns.campaign, name="campaign"),
    path(
        "bureau/supervision/campaigns/<int:campaign_id>/export.xlsx",
        campaigns.campaign_export,
        name="campaign_export",
    ),
    # 转登 one-stop window
    path("bureau/supervision/conversion/", conversion.cases, name="conversion_cases"),
    path("bureau/supervision/conversion/deadline/", conversion.deadline, name="conversion_deadline"),
    path("bureau/supervision/conversion/open/", conversion.case_open, name="conversion_open"),
    path("bureau/supervision/conversion/open-all/", conversion.open_all, name="conversion_open_all"),
    path("bureau/supervision/conversion/export.xlsx", conversion.export, name="conversion_export"),
    path("bureau/supervision/conversion/<int:case_id>/", conversion.case, name="conversion_case"),
    path("bureau/supervision/conversion/<int:case_id>/advance/", conversion.case_advance, name="conversion_advance"),
    path(
        "bureau/supervision/conversion/<int:case_id>/materials/", conversion.case_material, name="conversion_material"
    ),
    path("bureau/supervision/conversion/<int:case_id>/visits/", conversion.case_visit, name="conversion_visit"),
    path("bureau/supervision/conversion/<int:case_id>/target/", conversion.case_target, name="conversion_target"),
    path(
        "bureau/supervision/conversion/<int:case_id>/extension/",
        conversion.case_extension,
        name="conversion_extension",
    ),
    path("bureau/supervision/institutions/", register.register_list, name="register"),
    path("bureau/supervision/institutions/new/", register.institution_new, name="institution_new"),
    path("bureau/supervision/institutions/import/", register.register_import, name="register_import"),
    path(
        "bureau/supervision/institutions/import/template.xlsx",
        register.register_import_template,
        name="register_import_template",
    ),
    path("bureau/supervision/institutions/<int:institution_id>/", register.institution_detail, name="institution"),
    path(
        "bureau/supervision/institutions/<int:institution_id>/edit/", register.institution_edit, name="institution_edit"
    ),
    path("bureau/supervision/institutions/<int:institution_id>/teachers/", register.teacher_add, name="teacher_add"),
    path("bureau/supervision/institutions/<int:institution_id>/conflicts/", register.conflict_add, name="conflict_add"),
    path("bureau/supervision/checklists/", plans.checklists, name="checklists"),
    path("bureau/supervision/plans/", plans.plans, name="plans"),
    path("bureau/supervision/plans/new/", plans.plan_new, name="plan_new"),
    path("bureau/supervision/plans/<int:plan_id>/", plans.plan_detail, name="plan"),
    path("bureau/supervision/plans/<int:plan_id>/edit/", plans.plan_edit, name="plan_edit"),
    path("bureau/supervision/plans/<int:plan_id>/commit/", plans.plan_commit, name="plan_commit"),
    path("bureau/supervision/plans/<int:plan_id>/draw/", plans.plan_draw, name="plan_draw"),
    path("bureau/supervision/notices/", notices.notices, name="notices"),
    path("bureau/supervision/inspections/<int:inspection_id>/notice/", notices.notice_new, name="notice_new"),
    path("bureau/supervision/notices/<int:notice_id>/", notices.notice_detail, name="notice"),
    path("bureau/supervision/notices/<int:notice_id>/refer/", notices.notice_refer, name="notice_refer"),
    path("bureau/supervision/notices/<int:notice_id>/file.xlsx", notices.notice_file, name="notice_file"),
    # inspector (phone)
    path("inspector/", inspect.home, name="inspector_home"),
    path("inspector/tasks/<int:inspection_id>/", inspect.task, name="task"),
    path("inspector/tasks/<int:inspection_id>/items/<int:item_id>/", inspect.record, name="record"),
    path("inspector/tasks/<int:inspection_id>/photos/", inspect.photo_add, name="photo_add"),
    path("inspector/tasks/<int:inspection_id>/sign-off/", inspect.sign_off, name="sign_off"),
    path("inspector/notices/<int:notice_id>/", inspect.notice, name="inspector_notice"),
    path("inspector/notices/<int:notice_id>/verify/", inspect.verify, name="verify"),
    path("supervision-photos/<int:photo_id>/", inspect.photo, name="photo"),
    # institution
    path("institution/", register.institution_home, name="institution_home"),
    path("institution/notices/<int:notice_id>/", notices.my_notice, name="my_notice"),
    path("institution/conversion/", conversion.my_case, name="my_conversion"),
    # public (一公开)
    path("public/supervision/", public.plans, name="public_plans"),
    path("public/supervision/plans/<int:plan_id>/", public.plan, name="public_plan"),
    *review_urlpatterns,
    # complaints (投诉举报): hotline staff, the bureau, parents, the public
    path("hotline/", complaints.hotline_home, name="hotline_home"),
    path("hotline/complaints/new/", complaints.complaint_new, name="complaint_new"),
    path("supervision/complaints/", complaints.complaints, name="complaints"),
    path("supervision/complaints/export.xlsx", complaints.complaints_export, name="complaints_export"),
    path("supervision/complaints/<int:complaint_id>/", complaints.complaint_detail, name="complaint"),
    path(
        "supervision/complaints/<int:complaint_id>/<slug:action>/",
        complaints.complaint_action,
        name="complaint_action",
    ),
    path("family/complaints/", complaints.my_complaints, name="my_complaints"),
    path("family/complaints/new/", complaints.my_complaint_new, name="my_complaint_new"),
    path("family/complaints/<int:complaint_id>/", complaints.my_complaint, name="my_complaint"),
    path("public/complaints/new/", complaints.public_new, name="public_complaint_new"),
    path("public/complaints/sent/", complaints.public_done, name="public_complaint_done"),
    path("public/complaints/follow/", complaints.public_follow, name="public_complaint_follow"),
]
