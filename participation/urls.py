"""Registers, leave and participation pages (their own URL file: enrollment/urls.py has its owner)."""

from django.urls import path

from participation import views
from participation.compliance import views as compliance_views
from participation.fees import views as fee_views
from participation.gate import family_views as gate_family_views
from participation.gate import views as gate_views

app_name = "participation"
urlpatterns = [
    path("bureau/", views.bureau_home, name="bureau_home"),
    path("attendance/", views.teacher_day, name="teacher_day"),
    path("attendance/register/<int:section_id>/<str:day>/", views.register, name="register"),
    path("attendance/register/<int:section_id>/<str:day>/mark/", views.register_mark, name="register_mark"),
    path("attendance/register/<int:section_id>/<str:day>/save/", views.register_save, name="register_save"),
    path("school/<int:school_id>/attendance/", views.school_attendance, name="school_attendance"),
    path("school/<int:school_id>/participation/", views.school_stats, name="school_stats"),
    path("school/<int:school_id>/participation.xlsx", views.school_export, name="school_export"),
    path("bureau/school/<int:school_id>/", views.bureau_school, name="bureau_school"),
    path("bureau/export.xlsx", views.bureau_export, name="bureau_export"),
    path("family/child/<int:student_id>/leave/", views.leave, name="leave"),
    path("family/child/<int:student_id>/leave/<int:report_id>/cancel/", views.leave_cancel, name="leave_cancel"),
    # fees and statements
    path("family/child/<int:student_id>/statements/", fee_views.family_statements, name="family_statements"),
    path(
        "family/child/<int:student_id>/statements/<int:statement_id>.xlsx",
        fee_views.family_statement_xlsx,
        name="family_statement_xlsx",
    ),
    path("family/child/<int:student_id>/exemption/", fee_views.family_exemption, name="family_exemption"),
    path("school/<int:school_id>/fees/", fee_views.school_fees, name="school_fees"),
    path("school/<int:school_id>/fees/rule/", fee_views.school_fee_rule, name="school_fee_rule"),
    path("school/<int:school_id>/fees/issue/", fee_views.school_fees_issue, name="school_fees_issue"),
    path("school/<int:school_id>/fees/unpaid.xlsx", fee_views.school_unpaid_xlsx, name="school_unpaid_xlsx"),
    path(
        "school/<int:school_id>/fees/statements/<int:statement_id>/",
        fee_views.school_statement,
        name="school_statement",
    ),
    path("school/<int:school_id>/fees/exemptions/", fee_views.school_exemption_new, name="school_exemption_new"),
    path(
        "school/<int:school_id>/fees/exemptions/<int:exemption_id>/",
        fee_views.school_exemption_decide,
        name="school_exemption_decide",
    ),
    path("school/<int:school_id>/fees/payments/", fee_views.school_payments, name="school_payments"),
    path(
        "school/<int:school_id>/fees/payments/template.csv",
        fee_views.school_payments_template,
        name="school_payments_template",
    ),
    path("bureau/fees/", fee_views.bureau_fees, name="bureau_fees"),
    path("bureau/policy/", fee_views.bureau_policy, name="bureau_policy"),
    # 5+2 compliance and voluntariness
    path("school/<int:school_id>/compliance/", compliance_views.school_compliance, name="school_compliance"),
    path("bureau/compliance/", compliance_views.bureau_compliance, name="bureau_compliance"),
    # the gate (弹性离校): the family's going home and pick-up persons, the gate list, the school's gates
    path("family/child/<int:student_id>/going-home/", gate_family_views.going_home, name="going_home"),
    path("family/child/<int:student_id>/pickups/", gate_family_views.pickup_add, name="pickup_add"),
    path(
        "family/child/<int:student_id>/pickups/<int:person_id>/remove/",
        gate_family_views.pickup_remove,
        name="pickup_remove",
    ),
    path("school/<int:school_id>/gate/", gate_views.gate_list, name="gate_list"),
    path("school/<int:school_id>/gate/rules/", gate_views.school_gates, name="school_gates"),
    path("school/<int:school_id>/gate/rules/save/", gate_views.school_gate_rules, name="school_gate_rules"),
    path("school/<int:school_id>/gate/gates/", gate_views.school_gate_new, name="school_gate_new"),
    path("school/<int:school_id>/gate/gates/<int:gate_id>/", gate_views.school_gate_edit, name="school_gate_edit"),
]
