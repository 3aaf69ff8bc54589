"""The site-wide pages: the today board, the reports and the audit trail."""

from django.urls import path

from planner import trail_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("reports/", views.report, name="report"),
    path("reports/export.csv", views.report_csv, name="report_csv"),
    path("reports/outcomes.csv", views.report_outcomes_csv, name="report_outcomes_csv"),
    path("audit/", trail_views.trail_list, name="audit_trail"),
    path("audit/export.csv", trail_views.trail_csv, name="audit_trail_csv"),
    path("audit/patient/<int:pk>/", trail_views.patient_trail, name="audit_patient_trail"),
]
